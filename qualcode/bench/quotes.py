"""``qualcode bench quotes``: how fast quotes and matrices come back from a large project.

Builds a scratch SQLite project (by default 200,000 codings by three coders over 100 codes —
10 themes of 9 sub-codes — in 500 interviews of 50 cases, 60 turns each), then times:

- quotes for a code: ``find_quotes`` for every sub-code, the whole result with speakers,
  counts and cases without (a fresh session each time, as a web request has), and the same
  with a page of 100 quotes as the Evidence page asks (counts still cover every quote);
- quotes for a theme (a code with its 9 sub-codes, about ten times as many quotes);
- Boolean ``A AND B`` queries between sub-codes;
- the 100 codes × 50 cases matrix, counting segments and documents (as the Matrices page
  reads it, without each cell's coding ids), and with the coding ids.

The targets (issue 6): quotes for a code p95 under 100 ms, the matrix under 1 s.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qualcode.db.engine import make_engine
from qualcode.db.migrate import upgrade
from qualcode.models import Case, Code, Coding, Document, Origin, Project, Turn, User
from qualcode.services.matrices import code_matrix
from qualcode.services.quotes import QuoteQuery, find_quotes

THEMES, SUBCODES, CASES, DOCUMENTS_PER_CASE, TURNS = 10, 9, 50, 10, 60
WORDS = (
    "the",
    "target",
    "stretch",
    "reward",
    "grant",
    "partners",
    "we",
    "data",
    "baseline",
    "council",
    "police",
    "delivery",
    "was",
    "really",
    "not",
    "and",
    "of",
    "to",
    "a",
    "performance",
    "burglary",
    "recycling",
    "champion",
    "officers",
    "negotiation",
    "government",
    "office",
    "money",
    "pump",
    "priming",
    "freedoms",
    "it",
    "they",
    "had",
)
QUESTION = ("how", "did", "the", "target", "work", "what", "about", "partners", "and", "why")


@dataclass
class Timing:
    """Wall-clock percentiles, and the same for this process's CPU time (what the call costs
    when the machine is shared: on a busy host the wall clock also counts waiting)."""

    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    mean_quotes: float

    def line(self, label: str) -> str:
        return (
            f"{label:<40} {self.runs:>5} {self.p50_ms:>8.1f} {self.p95_ms:>8.1f} "
            f"{self.max_ms:>8.1f} {self.cpu_p50_ms:>8.1f} {self.cpu_p95_ms:>8.1f} "
            f"{self.mean_quotes:>8.0f}"
        )


@dataclass
class QuotesBench:
    codings: int
    codes: int
    cases: int
    documents: int
    build_seconds: float
    quotes_for_code: Timing
    quotes_page: Timing
    quotes_for_theme: Timing
    boolean_and: Timing
    matrix_segments_seconds: float
    matrix_documents_seconds: float
    matrix_with_ids_seconds: float
    matrix_cpu_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        head = (
            f"{'measure':<40} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
            f"{'cpu p50':>8} {'cpu p95':>8} {'quotes':>8}"
        )
        return "\n".join(
            [
                f"scratch project: {self.codings:,} codings, {self.codes} codes, "
                f"{self.cases} cases, {self.documents} documents "
                f"(built in {self.build_seconds:.1f} s)",
                head,
                "-" * len(head),
                self.quotes_for_code.line("quotes for a code (p95 < 100 ms)"),
                self.quotes_page.line("the same, first page of 100 (web page)"),
                self.quotes_for_theme.line("quotes for a theme and its 9 sub-codes"),
                self.boolean_and.line("Boolean A AND B"),
                f"matrix 100 codes x 50 cases (target < 1 s): segments "
                f"{self.matrix_segments_seconds:.2f} s (cpu {self.matrix_cpu_seconds:.2f} s), "
                f"documents {self.matrix_documents_seconds:.2f} s, with each cell's coding ids "
                f"{self.matrix_with_ids_seconds:.2f} s",
            ]
        )


def build(session: Session, codings: int, seed: int = 0) -> Project:
    """Fill an empty database with the generated project; returns it."""
    rng = random.Random(seed)
    project = Project(slug="bench", title="Quotes benchmark")
    coders = [User(username=name) for name in ("alice", "bob", "consensus")]
    session.add_all([project, *coders])
    session.flush()
    parents = [
        Code(project_id=project.id, name=f"Theme {t + 1}", position=t) for t in range(THEMES)
    ]
    session.add_all(parents)
    session.flush()
    leaves = [
        Code(project_id=project.id, parent_id=p.id, name=f"Code {t + 1}.{s + 1}", position=s)
        for t, p in enumerate(parents)
        for s in range(SUBCODES)
    ]
    cases = [Case(project_id=project.id, name=f"Authority {c + 1:02d}") for c in range(CASES)]
    session.add_all([*leaves, *cases])
    session.flush()
    documents, turns = [], []
    for case in cases:
        for d in range(DOCUMENTS_PER_CASE):
            text, spans = _interview(rng)
            documents.append(
                Document(
                    project_id=project.id,
                    case_id=case.id,
                    sha256="-",
                    title=f"{case.name} interview {d + 1}",
                    text=text,
                    turn_count=len(spans),
                )
            )
            turns.append(spans)
    session.add_all(documents)
    session.flush()
    session.execute(
        insert(Turn),
        [
            {
                "document_id": doc.id,
                "index": i,
                "start": a,
                "end": b,
                "is_interviewer": i % 2 == 0,
                "speaker": "Interviewer" if i % 2 == 0 else "Respondent",
            }
            for doc, spans in zip(documents, turns, strict=True)
            for i, (a, b) in enumerate(spans)
        ],
    )
    rows = []
    for _ in range(codings):
        index = rng.randrange(len(documents))
        doc, spans = documents[index], turns[index]
        a, b = spans[rng.randrange(len(spans))]
        start = rng.randrange(a, max(a + 1, b - 20))
        end = min(b, start + rng.randint(20, 240))
        coder = rng.choice(coders)
        rows.append(
            {
                "document_id": doc.id,
                "code_id": rng.choice(leaves).id,
                "coder_id": coder.id,
                "start": start,
                "end": end,
                "quote": doc.text[start:end],
                "origin": Origin.ADJUDICATION if coder.username == "consensus" else Origin.MANUAL,
            }
        )
    for chunk in range(0, len(rows), 20_000):
        session.execute(insert(Coding), rows[chunk : chunk + 20_000])
    return project


def _interview(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    lines, spans, pos = [], [], 0
    for i in range(TURNS):
        label = "Interviewer: " if i % 2 == 0 else "Respondent: "
        words = " ".join(
            rng.choices(
                QUESTION if i % 2 == 0 else WORDS,
                k=rng.randint(6, 14) if i % 2 == 0 else rng.randint(20, 90),
            )
        )
        spans.append((pos + len(label), pos + len(label) + len(words)))
        lines.append(label + words)
        pos += len(label) + len(words) + 1
    return "\n".join(lines), spans


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))], 1)


def _time(factory: Callable[[], Session], calls: list[Callable[[Session], int]]) -> Timing:
    times, cpu, counts = [], [], []
    for call in calls:
        with factory() as session:
            started, cpu_started = time.perf_counter(), time.process_time()
            counts.append(call(session))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return Timing(
        len(times),
        _percentile(times, 0.5),
        _percentile(times, 0.95),
        round(max(times), 1),
        _percentile(cpu, 0.5),
        _percentile(cpu, 0.95),
        statistics.fmean(counts),
    )


def run(
    codings: int = 200_000, *, seed: int = 0, repeat: int = 2, directory: Path | None = None
) -> QuotesBench:
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        started = time.perf_counter()
        with Session(engine) as session:
            project = build(session, codings, seed)
            session.commit()
            project_id = project.id
        build_seconds = time.perf_counter() - started
        gc.collect()  # time the queries, not the clean-up after building

        def factory() -> Session:
            return Session(engine, expire_on_commit=False)

        with factory() as session:
            proj = session.get(Project, project_id)
            assert proj is not None
            codes = list(session.scalars(select(Code).where(Code.project_id == project_id)))
        leaves = [c.id for c in codes if c.parent_id is not None]
        themes = [c.id for c in codes if c.parent_id is None]
        pairs = [(leaves[i], leaves[(i * 7 + 3) % len(leaves)]) for i in range(0, len(leaves), 3)]

        def quotes(code_id: int, limit: int | None = None) -> Callable[[Session], int]:
            return lambda s: (
                find_quotes(
                    s, _project(s, project_id), QuoteQuery(code_ids=(code_id,)), limit=limit
                ).segments
            )

        def both(a: int, b: int) -> Callable[[Session], int]:
            return lambda s: (
                find_quotes(
                    s, _project(s, project_id), QuoteQuery(expression=f"{a} AND {b}")
                ).segments
            )

        for_code = _time(factory, [quotes(c) for c in leaves] * repeat)
        page = _time(factory, [quotes(c, 100) for c in leaves] * repeat)
        for_theme = _time(factory, [quotes(c) for c in themes] * repeat)
        boolean = _time(factory, [both(a, b) for a, b in pairs])
        matrix: dict[str, float] = {}
        for label, count, ids in (
            ("segments", "segments", False),
            ("documents", "documents", False),
            ("ids", "segments", True),
        ):
            with factory() as session:
                started, cpu_started = time.perf_counter(), time.process_time()
                code_matrix(
                    session, _project(session, project_id), cols="cases", count=count, with_ids=ids
                )
                matrix[label] = round(time.perf_counter() - started, 3)
                matrix[f"{label} cpu"] = round(time.process_time() - cpu_started, 3)
        engine.dispose()
    return QuotesBench(
        codings,
        len(codes),
        CASES,
        CASES * DOCUMENTS_PER_CASE,
        round(build_seconds, 1),
        for_code,
        page,
        for_theme,
        boolean,
        matrix["segments"],
        matrix["documents"],
        matrix["ids"],
        matrix["segments cpu"],
    )


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    assert project is not None
    return project
