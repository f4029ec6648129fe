"""``qualcode bench web``: simulated coders against the real server on loopback.

Builds a scratch project (SQLite file or PostgreSQL database; by default 50 transcripts of
5,000 words imported through the real import, 20 codings each, 100 codes, one account per
coder), starts the production server in a subprocess — ``qualcode serve`` (waitress) or
``gunicorn -w 4 'webui:create_app()'`` with ``QUALCODE_DATABASE_URL`` and
``QUALCODE_SECRET_KEY`` — opens every document twice to warm it up, signs the coders in a
quarter of a second apart (sign-ins are timed apart from the rest), then runs them
(:mod:`qualcode.bench.webclient`) for the given time, each in its own thread with its own
session. Reports requests, errors and latency percentiles per kind of request, and the
throughput; then checks that nothing was lost: the codings in the database are exactly those
there before, plus every coding a coder was told was applied, minus every one it removed (a
coding is known by its document, code, coder and span: ids may be reused after a removal).

Targets (issue 9): no errors, p95 under 200 ms.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qualcode.bench import seeding
from qualcode.bench.latency import Latency
from qualcode.bench.scratch import scratch_database
from qualcode.bench.webclient import MIX, BenchDocument, Coder, CodingKey, Tally, warm_up
from qualcode.db.engine import make_engine, make_sessionmaker
from qualcode.db.migrate import upgrade
from qualcode.errors import QualcodeError
from qualcode.models import Coding, Document, Turn
from qualcode.text.spans import Utf16Index

SERVERS = ("waitress", "gunicorn")
GUNICORN_WORKERS = 4
WAITRESS_THREADS = 8
STARTUP_SECONDS = 90
SIGN_IN_SPACING = 0.25  # seconds between two coders' sign-ins, before the measured minute
P95_TARGET_MS = 200


class ServerFailed(QualcodeError):
    """The server under test did not start or died during the benchmark."""


@dataclass
class WebBench:
    backend: str
    server: str
    server_concurrency: str
    coders: int
    seconds: float
    think_seconds: float
    documents: int
    requests: int
    errors: int
    throughput_per_second: float
    overall: Latency
    kinds: dict[str, Latency]
    kind_errors: dict[str, int]
    sign_in: Latency
    error_samples: list[str]
    codings_before: int
    codings_after: int
    applied: int  # codings applied (201 answers)
    removed: int  # codings removed (200 answers)
    lost: int  # confirmed by the server, missing from the database
    unexpected: int  # in the database, though removed or never confirmed
    cpus: int

    @property
    def passed(self) -> bool:
        return (self.errors == 0 and self.lost == 0 and self.unexpected == 0
                and self.overall.p95_ms < P95_TARGET_MS)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(passed=self.passed, p95_target_ms=P95_TARGET_MS)
        return out

    def table(self) -> str:
        head = (
            f"{'request':<10} {'count':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
            f"{'max':>7}"
        )

        def line(kind: str, lat: Latency, errors: int) -> str:
            return (
                f"{kind:<10} {lat.count:>7} {errors:>6} {lat.p50_ms:>7.1f} {lat.p95_ms:>7.1f} "
                f"{lat.p99_ms:>7.1f} {lat.max_ms:>7.1f}"
            )

        rows = [line(kind, lat, self.kind_errors.get(kind, 0)) for kind, lat in self.kinds.items()]
        verdict = "ok" if self.passed else "MISSED"
        return "\n".join(
            [
                f"{self.server} ({self.server_concurrency}) + {self.backend}: {self.coders} coders "
                f"for {self.seconds:.0f} s, think time ~{self.think_seconds:g} s, "
                f"{self.documents} documents, {self.cpus} CPUs",
                head + "   (ms)",
                "-" * len(head),
                *rows,
                line("all", self.overall, self.errors),
                line("sign-in", self.sign_in, self.kind_errors.get("sign_in", 0)),
                f"throughput {self.throughput_per_second:.1f} requests/s; errors {self.errors}; "
                f"codings {self.codings_before} before, {self.applied} applied, "
                f"{self.removed} removed, {self.codings_after} after: lost {self.lost}, "
                f"unexpected {self.unexpected}; p95 target {P95_TARGET_MS} ms: {verdict}",
                *(f"  error: {sample}" for sample in self.error_samples),
            ]
        )


def _together(calls: list[tuple[Any, tuple[Any, ...]]]) -> list[bool]:
    """Run each call in its own thread; their results, in order."""
    results = [False] * len(calls)

    def call(i: int) -> None:
        results[i] = bool(calls[i][0](*calls[i][1]))

    threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=STARTUP_SECONDS)
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command(server: str, url: str, port: int, workers: int, threads: int) -> list[str]:
    if server == "waitress":
        return [sys.executable, "-m", "qualcode", "--database", url, "serve", "--port", str(port),
                "--threads", str(threads)]  # fmt: skip
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", "webui:create_app()"]  # fmt: skip


def concurrency(server: str, workers: int, threads: int) -> str:
    if server == "waitress":
        return f"{threads} threads"
    return f"-w {workers}" + (f" --threads {threads}" if threads > 1 else "")


def start_server(
    server: str, url: str, log: Path, *, workers: int = GUNICORN_WORKERS, threads: int = 1
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the server in a subprocess and wait until it answers; returns it and its port.
    ``workers`` is gunicorn's ``-w``; ``threads`` gunicorn's ``--threads`` or waitress's."""
    if server not in SERVERS:
        raise ServerFailed(f"unknown server {server!r}: use {' or '.join(SERVERS)}")
    port = _free_port()
    env = {**os.environ, "QUALCODE_DATABASE_URL": url,
           "QUALCODE_SECRET_KEY": secrets.token_hex(32)}  # fmt: skip
    with log.open("wb") as out:
        command = _server_command(server, url, port, workers, threads)
        process = subprocess.Popen(command, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise ServerFailed(
                f"the {server} server exited with status {process.returncode}: {tail}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    return process, port
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop_server(process)
    raise ServerFailed(f"the {server} server did not answer within {STARTUP_SECONDS} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _documents(factory: Any, project_id: int) -> list[BenchDocument]:
    with factory() as session:
        docs = session.execute(
            select(Document.id, Document.text).where(Document.project_id == project_id)
        ).all()
        turns: dict[int, list[tuple[int, int]]] = {}
        for document_id, start, end in session.execute(
            select(Turn.document_id, Turn.start, Turn.end).where(
                Turn.is_interviewer.is_(False), Turn.end - Turn.start > 40
            )
        ):
            turns.setdefault(document_id, []).append((start, end))
    return [BenchDocument(d, Utf16Index(text), tuple(turns[d])) for d, text in docs if d in turns]


def _codings(factory: Any) -> set[CodingKey]:
    """Every coding, by its key (document, code, coder, start, end)."""
    with factory() as session:
        rows = session.execute(select(Coding.document_id, Coding.code_id, Coding.coder_id,
                                      Coding.start, Coding.end))  # fmt: skip
        return {(d, c, u, a, b) for d, c, u, a, b in rows}


def run(
    coders: int = 20,
    seconds: float = 60.0,
    *,
    backend: str = "sqlite",
    server: str = "waitress",
    documents: int = 50,
    words: int = 5000,
    per_document: int = 20,
    think: float = 0.5,
    workers: int = GUNICORN_WORKERS,
    threads: int | None = None,
    seed: int = 0,
    report: Any = None,
) -> WebBench:
    """Run the benchmark; ``workers`` and ``threads`` size the server (``threads`` defaults
    to 8 for waitress, 1 for gunicorn: its sync workers)."""
    say = report or (lambda _message: None)
    threads = threads or (WAITRESS_THREADS if server == "waitress" else 1)
    size = concurrency(server, workers, threads)
    with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine)
        say(f"building the project: {documents} documents, {coders} coders")
        bench = seeding.create_project(factory, coders=coders, codes=100, passwords=True)
        corpus = seeding.write_transcripts(Path(tmp) / "corpus", documents, words=words, seed=seed)
        seeding.import_transcripts(factory, bench, corpus)
        with factory() as session:
            ids = seeding.document_ids(session, bench.project_id)
        seeding.bulk_code_documents(factory, bench, ids, per_document=per_document, seed=seed)
        docs = _documents(factory, bench.project_id)
        before = _codings(factory)
        say(f"starting {server} on {backend}")
        process, port = start_server(server, url, Path(tmp) / "server.log", workers=workers,
                                     threads=threads)  # fmt: skip
        tally = Tally()
        try:
            say("warming up: every document opened twice")
            warm_up(port, bench.slug, bench.usernames[0], seeding.PASSWORD, docs)
            team = [
                Coder(port, bench.slug, name, seeding.PASSWORD, bench.code_ids, docs, tally,
                      think=think, seed=seed * 1000 + i)
                for i, name in enumerate(bench.usernames)
            ]  # fmt: skip
            say(f"{coders} coders sign in, {SIGN_IN_SPACING:g} s apart")
            signed = _together(
                [(c.sign_in, (time.monotonic() + i * SIGN_IN_SPACING,)) for i, c in enumerate(team)]
            )
            start = time.monotonic() + 0.2
            deadline = start + seconds
            spread = min(1.0, seconds / 10) / coders  # coders start a few ms apart
            working = [
                threading.Thread(target=coder.run, args=(start + i * spread, deadline),
                                 daemon=True)
                for i, coder in enumerate(team) if signed[i]
            ]  # fmt: skip
            say(f"{coders} coders at work for {seconds:g} s")
            for thread in working:
                thread.start()
            for thread in working:
                thread.join(timeout=seconds + 120)
            elapsed = time.monotonic() - start
            if process.poll() is not None:
                raise ServerFailed(f"the {server} server died during the benchmark")
        finally:
            stop_server(process)
        after = _codings(factory)
        engine.dispose()
    return _result(tally, backend=backend, server=server, size=size, coders=coders,
                   seconds=elapsed, think=think, documents=len(docs), before=before,
                   after=after)  # fmt: skip


def _result(
    tally: Tally, *, backend: str, server: str, size: str, coders: int, seconds: float,
    think: float,
    documents: int, before: set[CodingKey], after: set[CodingKey],
) -> WebBench:  # fmt: skip
    present = {key for key, kept in tally.outcome.items() if kept}
    gone = {key for key, kept in tally.outcome.items() if not kept}
    expected = (before - gone) | present
    kinds = [kind for kind, _ in MIX if kind in tally.times]
    mix = [t for kind in kinds for t in tally.times[kind]]
    errors = sum(n for kind, n in tally.errors.items() if kind != "sign_in")
    return WebBench(
        backend=backend, server=server, server_concurrency=size, coders=coders,
        seconds=round(seconds, 1), think_seconds=think, documents=documents,
        requests=len(mix), errors=errors + tally.errors.get("sign_in", 0),
        throughput_per_second=round(len(mix) / seconds, 1) if seconds else 0.0,
        overall=Latency.of(mix), kinds={kind: Latency.of(tally.times[kind]) for kind in kinds},
        kind_errors=dict(tally.errors), sign_in=Latency.of(tally.times.get("sign_in", [])),
        error_samples=list(tally.samples), codings_before=len(before), codings_after=len(after),
        applied=tally.applied, removed=tally.removed, lost=len(expected - after),
        unexpected=len(after - expected),
        cpus=os.cpu_count() or 1,
    )  # fmt: skip
