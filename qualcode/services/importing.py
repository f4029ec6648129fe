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

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.base import utcnow
from qualcode.errors import InvalidInput, QualcodeError
from qualcode.ingest import DEFAULT_MAX_BYTES
from qualcode.models import Case, Coding, Document, ImportJob, Project, Turn
from qualcode.services import audit
from qualcode.services import documents as document_service
from qualcode.text.normalize import normalize_text, text_hash, word_count
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
_TURNS = Turn.metadata.tables[Turn.__tablename__]
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
    for path, transcript in parsed:
        if isinstance(transcript, QualcodeError):
            result = FileResult(str(path), "failed", getattr(transcript, "reason", None))
        else:
            title = path.stem
            wanted_case = case or (cases_by_title or {}).get(title)
            result = _store_one(
                factory, project_id, job_id, path, transcript,
                title=title, case=wanted_case, user_id=user_id, replace=replace,
            )  # fmt: skip
        if result.status == "failed":
            result.reason = result.reason or "could not be imported"
            _record_failure(factory, job_id, result)
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


def _store_one(
    factory: sessionmaker[Session],
    project_id: int,
    job_id: int,
    path: Path,
    transcript: Transcript,
    *,
    title: str,
    case: str | None,
    user_id: int | None,
    replace: int | None,
) -> FileResult:
    """One file, one transaction: the document, its turns and the job's count commit together."""
    try:
        with factory.begin() as session:
            project = session.get(Project, project_id)
            assert project is not None
            result = store_transcript(
                session, project, transcript, title=title, filename=path.name, case=case,
                user_id=user_id, replace=replace, display_path=str(path),
            )  # fmt: skip
            session.execute(_COUNT_DONE, {"job_id": job_id})
            return result
    except QualcodeError as exc:
        return FileResult(str(path), "failed", getattr(exc, "reason", None) or str(exc))


def _record_failure(factory: sessionmaker[Session], job_id: int, result: FileResult) -> None:
    """Count a failed file and keep its reason (failures are few: the list stays short)."""
    with factory.begin() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        job.done += 1
        job.results = [*job.results, {"path": result.path, "reason": result.reason}]


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
    duplicate = _current_duplicate(session, project, sha256)
    if duplicate is not None:
        doc_id, doc_title = duplicate
        return FileResult(
            shown, "skipped", f"an exact duplicate of {doc_title} (document {doc_id})",
            document_id=doc_id, title=doc_title,
        )  # fmt: skip
    if replace is not None:
        previous: Document | None = document_service.get_document(session, project, replace)
        assert previous is not None
        title = previous.title
    else:
        previous = _current_by_title(session, project, title)
    case_row = previous.case if previous else None
    if case:
        case_row = document_service.get_or_create_case(session, project, case, user_id=user_id)
    doc = _add_document(
        session, project, transcript, sha256, title=title, filename=filename, case=case_row,
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


def _current_duplicate(session: Session, project: Project, sha256: str) -> tuple[int, str] | None:
    """The id and title of the project's current document with this text, if any.

    Selected by the hash alone, so that the hash's index is used whatever the planner knows
    (SQLite without statistics prefers the project's index, a scan of every document)."""
    rows = session.execute(
        select(Document.id, Document.title, Document.project_id, Document.is_current).where(
            Document.sha256 == sha256
        )
    )
    return next(((i, t) for i, t, p, current in rows if p == project.id and current), None)


def _current_by_title(session: Session, project: Project, title: str) -> Document | None:
    """The project's current document with this title, if any.

    ``is_current`` is checked here, not in SQL: given it, SQLite (which keeps no statistics)
    prefers the ``is_current`` index, a scan of every current document of every project.
    Without it the project's documents are scanned, or, where the schema has an index on
    (``project_id``, ``title``), the versions of this title are found at once.
    """
    rows = session.execute(
        select(Document.id, Document.is_current).where(
            Document.project_id == project.id, Document.title == title.strip()[:300]
        )
    )
    current = next((doc_id for doc_id, is_current in rows if is_current), None)
    return None if current is None else session.get(Document, current)


def _add_document(
    session: Session,
    project: Project,
    transcript: Transcript,
    sha256: str,
    *,
    title: str,
    filename: str,
    case: Case | None,
    user_id: int | None,
    previous: Document | None,
) -> Document:
    """:func:`documents.add_document` for bulk work: the same checks and rows, but the turns
    (hundreds per interview) are inserted with one statement instead of one ORM object each."""
    text = transcript.text
    title = title.strip()[:300]
    if not title:
        raise InvalidInput("a document needs a title")
    if normalize_text(text) != text:
        raise InvalidInput(f"{title}: text is not normalised (NFC, \\n line endings)")
    for turn in transcript.turns:
        if not 0 <= turn.start <= turn.end <= len(text):
            raise InvalidInput(f"{title}: a turn [{turn.start}, {turn.end}) lies outside the text")
    doc = Document(
        project_id=project.id, case_id=case.id if case else None, title=title,
        source_filename=filename[:500], source_type=transcript.source_type,
        encoding=transcript.encoding, text=text, sha256=sha256, word_count=word_count(text),
        turn_count=len(transcript.turns), imported_by_id=user_id,
        version=previous.version + 1 if previous else 1,
        previous_version_id=previous.id if previous else None,
    )  # fmt: skip
    session.add(doc)
    session.flush()
    if transcript.turns:
        rows = [
            {"document_id": doc.id, "index": i, "start": t.start, "end": t.end,
             "speaker": t.speaker, "timestamp": t.timestamp, "is_interviewer": t.is_interviewer}
            for i, t in enumerate(transcript.turns)
        ]  # fmt: skip
        session.execute(insert(_TURNS), rows)
    if previous is not None:
        previous.is_current = False
    audit.record(
        session, "document.imported", doc, user_id=user_id,
        detail={"title": doc.title, "filename": filename, "words": doc.word_count,
                "version": doc.version},
    )  # fmt: skip
    session.flush()
    return doc


def _learn_interviewer_labels(project: Project, transcript: Transcript) -> None:
    labels = set(interviewer_labels(project))
    found = {t.speaker for t in transcript.turns if t.is_interviewer and t.speaker}
    if not found <= labels:
        project.settings = {**project.settings, "interviewer_labels": sorted(labels | found)}


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
