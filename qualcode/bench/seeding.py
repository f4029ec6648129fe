"""Fill a scratch database with a generated project, through the same services users go through.

Used by ``qualcode bench scale`` and ``qualcode bench web``. The steps, each timed by its caller:

1. :func:`create_project`: a project, a codebook of themes with codable codes under them, and
   coders who are members (with a password, for benchmarks that sign in);
2. :func:`write_transcripts`: ``.txt`` transcripts from :mod:`qualcode.bench.corpus` in a
   folder, each given a case (``Case 001``... with 50 documents per case);
3. :func:`import_transcripts`: the real bulk import (``services.importing.import_paths``:
   parallel parsing, one transaction per file, progress, duplicate checks);
4. :func:`code_documents`: codings applied with ``services.coding.apply_code`` (validation,
   trimming, the audit event), one transaction per document, spread over the coders.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.bench.corpus import generate_transcripts
from qualcode.models import Code, Coding, Document, Event, Origin, Project, Role, Turn
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.services.importing import ImportSummary, import_paths
from qualcode.text.spans import Span, trim

SLUG = "bench"
PASSWORD = "bench-password-not-secret"
DOCUMENTS_PER_CASE = 50
CODES_PER_THEME = 10
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BenchProject:
    """What the benchmarks need to know of the generated project."""

    project_id: int
    slug: str
    coder_ids: tuple[int, ...]
    usernames: tuple[str, ...]
    code_ids: tuple[int, ...]  # the codable codes (not the theme headings)


@dataclass(frozen=True)
class Corpus:
    folder: Path
    files: int
    raw_bytes: int  # UTF-8 size of the transcripts' text
    words: int
    cases_by_title: dict[str, str]


def create_project(
    factory: sessionmaker[Session], *, coders: int, codes: int, passwords: bool = False
) -> BenchProject:
    """A project with ``codes`` codable codes under themes of ten, and ``coders`` members."""
    with factory.begin() as session:
        users = [
            user_service.create_user(
                session, f"coder{i + 1:02d}", password=PASSWORD if passwords else None
            )
            for i in range(coders)
        ]
        project = project_service.create_project(
            session, SLUG, title="Scale benchmark", owner=users[0]
        )
        for user in users[1:]:
            project_service.add_member(session, project, user, Role.CODER)
        leaves = []
        for t in range(-(-codes // CODES_PER_THEME)):
            theme = codebook_service.create_code(session, project, f"Theme {t + 1:02d}")
            for c in range(min(CODES_PER_THEME, codes - t * CODES_PER_THEME)):
                name = f"Code {t + 1:02d}.{c + 1:02d}"
                leaves.append(codebook_service.create_code(session, project, name, parent=theme))
        return BenchProject(
            project.id,
            project.slug,
            tuple(u.id for u in users),
            tuple(u.username for u in users),
            tuple(code.id for code in leaves),
        )


def write_transcripts(folder: Path, n: int, *, words: int = 5000, seed: int = 0) -> Corpus:
    """Write ``n`` generated transcripts as UTF-8 ``.txt`` files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = total_words = 0
    cases: dict[str, str] = {}
    for i, (name, text) in enumerate(generate_transcripts(n, words, seed)):
        data = (text + "\n").encode("utf-8")
        (folder / f"{name}.txt").write_bytes(data)
        raw += len(data)
        total_words += len(text.split())
        cases[name] = f"Case {i // DOCUMENTS_PER_CASE + 1:03d}"
    return Corpus(folder, n, raw, total_words, cases)


def import_transcripts(
    factory: sessionmaker[Session],
    bench: BenchProject,
    corpus: Corpus,
    *,
    on_progress: Progress | None = None,
) -> ImportSummary:
    """Import the corpus folder through the real bulk import, as ``qualcode import`` does."""
    done = 0

    def progress(_result: object) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, corpus.files)

    return import_paths(
        factory,
        bench.project_id,
        [corpus.folder],
        user_id=bench.coder_ids[0],
        cases_by_title=corpus.cases_by_title,
        on_result=progress,
    )


def document_ids(session: Session, project_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Document.id).where(Document.project_id == project_id).order_by(Document.id)
        )
    )


