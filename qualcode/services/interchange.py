"""REFI-QDA projects into the database: a :class:`ProjectSnapshot` becomes rows of one project.

Everything happens in the caller's transaction, so an import that fails half-way writes
nothing. What cannot be carried over is skipped with a reason in the result's report (the
standard's data-loss warning), next to what the file reader already skipped.

How the snapshot maps onto qualcode, and the decisions the report explains:

- GUIDs are kept on every row that has one (users, codes, documents, cases, attributes,
  codings, memos). GUIDs are unique across the database, so a GUID some other row already
  carries (the same file imported into a second project) is replaced by a fresh one.
- Users: an account with the same GUID is the same person; otherwise an account whose user
  name equals the file's user name (ignoring case) is taken; otherwise a new account without a
  password (it cannot sign in) is created under the file's name. Each becomes a coder on the
  project unless already a member.
- Codes go through ``codebook_io.import_spec``: a code whose path is already in the project is
  updated in place. Sibling codes with the same name are renamed ``Name (2)``; ``/`` in a
  name becomes ``-``. Codings find their code by GUID, never by name. A code the file marks
  inactive is deactivated after its codings are in.
- Sources become documents (source type ``qdpx``) with speaker turns detected on their text,
  which is kept as it is apart from the canonical form ``add_document`` needs. A document of
  this project with the same text is reused (its codings and memos go there), so importing
  the same file twice adds nothing the second time. A source's description is kept as a memo
  of kind ``description`` on the document (and exported back as the description).
- Variables become attributes scoped to where their values appear (on cases, on documents, or
  both), typed as :mod:`qualcode.services.interchange_values` describes. A document in several
  cases stays in the first.
- Each coding of a selection is one ``Coding`` (origin ``import``) by the coding's user, else
  the selection's, else the importing user (else the ``imported`` pseudo-coder). A
  selection's description becomes a memo on its coding (when it has exactly one) or on its
  span.
- Notes become memos on their targets (a note on several items becomes one memo each); a
  note without a target is a project memo. Sets are reported as not carried over.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.interop.refi_qda import read_qdpx
from qualcode.interop.snapshot import ProjectSnapshot
from qualcode.models import Project, User
from qualcode.services import projects as project_service
from qualcode.services.interchange_import import IMPORTED_ACTION, Importer, ImportResult

__all__ = [
    "IMPORTED_ACTION",
    "ImportResult",
    "free_slug",
    "import_qdpx_file",
    "import_snapshot",
    "new_project_from_qdpx",
]


def import_snapshot(
    session: Session,
    project: Project,
    snapshot: ProjectSnapshot,
    *,
    user_id: int | None,
    file_name: str = "",
) -> ImportResult:
    """Add everything in ``snapshot`` to ``project``; the caller commits (or rolls back).

    ``user_id`` is the importing user (coder of codings the file attributes to no one);
    ``file_name`` is recorded with the report in the audit log.
    """
    return Importer(session, project, snapshot, user_id, file_name).run()


def import_qdpx_file(
    session: Session, project: Project, path: str | Path, *, user_id: int | None
) -> ImportResult:
    """Read a ``.qdpx`` (``InvalidImport`` if unreadable or unsafe) and import it."""
    snapshot = read_qdpx(path)
    return import_snapshot(session, project, snapshot, user_id=user_id, file_name=Path(path).name)


def new_project_from_qdpx(
    session: Session,
    path: str | Path,
    *,
    slug: str | None = None,
    title: str | None = None,
    owner: User | None = None,
) -> tuple[Project, ImportResult]:
    """A new project holding a ``.qdpx``; its slug is ``slug`` or derived from the file name."""
    snapshot = read_qdpx(path)
    slug = slug or free_slug(session, Path(path).stem)
    project = project_service.create_project(
        session,
        slug,
        title=(title or snapshot.name or slug)[:200],
        description=snapshot.description,
        owner=owner,
    )
    result = import_snapshot(
        session, project, snapshot, user_id=owner.id if owner else None, file_name=Path(path).name
    )
    return project, result


def free_slug(session: Session, name: str) -> str:
    """A project slug made from a file name, with ``-2``, ``-3``... if it is taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "imported-project"
    slug, n = base, 2
    while session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug
