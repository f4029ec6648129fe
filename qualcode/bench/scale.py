"""``qualcode bench scale``: a project of 10,000 interviews and 500,000 codings, end to end.

Builds a scratch database (SQLite file or PostgreSQL database), then:

1. writes ``documents`` generated transcripts of about 5,000 words as ``.txt`` files
   (50 per case) and imports them all through the real bulk import
   (``services.importing.import_paths``: parallel parsing, a transaction per file);
2. codes them: 50 codings per document over 100 codes by two coders. The first
   ``service_documents`` documents are coded through ``services.coding.apply_code`` (one call
   per coding, as the workbench and the REFI-QDA import do); the rest with multi-row inserts of
   the same rows (coding and audit event). Both rates are reported, and the time the whole
   set would take through ``apply_code`` is extrapolated from the measured rate;
3. measures, each in a fresh session as a web request has: quotes for a code (a page of 100,
   as the evidence page reads them, and every quote, as ``qualcode quotes`` does), the coding
   workbench page (rendered by the Flask app through its test client, signed in), and the
   codes × cases evidence matrix; then the peak memory and the database's size on disk
   against the raw text's.

Latencies are wall-clock; on a shared machine the CPU time of this process is given too.
Targets (issue 9): import < 15 min, quotes p95 < 200 ms, page p95 < 200 ms, matrix < 3 s,
memory < 1 GB, database < 2x the raw text.
"""

from __future__ import annotations

import os
import random
import re
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.bench import seeding
from qualcode.bench.latency import Latency
from qualcode.bench.scratch import database_bytes, scratch_database
from qualcode.db.engine import make_engine, make_sessionmaker, read_only_transactions
from qualcode.db.migrate import upgrade
from qualcode.models import Coding
from qualcode.services.matrices import code_matrix
from qualcode.services.quotes import QuoteQuery, find_quotes

Report = Callable[[str], None]
QUOTES_PAGE = 100
TARGETS = {
    "import_seconds": 15 * 60,
    "quotes_p95_ms": 200,
    "page_p95_ms": 200,
    "matrix_seconds": 3,
    "peak_memory_mb": 1024,
    "size_ratio": 2,
}


@dataclass
class Timed:
    """Wall-clock and CPU latencies of one kind of call, and the mean size of its answer."""

    wall: Latency
    cpu: Latency
    mean_items: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "wall": self.wall.to_dict(),
            "cpu": self.cpu.to_dict(),
            "mean_items": self.mean_items,
        }


@dataclass
class ScaleBench:
    backend: str
    documents: int
    words: int
    raw_text_bytes: int
    codes: int
    coders: int
    cases: int
    codings: int
    transcripts_seconds: float
    transcripts_failed: int
    service_codings: int
    service_seconds: float
    bulk_codings: int
    bulk_seconds: float
    quotes_page: Timed
    quotes_all: Timed
    document_page: Timed
    matrix_seconds: float
    matrix_cpu_seconds: float
    matrix_with_ids_seconds: float
    peak_memory_mb: float
    peak_worker_memory_mb: float
    database_bytes: int
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def import_seconds(self) -> float:
        """Transcripts through the real import, codings as measured (service + bulk)."""
        return self.transcripts_seconds + self.service_seconds + self.bulk_seconds

    @property
    def all_service_seconds(self) -> float:
        """Transcripts, plus every coding at the measured ``apply_code`` rate."""
        rate = self.service_codings / self.service_seconds if self.service_seconds else 0.0
        return self.transcripts_seconds + (self.codings / rate if rate else 0.0)

    @property
    def size_ratio(self) -> float:
        return self.database_bytes / self.raw_text_bytes if self.raw_text_bytes else 0.0

    def checks(self) -> dict[str, bool]:
        values = {
            "import_seconds": self.import_seconds,
            "quotes_p95_ms": self.quotes_page.wall.p95_ms,
            "page_p95_ms": self.document_page.wall.p95_ms,
            "matrix_seconds": self.matrix_seconds,
            "peak_memory_mb": max(self.peak_memory_mb, self.peak_worker_memory_mb),
            "size_ratio": self.size_ratio,
        }
        return {key: values[key] < limit for key, limit in TARGETS.items()}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("quotes_page", "quotes_all", "document_page"):
            out[key] = getattr(self, key).to_dict()
        out.update(
            import_seconds=round(self.import_seconds, 1),
            all_service_seconds=round(self.all_service_seconds, 1),
            size_ratio=round(self.size_ratio, 3),
            targets=TARGETS,
            passed=self.checks(),
        )
        return out

    def table(self) -> str:
        ok = {k: "ok" if v else "MISSED" for k, v in self.checks().items()}
        mb = 1024 * 1024

        def rate(n: int, seconds: float) -> str:
            return f"{n / seconds:,.0f}/s" if seconds else "-"

        def timed(label: str, t: Timed, check: str = "") -> str:
            return (
                f"{label:<44} p50 {t.wall.p50_ms:>7.1f}  p95 {t.wall.p95_ms:>7.1f}  "
                f"p99 {t.wall.p99_ms:>7.1f} ms  (cpu p95 {t.cpu.p95_ms:.1f}; n={t.wall.count}) "
                f"{check}"
            )

        return "\n".join(
            [
                f"backend {self.backend}: {self.documents:,} documents, {self.words:,} words "
                f"({self.raw_text_bytes / mb:,.0f} MB of text), {self.cases} cases, "
                f"{self.codes} codes, {self.coders} coders, {self.codings:,} codings "
                f"({self.cpus} CPUs)",
                f"transcripts, real import path          {self.transcripts_seconds:>8.1f} s  "
                f"{rate(self.documents, self.transcripts_seconds)} documents "
                f"({self.transcripts_failed} failed)",
                f"codings through apply_code             {self.service_seconds:>8.1f} s  "
                f"{rate(self.service_codings, self.service_seconds)} ({self.service_codings:,})",
                f"codings, multi-row inserts             {self.bulk_seconds:>8.1f} s  "
                f"{rate(self.bulk_codings, self.bulk_seconds)} ({self.bulk_codings:,})",
                f"import total (target < 15 min)         {self.import_seconds:>8.1f} s  "
                f"{ok['import_seconds']}; every coding through apply_code would take "
                f"{self.all_service_seconds:,.0f} s",
                timed("quotes for a code, page of 100 (< 200 ms)", self.quotes_page,
                      ok["quotes_p95_ms"]),
                timed(f"quotes for a code, all (~{self.quotes_all.mean_items:,.0f})",
                      self.quotes_all),
                timed("document page (< 200 ms)", self.document_page, ok["page_p95_ms"]),
                f"evidence matrix codes x cases (< 3 s)  {self.matrix_seconds:>8.2f} s  "
                f"(cpu {self.matrix_cpu_seconds:.2f} s; with cell ids "
                f"{self.matrix_with_ids_seconds:.2f} s) {ok['matrix_seconds']}",
                f"peak memory (< 1 GB)                   {self.peak_memory_mb:>8.0f} MB "
                f"(parsing workers {self.peak_worker_memory_mb:.0f} MB) {ok['peak_memory_mb']}",
                f"database size (< 2x text)              {self.database_bytes / mb:>8.0f} MB "
                f"= {self.size_ratio:.2f}x the raw text {ok['size_ratio']}",
            ]
        )  # fmt: skip


def _timed(factory: sessionmaker[Session], calls: list[Callable[[Session], int]]) -> Timed:
    wall, cpu, items = [], [], []
    for call in calls:
        with read_only_transactions(), factory() as session:
            started, cpu_started = time.perf_counter(), time.process_time()
            items.append(call(session))
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
    return Timed(Latency.of(wall), Latency.of(cpu), round(sum(items) / max(1, len(items)), 1))


@contextmanager
def _secret_key() -> Iterator[None]:
    """A throwaway signing key for the in-process app (so nothing is written to ~/.config)."""
    saved = os.environ.get("QUALCODE_SECRET_KEY")
    os.environ["QUALCODE_SECRET_KEY"] = os.urandom(16).hex()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("QUALCODE_SECRET_KEY", None)
        else:
            os.environ["QUALCODE_SECRET_KEY"] = saved


def _page_times(url: str, bench: seeding.BenchProject, documents: list[int]) -> Timed:
    """GET the coding workbench of each document through the Flask test client, signed in."""
    from webui import create_app

    with _secret_key():
        app = create_app({"DATABASE_URL": url, "SKIP_SCHEMA_CHECK": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "the sign-in page carries a CSRF token"
    signed_in = client.post(
        "/login",
        data={"username": bench.usernames[0], "password": seeding.PASSWORD,
              "csrf_token": token.group(1)},
    )  # fmt: skip
    assert signed_in.status_code == 302, "the benchmark's coder can sign in"
    wall, cpu, sizes = [], [], []
    for document_id in documents:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(f"/p/{bench.slug}/documents/{document_id}")
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, f"document {document_id}: {response.status_code}"
        sizes.append(len(response.data))
    app.extensions["qualcode.engine"].dispose()
    return Timed(Latency.of(wall), Latency.of(cpu), round(sum(sizes) / len(sizes)))


def _memory_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def run(
    documents: int = 10_000,
    *,
    backend: str = "sqlite",
    words: int = 5000,
    per_document: int = 50,
    codes: int = 100,
    service_documents: int | None = None,
    pages: int = 100,
    seed: int = 0,
    directory: Path | None = None,
    keep: Path | None = None,
    report: Report | None = None,
) -> ScaleBench:
    """Build the project in a scratch database, measure, and drop the database (with ``keep``,
    a SQLite database is copied to that file and a PostgreSQL one is left in place)."""
    say = report or (lambda _message: None)
    if service_documents is None:
        service_documents = max(10, documents // 50)
    service_documents = min(service_documents, documents)
    with (
        tempfile.TemporaryDirectory(dir=directory) as tmp,
        scratch_database(backend, Path(tmp)) as url,
    ):
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine)
        bench = seeding.create_project(factory, coders=2, codes=codes, passwords=True)
        say(f"writing {documents:,} transcripts of ~{words:,} words")
        corpus = seeding.write_transcripts(Path(tmp) / "corpus", documents, words=words, seed=seed)

        say("importing them (qualcode import)")
        started = time.perf_counter()
        summary = seeding.import_transcripts(
            factory, bench, corpus, on_progress=_every(documents, say, "imported")
        )
        transcripts_seconds = time.perf_counter() - started
        with factory() as session:
            ids = seeding.document_ids(session, bench.project_id)

        say(f"coding {service_documents:,} documents through apply_code")
        started = time.perf_counter()
        service_codings = seeding.code_documents(
            factory, bench, ids[:service_documents], per_document=per_document, seed=seed
        )
        service_seconds = time.perf_counter() - started
        say(f"coding {len(ids) - service_documents:,} documents with multi-row inserts")
        started = time.perf_counter()
        bulk_codings = seeding.bulk_code_documents(
            factory, bench, ids[service_documents:], per_document=per_document, seed=seed,
            on_progress=_every(len(ids) - service_documents, say, "coded"),
        )  # fmt: skip
        bulk_seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        with factory() as session:
            codings = session.scalar(select(func.count()).select_from(Coding)) or 0

        say("measuring quotes, pages and the matrix")
        quotes_page, quotes_all = _quotes(factory, bench)
        rng = random.Random(seed)
        document_page = _page_times(url, bench, [rng.choice(ids) for _ in range(pages)])
        matrix = _matrix(factory, bench)
        size = database_bytes(engine)
        engine.dispose()
        if keep is not None:
            say(f"kept the database: {_keep(url, keep)}")
    return ScaleBench(
        backend=backend, documents=documents, words=corpus.words,
        raw_text_bytes=corpus.raw_bytes, codes=codes, coders=2,
        cases=len(set(corpus.cases_by_title.values())), codings=codings,
        transcripts_seconds=round(transcripts_seconds, 1),
        transcripts_failed=len(summary.of("failed")),
        service_codings=service_codings, service_seconds=round(service_seconds, 1),
        bulk_codings=bulk_codings, bulk_seconds=round(bulk_seconds, 1),
        quotes_page=quotes_page, quotes_all=quotes_all, document_page=document_page,
        matrix_seconds=matrix[0], matrix_cpu_seconds=matrix[1], matrix_with_ids_seconds=matrix[2],
        peak_memory_mb=round(_memory_mb(resource.RUSAGE_SELF)),
        peak_worker_memory_mb=round(_memory_mb(resource.RUSAGE_CHILDREN)),
        database_bytes=size,
    )  # fmt: skip


def _keep(url: str, target: Path) -> str:
    if not url.startswith("sqlite"):
        return url
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return str(target)


def _every(total: int, say: Report, verb: str) -> Callable[[int, int], None]:
    step = max(1, total // 10)

    def progress(done: int, _total: int) -> None:
        if done % step == 0 or done == total:
            say(f"  {verb} {done:,} of {total:,}")

    return progress


def _quotes(factory: sessionmaker[Session], bench: seeding.BenchProject) -> tuple[Timed, Timed]:
    def quotes(code_id: int, limit: int | None) -> Callable[[Session], int]:
        def call(session: Session) -> int:
            project = seeding.project_of(session, bench)
            query = QuoteQuery(code_ids=(code_id,))
            return len(find_quotes(session, project, query, limit=limit).quotes)

        return call

    codes = list(bench.code_ids)
    page = _timed(factory, [quotes(c, QUOTES_PAGE) for c in codes * 2])
    every = _timed(factory, [quotes(c, None) for c in codes[:: max(1, len(codes) // 20)]])
    return page, every


def _matrix(factory: sessionmaker[Session], bench: seeding.BenchProject) -> tuple[float, ...]:
    out = []
    for with_ids in (False, True):
        with read_only_transactions(), factory() as session:
            started, cpu_started = time.perf_counter(), time.process_time()
            code_matrix(session, seeding.project_of(session, bench), cols="cases",
                        with_ids=with_ids)  # fmt: skip
            out += [time.perf_counter() - started, time.process_time() - cpu_started]
    return round(out[0], 2), round(out[1], 2), round(out[2], 2)
