"""``qualcode bench ingest``: how fast a whole bulk import runs, per format.

For each format it writes a corpus of generated interviews (about 5,000 words each, realistic
turns: :func:`qualcode.bench.corpus.write_corpus`), then imports it into a scratch SQLite
project through the real bulk import (:func:`qualcode.services.importing.import_paths`, what
``qualcode import`` calls): once with a tenth of the documents, once with all of them. Each
import runs in a fresh process, so that its peak memory is its own.

Figures per format:

- the marginal rate, documents per second from the first file's result to the last one's
  (start-up — importing modules, starting the parser processes — excluded);
- the time linearity: how much longer 10x the documents take (at most 11x the time), from the
  time per document of each run's last three quarters. The first quarter is left out because
  when the first result arrives the parser processes are already a few batches ahead, a head
  start worth a tenth of the short run but nothing of the long one; measuring it would report
  the short run as faster per document than it is. The tenth is imported five times and its
  median run compared, since a run of a fraction of a second is at the mercy of one hiccup;
- the peak memory: the importing process's peak resident set plus its largest parser
  process's, times the number of parsers (an upper bound: shared pages count once per
  process);
- the CPU time per document over all processes, and of the importing process alone (reading
  the parsers' results and storing them: serial work that bounds the rate whatever the number
  of cores). CPU time depends much less than the wall clock on what else the machine is doing;
  the load average at the start is reported with the figures.

Targets (issue 10, on 2 cores): txt 500, vtt 300, docx 100 documents/s; peak under 400 MB.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qualcode.bench.corpus import FORMATS, write_corpus

TARGETS = {"txt": 500.0, "vtt": 300.0, "docx": 100.0}
MEMORY_TARGET_MB = 400.0
LINEARITY_TARGET = 11.0
TENTH_RUNS = 5
_KB = 1024


@dataclass
class ImportRun:
    """One timed import of ``documents`` files."""

    documents: int
    imported: int
    failed: int
    startup_seconds: float  # from the call to the first file's result
    marginal_seconds: float  # from the first file's result to the last one's
    total_seconds: float
    cpu_seconds: float  # this process and its parsers
    main_cpu_seconds: float  # this process alone: storing is serial, so it bounds the rate
    main_peak_mb: float
    parser_peak_mb: float
    workers: int
    steady_seconds: float = 0.0  # the last three quarters: from result n/4 to the last one's
    steady_documents: int = 0  # documents stored in that time

    @property
    def steady_per_document(self) -> float | None:
        if self.steady_documents < 1 or self.steady_seconds <= 0:
            return None
        return self.steady_seconds / self.steady_documents

    @property
    def rate(self) -> float:
        """Marginal documents per second."""
        if self.documents < 2 or self.marginal_seconds <= 0:
            return 0.0
        return (self.documents - 1) / self.marginal_seconds

    @property
    def peak_mb(self) -> float:
        return self.main_peak_mb + self.workers * self.parser_peak_mb


@dataclass
class FormatFigures:
    format: str
    full: ImportRun
    tenth: ImportRun

    @property
    def target(self) -> float:
        return TARGETS.get(self.format, 0.0)

    @property
    def linearity(self) -> float | None:
        """How many times longer the full corpus takes than the tenth, per its size: the time
        per document in the steady state (last three quarters) of each run, times the ratio of
        their sizes (10.0 is perfectly linear)."""
        full, tenth = self.full.steady_per_document, self.tenth.steady_per_document
        if full is None or tenth is None or tenth <= 0:
            return None
        return full / tenth * self.full.documents / self.tenth.documents

    @property
    def meets_targets(self) -> bool:
        linear = self.linearity is not None and self.linearity <= LINEARITY_TARGET
        return self.full.rate >= self.target and self.full.peak_mb < MEMORY_TARGET_MB and linear

    def to_dict(self) -> dict[str, Any]:
        def run(r: ImportRun) -> dict[str, Any]:
            return {
                **asdict(r),
                "docs_per_second": round(r.rate, 1),
                "peak_mb": round(r.peak_mb, 1),
            }

        return {
            "format": self.format,
            "documents": self.full.documents,
            "docs_per_second": round(self.full.rate, 1),
            "target_docs_per_second": self.target,
            "linearity": None if self.linearity is None else round(self.linearity, 2),
            "peak_mb": round(self.full.peak_mb, 1),
            "cpu_ms_per_document": round(1000 * self.full.cpu_seconds / self.full.documents, 2),
            "main_cpu_ms_per_document": round(
                1000 * self.full.main_cpu_seconds / self.full.documents, 2
            ),
            "meets_targets": self.meets_targets,
            "full": run(self.full),
            "tenth": run(self.tenth),
        }


@dataclass
class Machine:
    cpus: int
    memory_gb: float
    load_average: float

    @classmethod
    def here(cls) -> Machine:
        from qualcode.ingest.batch import default_workers

        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return cls(default_workers(), round(pages / 1024**3, 1), round(os.getloadavg()[0], 2))


@dataclass
class IngestBench:
    documents: int
    words: int
    machine: Machine
    formats: list[FormatFigures]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "words": self.words,
            "machine": asdict(self.machine),
            "targets": {
                "docs_per_second": TARGETS,
                "peak_mb": MEMORY_TARGET_MB,
                "linearity": LINEARITY_TARGET,
            },
            "formats": [f.to_dict() for f in self.formats],
        }

    def table(self) -> str:
        m = self.machine
        lines = [
            f"{self.documents} documents of about {self.words:,} words per format; machine: "
            f"{m.cpus} CPUs, {m.memory_gb:g} GB, load average {m.load_average:g} at the start",
            f"{'format':<7}{'docs/s':>8}{'target':>8}{'N/10 docs/s':>13}{'linearity':>11}"
            f"{'CPU ms/doc':>12}{'of which storing':>18}{'peak MB':>9}{'start s':>9}  ok",
        ]
        for f in self.formats:
            linearity = "-" if f.linearity is None else f"{f.linearity:.2f}"
            cpu = 1000 * f.full.cpu_seconds / f.full.documents
            main = 1000 * f.full.main_cpu_seconds / f.full.documents
            lines.append(
                f"{f.format:<7}{f.full.rate:>8.1f}{f.target:>8.0f}{f.tenth.rate:>13.1f}"
                f"{linearity:>11}{cpu:>12.2f}{main:>18.2f}{f.full.peak_mb:>9.0f}"
                f"{f.full.startup_seconds:>9.2f}  {'yes' if f.meets_targets else 'NO'}"
            )
            failed = f.full.failed + f.tenth.failed
            if failed:
                lines.append(f"  {failed} files failed to import")
        lines.append(
            f"targets: docs/s as shown, linearity <= {LINEARITY_TARGET:g} "
            f"(10x the documents), peak < {MEMORY_TARGET_MB:g} MB"
        )
        return "\n".join(lines)


def run(
    documents: int = 1000,
    formats: Sequence[str] = FORMATS,
    *,
    words: int = 5000,
    workers: int | None = None,
    seed: int = 0,
    say: Callable[[str], None] | None = None,
) -> IngestBench:
    """Generate, import and measure each format in a temporary folder (removed afterwards)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        from qualcode.errors import InvalidInput

        raise InvalidInput(f"unknown format {unknown[0]!r} (use {', '.join(FORMATS)})")
    note = say or (lambda _message: None)
    machine = Machine.here()
    tenth = max(2, documents // 10)
    figures = []
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-ingest-") as tmp:
        for fmt in formats:
            note(f"{fmt}: writing {documents} transcripts")
            paths = write_corpus(Path(tmp) / fmt, documents, fmt, words, seed)
            note(f"{fmt}: importing {tenth}, {TENTH_RUNS} times")
            smalls = [
                _measure(Path(tmp) / f"{fmt}-tenth-{i}.db", paths[:tenth], workers)
                for i in range(TENTH_RUNS)
            ]  # a short run is at the mercy of one hiccup: the median run is compared
            small = sorted(smalls, key=lambda r: r.steady_seconds)[TENTH_RUNS // 2]
            note(f"{fmt}: importing {documents}")
            full = _measure(Path(tmp) / f"{fmt}-full.db", paths, workers)
            figures.append(FormatFigures(fmt, full, small))
    return IngestBench(documents, words, machine, figures)


def _measure(database: Path, paths: list[Path], workers: int | None) -> ImportRun:
    """Run :func:`_import_in_child` in a fresh process and return what it measured."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_import_in_child, args=(send, f"sqlite:///{database}", paths, workers)
    )
    child.start()
    send.close()
    try:
        outcome: dict[str, Any] | str = receive.recv()
    except EOFError:
        outcome = "the import process died"
    child.join()
    if isinstance(outcome, str):
        raise RuntimeError(f"bench import failed: {outcome}")
    return ImportRun(**outcome)


def _import_in_child(send: Any, url: str, paths: list[Path], workers: int | None) -> None:
    try:
        send.send(_import(url, paths, workers))
    except Exception as exc:  # reported to the parent, which raises it
        send.send(f"{type(exc).__name__}: {exc}")
    finally:
        send.close()


def _import(url: str, paths: list[Path], workers: int | None) -> dict[str, Any]:
    """Import ``paths`` into a new project of a new database; timings and resource use."""
    from qualcode.db.engine import make_engine, make_sessionmaker
    from qualcode.db.migrate import upgrade
    from qualcode.ingest.batch import default_workers
    from qualcode.services.importing import FileResult, import_paths
    from qualcode.services.projects import create_project

    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        project_id = create_project(session, "bench", title="Ingest benchmark").id
    stamps: list[float] = []

    def seen(_result: FileResult) -> None:
        stamps.append(time.perf_counter())

    cpu_before = _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))
    started = time.perf_counter()
    summary = import_paths(factory, project_id, paths, workers=workers, on_result=seen)
    finished = time.perf_counter()
    engine.dispose()
    me = resource.getrusage(resource.RUSAGE_SELF)
    parsers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parser processes, ended
    used_workers = min(workers or default_workers(), len(paths))
    return {
        "documents": len(paths),
        "imported": len(summary.of("imported")),
        "failed": len(summary.of("failed")),
        "startup_seconds": stamps[0] - started if stamps else 0.0,
        "marginal_seconds": stamps[-1] - stamps[0] if stamps else 0.0,
        "steady_seconds": stamps[-1] - stamps[len(stamps) // 4] if stamps else 0.0,
        "steady_documents": len(stamps) - 1 - len(stamps) // 4 if stamps else 0,
        "total_seconds": finished - started,
        "cpu_seconds": _cpu_seconds(me) - cpu_before + _cpu_seconds(parsers),
        "main_cpu_seconds": _cpu_seconds(me) - cpu_before,
        "main_peak_mb": me.ru_maxrss / _KB,
        "parser_peak_mb": parsers.ru_maxrss / _KB if used_workers > 1 else 0.0,
        "workers": used_workers if used_workers > 1 else 0,
    }


def _cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime
