"""Bulk transcript import: parse in parallel, store each file in its own transaction.

A broken file fails alone with its name and reason; an exact duplicate of a current document is
skipped; a file whose title matches a current document (or the document named by ``replace``)
becomes that document's next version, with its codings re-anchored by their quotes. Because
every file commits on its own, an import killed half-way leaves whole documents only, and
running it again resumes (what is already in is skipped as a duplicate).

The files are parsed in worker processes (:func:`qualcode.ingest.batch.read_many`); storing is
serial, so it is kept lean: the turns of a document go in with one multi-row insert, and the
import's :class:`ImportJob` row is updated in the document's own transaction (a count, plus the
failures), never rewritten whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.base import utcnow
from qualcode.errors import InvalidInput, QualcodeError
from qualcode.ingest import DEFAULT_MAX_BYTES
from qualcode.models import Case, Coding, Document, ImportJob, Project
from qualcode.services import audit
from qualcode.services import documents as document_service
from qualcode.services.document_rows import TITLE_MAX, insert_document
from qualcode.text.normalize import text_hash
from qualcode.text.spans import Span
from qualcode.text.transcript import Transcript

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FileResult",
    "ImportSummary",
    "import_paths",
    "interviewer_labels",
    "reanchor_codings",
    "store_transcript",
]


_JOBS = ImportJob.metadata.tables[ImportJob.__tablename__]
_DOCS = Document.metadata.tables[Document.__tablename__]
_CASES = Case.metadata.tables[Case.__tablename__]
_PROJECTS = Project.metadata.tables[Project.__tablename__]
_COUNT_DONE = (  # Core: per row, the ORM's bulk paths cost more than SQLite
    update(_JOBS).where(_JOBS.c.id == bindparam("job_id")).values(done=_JOBS.c.done + 1)
)


@dataclass
class FileResult:
    """What became of one file: ``status`` is imported, skipped or failed (with ``reason``)."""

    path: str
    status: str
    reason: str | None = None
    document_id: int | None = None
    title: str | None = None
    turns: int = 0
    speakers: list[str] = field(default_factory=list)
    words: int = 0
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    version: int | None = None
    reanchored: int = 0
    not_reanchored: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportSummary:
    results: list[FileResult] = field(default_factory=list)

    def of(self, status: str) -> list[FileResult]:
        return [r for r in self.results if r.status == status]

    def to_dict(self) -> dict[str, Any]:
        """The ``import --json`` contract: imported, skipped and failed lists."""
        return {
            "imported": [r.to_dict() for r in self.of("imported")],
            "skipped": [{"path": r.path, "reason": r.reason} for r in self.of("skipped")],
            "failed": [{"path": r.path, "reason": r.reason} for r in self.of("failed")],
        }


def interviewer_labels(project: Project) -> list[str]:
    return list(project.settings.get("interviewer_labels", []))


def import_paths(
    factory: sessionmaker[Session],
    project_id: int,
    paths: Sequence[Path],
    *,
    case: str | None = None,
    user_id: int | None = None,
    replace: int | None = None,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    cases_by_title: dict[str, str] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
) -> ImportSummary:
    """Import transcript files (folders are searched recursively, in name order).

    ``case`` puts every document in that case (``cases_by_title`` does it per title);
    ``replace`` imports the (single) file as the next version of that document.
    ``on_result`` is called after each file, in input order.
    """
    from qualcode.ingest import discover
    from qualcode.ingest.batch import read_many

    files = discover(list(paths))
    if replace is not None and len(files) != 1:
        raise InvalidInput(f"a corrected version replaces one document: {len(files)} files given")
    with factory.begin() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InvalidInput(f"no project with id {project_id}")
        labels = interviewer_labels(project)
        job = ImportJob(project_id=project_id, user_id=user_id, total=len(files))
        session.add(job)
        session.flush()
        job_id = job.id
    summary = ImportSummary()
    parsed = read_many(files, workers=workers, max_bytes=max_bytes, interviewer_labels=labels)
    known_labels = set(labels)
    with _engine(factory).connect() as connection:
        for path, transcript in parsed:
            if isinstance(transcript, QualcodeError):
                result = FileResult(str(path), "failed", getattr(transcript, "reason", None))
            else:
                title = path.stem
                wanted_case = case or (cases_by_title or {}).get(title)
                result = _store_one(
                    connection, project_id, job_id, path, transcript, known_labels,
                    title=title, case=wanted_case, user_id=user_id, replace=replace,
                )  # fmt: skip
            if result.status == "failed":
                result.reason = result.reason or "could not be imported"
                _record_failure(connection, job_id, result)
            summary.results.append(result)
            if on_result:
                on_result(result)
    with factory.begin() as session:
        session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(status="finished", finished_at=utcnow())
        )
    return summary


def _engine(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine):
        return bind
    with factory() as session:
        return session.get_bind().engine


def _store_one(
    connection: Connection,
    project_id: int,
    job_id: int,
    path: Path,
    transcript: Transcript,
    known_labels: set[str],
    *,
    title: str,
    case: str | None,
    user_id: int | None,
    replace: int | None,
) -> FileResult:
    """One file, one transaction: the document, its turns and the job's count commit together.

    A new document (the common case) is written with Core alone; a corrected version, a new
    case or a replacement goes through :func:`store_transcript`, in the same transaction.
    """
    try:
        with connection.begin():
            result = _store_new(
                connection, project_id, path, transcript, known_labels,
                title=title, case=case, user_id=user_id, replace=replace,
            )  # fmt: skip
            if result is None:
                with Session(bind=connection) as session:  # joins this transaction
                    project = session.get(Project, project_id)
                    assert project is not None
                    result = store_transcript(
                        session, project, transcript, title=title, filename=path.name,
                        case=case, user_id=user_id, replace=replace, display_path=str(path),
                    )  # fmt: skip
                    session.flush()
                    known_labels.update(interviewer_labels(project))
            connection.execute(_COUNT_DONE, {"job_id": job_id})
            return result
    except QualcodeError as exc:
        return FileResult(str(path), "failed", getattr(exc, "reason", None) or str(exc))


def _store_new(
    connection: Connection,
    project_id: int,
    path: Path,
    transcript: Transcript,
    known_labels: set[str],
    *,
    title: str,
    case: str | None,
    user_id: int | None,
    replace: int | None,
) -> FileResult | None:
    """Store a file that is a new document of the project; None if it is more than that
    (a new version of a document, a replacement, or in a case that does not exist yet)."""
    shown = str(path)
    sha256 = text_hash(transcript.text)
    duplicate = _current_duplicate(connection, project_id, sha256)
    if duplicate is not None:
        return _skipped(shown, *duplicate)
    if replace is not None or _current_by_title(connection, project_id, title) is not None:
        return None
    case_id = None
    if case:
        case_id = connection.scalar(
            select(_CASES.c.id).where(
                _CASES.c.project_id == project_id, _CASES.c.name == case.strip()
            )
        )
        if case_id is None:
            return None
    written = insert_document(
        connection, project_id, transcript, title=title, filename=path.name, case_id=case_id,
        user_id=user_id, sha256=sha256,
    )  # fmt: skip
    found = _interviewer_speakers(transcript)
    if not found <= known_labels:  # rarely: read and write the settings only then
        settings = connection.scalar(
            select(_PROJECTS.c.settings).where(_PROJECTS.c.id == project_id)
        )
        learnt = _with_labels(settings or {}, found)
        connection.execute(
            update(_PROJECTS).where(_PROJECTS.c.id == project_id).values(settings=learnt)
        )
        known_labels.update(learnt["interviewer_labels"])
    return FileResult(
        shown, "imported", document_id=written.id, title=written.title, turns=written.turn_count,
        speakers=transcript.speakers, words=written.word_count, encoding=transcript.encoding,
        warnings=list(transcript.warnings), version=written.version,
    )  # fmt: skip


def _skipped(shown: str, doc_id: int, doc_title: str) -> FileResult:
    return FileResult(
        shown, "skipped", f"an exact duplicate of {doc_title} (document {doc_id})",
        document_id=doc_id, title=doc_title,
    )  # fmt: skip


def _record_failure(connection: Connection, job_id: int, result: FileResult) -> None:
    """Count a failed file and keep its reason (failures are few: the list stays short)."""
    with connection.begin():
        results = connection.scalar(select(_JOBS.c.results).where(_JOBS.c.id == job_id))
        failure = {"path": result.path, "reason": result.reason}
        connection.execute(
            update(_JOBS)
            .where(_JOBS.c.id == job_id)
            .values(done=_JOBS.c.done + 1, results=[*(results or []), failure])
        )


def store_transcript(
    session: Session,
    project: Project,
    transcript: Transcript,
    *,
    title: str,
    filename: str = "",
    case: str | None = None,
    user_id: int | None = None,
    replace: int | None = None,
    display_path: str | None = None,
) -> FileResult:
    """Store one parsed transcript: skipped if its text is already a current document's; a new
    version (codings re-anchored) if ``replace`` names a document or ``title`` is taken.

    A corrected version keeps the title of the document it replaces. Flushes, never commits.
    """
    shown = display_path or filename or title
    sha256 = text_hash(transcript.text)
    duplicate = _current_duplicate(session, project.id, sha256)
    if duplicate is not None:
        return _skipped(shown, *duplicate)
    if replace is not None:
        previous: Document | None = document_service.get_document(session, project, replace)
        assert previous is not None
        title = previous.title
    else:
        current = _current_by_title(session, project.id, title)
        previous = None if current is None else session.get(Document, current)
    case_row = previous.case if previous else None
    if case:
        case_row = document_service.get_or_create_case(session, project, case, user_id=user_id)
    doc = document_service.add_document(
        session, project, transcript, title=title, filename=filename, case=case_row,
        user_id=user_id, previous=previous,
    )  # fmt: skip
    result = FileResult(
        shown, "imported", document_id=doc.id, title=doc.title, turns=doc.turn_count,
        speakers=transcript.speakers, words=doc.word_count, encoding=transcript.encoding,
        warnings=list(transcript.warnings), version=doc.version,
    )  # fmt: skip
    if previous is not None:
        result.reanchored, result.not_reanchored = reanchor_codings(
            session, previous, doc, user_id=user_id
        )
    _learn_interviewer_labels(project, transcript)
    return result


def _current_duplicate(
    db: Connection | Session, project_id: int, sha256: str
) -> tuple[int, str] | None:
    """The id and title of the project's current document with this text, if any.

    ``is_current`` is checked here, not in SQL: given it, SQLite (which keeps no statistics)
    may prefer the ``is_current`` index, a scan of every current document of every project;
    without it, the (project, hash) index finds the versions of this text at once."""
    rows = db.execute(
        select(_DOCS.c.id, _DOCS.c.title, _DOCS.c.is_current).where(
            _DOCS.c.project_id == project_id, _DOCS.c.sha256 == sha256
        )
    )
    return next(((i, t) for i, t, current in rows if current), None)


def _current_by_title(db: Connection | Session, project_id: int, title: str) -> int | None:
    """The id of the project's current document with this title, if any (``is_current`` is
    checked here for the reason given in :func:`_current_duplicate`)."""
    rows = db.execute(
        select(_DOCS.c.id, _DOCS.c.is_current).where(
            _DOCS.c.project_id == project_id, _DOCS.c.title == title.strip()[:TITLE_MAX]
        )
    )
    return next((doc_id for doc_id, is_current in rows if is_current), None)


def _learn_interviewer_labels(project: Project, transcript: Transcript) -> None:
    found = _interviewer_speakers(transcript)
    if not found <= set(interviewer_labels(project)):
        project.settings = _with_labels(project.settings, found)


def _interviewer_speakers(transcript: Transcript) -> set[str]:
    return {t.speaker for t in transcript.turns if t.is_interviewer and t.speaker}


def _with_labels(settings: dict[str, Any], found: set[str]) -> dict[str, Any]:
    """Project settings with these speakers learnt as the interviewer's labels."""
    labels = sorted(set(settings.get("interviewer_labels", [])) | found)
    return {**settings, "interviewer_labels": labels}


