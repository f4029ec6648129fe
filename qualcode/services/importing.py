"""Bulk transcript import: parse in parallel, store each file in its own transaction.

A broken file fails alone with its name and reason; an exact duplicate of a current document is
skipped; a file whose title matches a current document becomes that document's next version,
with its codings re-anchored by their quotes. Because every file commits on its own, an import
killed half-way leaves whole documents only, and running it again resumes (what is already in
is skipped as a duplicate).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.base import utcnow
from qualcode.errors import QualcodeError
from qualcode.models import Coding, Document, ImportJob, Project
from qualcode.services import audit
from qualcode.services import documents as document_service
from qualcode.text.normalize import text_hash
from qualcode.text.spans import Span
from qualcode.text.transcript import Transcript

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass
class FileResult:
    path: str
    status: str  # imported | skipped | failed
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


def import_paths(factory: sessionmaker[Session], project_id: int, paths: Sequence[Path], *,
                 case: str | None = None, user_id: int | None = None, replace: int | None = None,
                 workers: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 cases_by_title: dict[str, str] | None = None,
                 on_result: Callable[[FileResult], None] | None = None) -> ImportSummary:
    """Import transcript files (folders are searched recursively, in name order)."""
    from qualcode.ingest import discover
    from qualcode.ingest.batch import read_many

    files = discover(list(paths))
    with factory.begin() as session:
        project = session.get(Project, project_id)
        assert project is not None
        labels = interviewer_labels(project)
        job = ImportJob(project_id=project_id, user_id=user_id, total=len(files))
        session.add(job)
        session.flush()
        job_id = job.id
    summary = ImportSummary()
    for path, parsed in read_many(files, workers=workers, max_bytes=max_bytes,
                                  interviewer_labels=labels):
        title = path.stem
        if isinstance(parsed, QualcodeError):
            result = FileResult(str(path), "failed", getattr(parsed, "reason", str(parsed)))
        else:
            wanted_case = case or (cases_by_title or {}).get(title)
            result = _store_one(factory, project_id, path, parsed, title=title, case=wanted_case,
                                user_id=user_id, replace=replace)
        summary.results.append(result)
        _progress(factory, job_id, result)
        if on_result:
            on_result(result)
    with factory.begin() as session:
        finished = session.get(ImportJob, job_id)
        assert finished is not None
        finished.status, finished.finished_at = "finished", utcnow()
    return summary


def _progress(factory: sessionmaker[Session], job_id: int, result: FileResult) -> None:
    with factory.begin() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        job.done += 1
        job.results = [*job.results, {"path": result.path, "status": result.status,
                                      "reason": result.reason}]


def _store_one(factory: sessionmaker[Session], project_id: int, path: Path, transcript: Transcript,
               *, title: str, case: str | None, user_id: int | None,
               replace: int | None) -> FileResult:
    try:
        with factory.begin() as session:
            project = session.get(Project, project_id)
            assert project is not None
            return store_transcript(session, project, transcript, title=title,
                                    filename=path.name, case=case, user_id=user_id,
                                    replace=replace, display_path=str(path))
    except QualcodeError as exc:
        return FileResult(str(path), "failed", getattr(exc, "reason", str(exc)))


def store_transcript(session: Session, project: Project, transcript: Transcript, *, title: str,
                     filename: str = "", case: str | None = None, user_id: int | None = None,
                     replace: int | None = None, display_path: str | None = None) -> FileResult:
    """Store one parsed transcript (duplicate check, new version with re-anchoring)."""
    shown = display_path or filename or title
    duplicate = document_service.find_duplicate(session, project, text_hash(transcript.text))
    if duplicate is not None:
        return FileResult(shown, "skipped",
                          f"an exact duplicate of {duplicate.title} (document {duplicate.id})",
                          document_id=duplicate.id, title=duplicate.title)
    previous = (document_service.get_document(session, project, replace) if replace is not None
                else document_service.find_by_title(session, project, title))
    case_row = document_service.get_or_create_case(session, project, case, user_id=user_id) \
        if case else (previous.case if previous else None)
    doc = document_service.add_document(session, project, transcript, title=title,
                                        filename=filename, case=case_row, user_id=user_id,
                                        previous=previous)
    result = FileResult(shown, "imported", document_id=doc.id, title=doc.title,
                        turns=doc.turn_count, speakers=transcript.speakers, words=doc.word_count,
                        encoding=transcript.encoding, warnings=list(transcript.warnings),
                        version=doc.version)
    if previous is not None:
        moved, lost = reanchor_codings(session, previous, doc, user_id=user_id)
        result.reanchored, result.not_reanchored = moved, lost
    _learn_interviewer_labels(project, transcript)
    return result


def _learn_interviewer_labels(project: Project, transcript: Transcript) -> None:
    labels = set(interviewer_labels(project))
    found = {t.speaker for t in transcript.turns if t.is_interviewer and t.speaker}
    if not found <= labels:
        project.settings = {**project.settings,
                            "interviewer_labels": sorted(labels | found)}


def reanchor_codings(session: Session, old: Document, new: Document, *,
                     user_id: int | None) -> tuple[int, list[dict[str, Any]]]:
    """Carry the old version's codings to the new text by their quotes (exact, then fuzzy).
    Returns how many moved and the ones that could not be placed, with the reason."""
    from qualcode.text.anchor import reanchor

    codings = session.scalars(select(Coding).where(Coding.document_id == old.id)
                              .order_by(Coding.id)).all()
    results = reanchor(old.text, new.text, [Span(c.start, c.end) for c in codings])
    moved, lost = 0, list[dict[str, Any]]()
    for coding, result in zip(codings, results, strict=True):
        if result.span is None:
            lost.append({"coding_id": coding.id, "quote": coding.quote, "reason": result.reason})
            continue
        coding.document_id = new.id
        coding.start, coding.end = result.span.start, result.span.end
        coding.quote = new.text[result.span.start:result.span.end]
        moved += 1
    audit.record(session, "document.reanchored", new, user_id=user_id,
                 detail={"from_document": old.id, "moved": moved, "lost": len(lost)})
    session.flush()
    return moved, lost

