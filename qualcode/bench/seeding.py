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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.bench.corpus import generate_transcripts
from qualcode.models import Document, Project, Role, Turn
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.services.importing import ImportSummary, import_paths
from qualcode.text.spans import Span

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
    """Apply ``per_document`` codings to each document, shared among the first ``coders``
    coders, each on part of a respondent's turn; returns how many codings were stored."""
    rng = random.Random(seed)
    who = bench.coder_ids[:coders]
    stored = 0
    for n, document_id in enumerate(documents, start=1):
        with factory.begin() as session:
            turns = session.execute(
                select(Turn.start, Turn.end).where(
                    Turn.document_id == document_id,
                    Turn.is_interviewer.is_(False),
                    Turn.end - Turn.start > 20,
                )
            ).all()
            if not turns:
                continue
            for i in range(per_document):
                start, end = turns[rng.randrange(len(turns))]
                a = rng.randrange(start, end - 10)
                b = min(end, a + rng.randint(40, 400))
                coding_service.apply_code(
                    session,
                    document_id=document_id,
                    code_id=rng.choice(bench.code_ids),
                    span=Span(a, b),
                    coder_id=who[i % len(who)],
                )
                stored += 1
        if on_progress is not None:
            on_progress(n, len(documents))
    return stored


def project_of(session: Session, bench: BenchProject) -> Project:
    project = session.get(Project, bench.project_id)
    assert project is not None
    return project