def reanchor_codings(
    session: Session, old: Document, new: Document, *, user_id: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """Carry the old version's codings to the new text by their quotes (exact, then
    whitespace-tolerant, then fuzzy). Returns how many moved, and the codings left on the old
    version with the reason (``coding_id``, ``code``, ``coder``, ``quote``, ``reason``)."""
    from qualcode.text.anchor import reanchor

    codings = session.scalars(
        select(Coding).where(Coding.document_id == old.id).order_by(Coding.id)
    ).all()
    found = reanchor(old.text, new.text, [Span(c.start, c.end) for c in codings])
    moved, lost = 0, list[dict[str, Any]]()
    for coding, anchored in zip(codings, found, strict=True):
        span = anchored.new_span
        if span is None:
            lost.append(
                {"coding_id": coding.id, "code": coding.code.name, "coder": coding.coder.username,
                 "quote": coding.quote, "reason": anchored.reason or "quote not found"}
            )  # fmt: skip
            continue
        coding.document_id = new.id
        coding.start, coding.end = span.start, span.end
        coding.quote = new.text[span.start : span.end]
        moved += 1
    audit.record(
        session, "document.reanchored", new, user_id=user_id,
        detail={"from_document": old.id, "moved": moved, "lost": len(lost)},
    )  # fmt: skip
    session.flush()
    return moved, lost
