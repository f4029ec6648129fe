"""Build the sample LPSA study: transcripts, attributes, codebook, two coders' codings.

Codings are stored as quote-anchored YAML (``interviews/codings/*.yaml``) and resolved to
offsets here, so the transcripts can be edited without breaking them; a quote that no longer
anchors stops the build with its file and text.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.errors import InvalidImport, NotFound
from qualcode.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Origin,
    Project,
    Purpose,
    Role,
    User,
)
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.services.codebook_io import freeze_version, import_spec
from qualcode.text.spans import Span

SLUG = "lpsa"
ACCOUNTS = (  # username, display name, role
    ("pshah", "Priya Shah (lead author)", Role.OWNER),
    ("rokafor", "Ruth Okafor", Role.CODER),
    ("dhughes", "Daniel Hughes", Role.CODER),
)
FIRST_CODER = "rokafor"
INTERVIEWERS = ("Interviewer", "Ruth Okafor", "Daniel Hughes")  # the fieldworkers' labels


def data_dir(name: str) -> Path:
    """``interviews`` or ``codebook``: package data in a wheel, else the checkout's folder."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_data" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise NotFound(f"the sample data folder {name}/ is missing")


@dataclass
class DemoResult:
    project_id: int
    documents: int = 0
    codings: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def build_demo(
    factory: sessionmaker[Session],
    *,
    interviews: Path | None = None,
    passwords: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """(Re)build the demo project; returns counts and the generated passwords."""
    from qualcode.interop.codebook_files import default_codebook_path, read_codebook
    from qualcode.services.importing import import_paths

    say = progress or (lambda _msg: None)
    folder = interviews or data_dir("interviews")
    passwords = dict(passwords or {})
    with factory.begin() as session:
        _drop_existing(session)
        users = _accounts(session, passwords)
        owner = users["pshah"]
        project = project_service.create_project(
            session,
            SLUG,
            title="LPSA national evaluation (sample)",
            owner=owner,
            description="Sample study: 28 fictional interviews in six case-study authorities and "
            "central government, modelled on the national evaluation of Local "
            "Public Service Agreements.",
        )
        project.settings = {"interviewer_labels": list(INTERVIEWERS)}
        for username, _label, role in ACCOUNTS[1:]:
            project_service.add_member(session, project, users[username], role, actor_id=owner.id)
        say("codebook")
        import_spec(session, project, read_codebook(default_codebook_path()), user_id=owner.id)
        project_id, owner_id = project.id, owner.id
    result = DemoResult(project_id, passwords=passwords)
    sheet = folder / "attributes.csv"
    cases = _cases_by_document(sheet)
    say("transcripts")
    transcripts = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in {".docx", ".txt", ".vtt", ".srt", ".md"}
        and p.name.lower() != "readme.md"
    )
    summary = import_paths(
        factory, project_id, transcripts, user_id=owner_id, cases_by_title=cases, workers=1
    )
    result.documents = len(summary.of("imported"))
    result.failed = [f"{r.path}: {r.reason}" for r in summary.of("failed")]
    if result.failed:
        raise InvalidImport("sample transcripts failed to import: " + "; ".join(result.failed))
    with factory.begin() as session:
        stored = session.get(Project, project_id)
        assert stored is not None
        project = stored
        say("attributes")
        if sheet.exists():
            from qualcode.ingest.attributes import read_attribute_sheet
            from qualcode.services.attributes import import_sheet

            import_sheet(session, project, read_attribute_sheet(sheet), user_id=owner_id)
        say("codings")
        result.codings = load_codings(session, project, folder / "codings")
        _assignments(session, project)
        freeze_version(
            session,
            project,
            "v1.0 agreed after calibration round 1",
            note="Frozen before the second tranche of fieldwork.",
            user_id=owner_id,
        )
    return result


def _drop_existing(session: Session) -> None:
    existing = session.scalar(select(Project).where(Project.slug == SLUG))
    if existing is not None:
        session.delete(existing)
        session.flush()


def _accounts(session: Session, passwords: dict[str, str]) -> dict[str, User]:
    users = {}
    for username, label, _role in ACCOUNTS:
        password = passwords.setdefault(username, secrets.token_urlsafe(9))
        user = user_service.get_user(session, username, missing_ok=True)
        if user is None:
            user = user_service.create_user(
                session, username, password=password, display_name=label
            )
        else:
            user_service.set_password(session, user, password)
        users[username] = user
    return users


def _cases_by_document(sheet: Path) -> dict[str, str]:
    import csv

    if not sheet.exists():
        return {}
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["document"]: row["case"]
            for row in csv.DictReader(handle)
            if row.get("document") and row.get("case")
        }


def load_codings(session: Session, project: Project, folder: Path) -> dict[str, int]:
    """Resolve every quote-anchored coding to offsets and apply it; returns counts per coder."""
    from qualcode.text.anchor import find_quote

    docs = {
        d.title: d
        for d in session.scalars(
            select(Document).where(Document.project_id == project.id, Document.is_current.is_(True))
        )
    }
    codes = codebook_service.all_codes(session, project.id)
    by_path = {p.lower(): cid for cid, p in codebook_service.paths(codes).items()}
    users: dict[str, User] = {}
    counts: dict[str, int] = {}
    for file in sorted(folder.glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        doc = docs.get(str(data.get("document")))
        if doc is None:
            raise InvalidImport(f"no document {data.get('document')}", path=file.name)
        for n, item in enumerate(data.get("codings") or [], start=1):
            where = f"coding {n}"
            code_id = by_path.get(str(item.get("code", "")).lower())
            if code_id is None:
                raise InvalidImport(
                    f"unknown code {item.get('code')}", path=file.name, location=where
                )
            span = _anchor(
                doc.text, str(item.get("quote", "")), int(item.get("occurrence", 1)), find_quote
            )
            if span is None:
                raise InvalidImport(
                    f"quote not found: {item.get('quote')!r}", path=file.name, location=where
                )
            username = str(item.get("coder"))
            if username not in users:
                users[username] = user_service.require_user(session, username)
            coding_service.apply_code(
                session,
                document_id=doc.id,
                code_id=code_id,
                span=span,
                coder_id=users[username].id,
                origin=Origin.MANUAL,
            )
            counts[username] = counts.get(username, 0) + 1
    return counts


def _anchor(text: str, quote: str, occurrence: int, find_quote: Any) -> Span | None:
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            break
    if start >= 0:
        return Span(start, start + len(quote))
    found: Span | None = find_quote(text, quote)
    return found


def _assignments(session: Session, project: Project) -> None:
    """The first coder codes everything; the second double-coded a sample blind. Both are done."""
    from qualcode.models import Coding

    coded = session.execute(
        select(Coding.document_id, Coding.coder_id)
        .distinct()
        .join(Document)
        .where(Document.project_id == project.id)
    ).all()
    first = user_service.require_user(session, FIRST_CODER).id
    double = {doc_id for doc_id, coder in coded if coder != first}
    for doc_id, coder_id in coded:
        session.add(
            Assignment(
                document_id=doc_id,
                coder_id=coder_id,
                purpose=Purpose.DOUBLE_CODE if doc_id in double else Purpose.CODE,
                blind=doc_id in double,
                status=AssignmentStatus.DONE,
                sample="calibration round 1" if doc_id in double else "",
            )
        )
    session.flush()