def _spans(
    rng: random.Random,
    turns: Sequence[tuple[int, int]],
    bench: BenchProject,
    count: int,
    coders: int,
) -> Iterator[tuple[int, int, Span]]:
    """``count`` (code id, coder id, span) triples, each on part of a respondent's turn."""
    who = bench.coder_ids[:coders]
    for i in range(count):
        start, end = turns[rng.randrange(len(turns))]
        a = rng.randrange(start, end - 10)
        yield (
            rng.choice(bench.code_ids),
            who[i % len(who)],
            Span(a, min(end, a + rng.randint(40, 400))),
        )


def _answer_turns(
    session: Session, document_ids: Sequence[int]
) -> dict[int, list[tuple[int, int]]]:
    rows = session.execute(
        select(Turn.document_id, Turn.start, Turn.end).where(
            Turn.document_id.in_(document_ids),
            Turn.is_interviewer.is_(False),
            Turn.end - Turn.start > 20,
        )
    )
    turns: dict[int, list[tuple[int, int]]] = {}
    for document_id, start, end in rows:
        turns.setdefault(document_id, []).append((start, end))
    return turns


def code_documents(
    factory: sessionmaker[Session],
    bench: BenchProject,
    documents: Sequence[int],
    *,
    per_document: int,
    coders: int = 2,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> int:
    """Apply ``per_document`` codings to each document with ``services.coding.apply_code``
    (one transaction per document), shared among the first ``coders`` coders; returns how
    many codings were applied."""
    stored = 0
    for n, document_id in enumerate(documents, start=1):
        with factory.begin() as session:
            turns = _answer_turns(session, [document_id]).get(document_id)
            # held here so that apply_code finds them in the session instead of reloading them
            held = (
                session.get(Document, document_id),
                session.scalars(select(Code).where(Code.project_id == bench.project_id)).all(),
            )
            rng = random.Random(f"{seed}:{document_id}")
            for code_id, coder_id, span in _spans(rng, turns or [], bench, per_document, coders):
                coding_service.apply_code(
                    session, document_id=document_id, code_id=code_id, span=span, coder_id=coder_id
                )
                stored += 1
            del held
        if on_progress is not None:
            on_progress(n, len(documents))
    return stored


def bulk_code_documents(
    factory: sessionmaker[Session],
    bench: BenchProject,
    documents: Sequence[int],
    *,
    per_document: int,
    coders: int = 2,
    seed: int = 0,
    batch: int = 100,
    on_progress: Progress | None = None,
) -> int:
    """The same codings as :func:`code_documents` would apply, with the same rows (the span
    trimmed, the quote, a ``coding.added`` audit event each), written with multi-row inserts
    for ``batch`` documents per transaction; returns how many codings were stored."""
    stored = 0
    for first in range(0, len(documents), batch):
        chunk = documents[first : first + batch]
        with factory.begin() as session:
            rows_ = session.execute(
                select(Document.id, Document.text).where(Document.id.in_(chunk))
            )
            texts = {document_id: text for document_id, text in rows_}
            turns = _answer_turns(session, chunk)
            rows = []
            for document_id in chunk:
                rng = random.Random(f"{seed}:{document_id}")
                text = texts[document_id]
                seen = set()
                for code_id, coder_id, span in _spans(
                    rng, turns.get(document_id, []), bench, per_document, coders
                ):
                    span = trim(text, span)
                    key = (code_id, coder_id, span.start, span.end)
                    if len(span) == 0 or key in seen:
                        continue
                    seen.add(key)
                    rows.append(
                        {
                            "document_id": document_id,
                            "code_id": code_id,
                            "coder_id": coder_id,
                            "start": span.start,
                            "end": span.end,
                            "quote": text[span.start : span.end],
                            "origin": Origin.MANUAL,
                        }
                    )
            if not rows:
                continue
            ids = session.scalars(
                insert(Coding).returning(Coding.id, sort_by_parameter_order=True), rows
            ).all()
            session.execute(
                insert(Event),
                [
                    {
                        "project_id": bench.project_id,
                        "user_id": row["coder_id"],
                        "action": "coding.added",
                        "entity_type": "coding",
                        "entity_id": coding_id,
                        "detail": {
                            **{
                                k: row[k]
                                for k in ("document_id", "code_id", "coder_id", "start", "end")
                            },
                            "origin": "manual",
                        },
                    }
                    for coding_id, row in zip(ids, rows, strict=True)
                ],
            )
            stored += len(rows)
        if on_progress is not None:
            on_progress(min(first + batch, len(documents)), len(documents))
    return stored


def project_of(session: Session, bench: BenchProject) -> Project:
    project = session.get(Project, bench.project_id)
    assert project is not None
    return project
