"""Reading many transcripts in parallel: results in input order, a failure never stops the rest.

Parsing is CPU-bound, so files are read in worker processes, a few files per task to keep the
inter-process overhead small. Each file yields its :class:`Transcript` or the
:class:`InvalidImport` that explains why it cannot be imported. If a worker process dies (a
crash in a parser), every file then in flight is re-read alone in a fresh pool, so only the
file that crashes on its own is reported. Storing the results (one transaction per file,
duplicates by SHA-256, progress) is the services' job; this module stays pure.
"""

from __future__ import annotations

import importlib
import os
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Literal

from qualcode.errors import InvalidImport
from qualcode.ingest import DEFAULT_MAX_BYTES, read_transcript
from qualcode.text.transcript import Transcript, TurnData

Result = Transcript | InvalidImport
# Workers send plain tuples, which pickle several times faster than dataclasses:
# a transcript as (text, turns, source_type, encoding, warnings, title, words), a refusal as
# (reason, path, location) since InvalidImport does not survive pickling with its path.
_Turn = tuple[int, int, str | None, float | None, bool]
_Packed = tuple[str, list[_Turn], str, str | None, list[str], str | None, int]
_Refused = tuple[str, str | None, str | None]
_Sent = tuple[Literal[True], _Packed] | tuple[Literal[False], _Refused]

MAX_FILES_PER_TASK = 8
MAX_RESTARTS = 3  # consecutive pool failures with nothing read before reading in-process
CRASHED = "the reader crashed on this file"


def _read_one(path: Path, max_bytes: int, interviewer_labels: Collection[str]) -> _Sent:
    try:
        transcript = read_transcript(
            path, max_bytes=max_bytes, interviewer_labels=interviewer_labels
        )
    except InvalidImport as error:
        return False, (error.reason, error.path, error.location)
    except Exception as error:  # a reader bug must not stop the batch: report it with the file
        reason = f"unexpected error while reading ({type(error).__name__}: {error})"
        return False, (reason, str(path), None)
    turns = [(t.start, t.end, t.speaker, t.timestamp, t.is_interviewer) for t in transcript.turns]
    t = transcript  # the words are counted here, in the parser process, not by the storer
    return True, (t.text, turns, t.source_type, t.encoding, t.warnings, t.title, t.word_count)


def _read_batch(
    paths: Sequence[Path], max_bytes: int, interviewer_labels: Collection[str]
) -> list[_Sent]:
    return [_read_one(path, max_bytes, interviewer_labels) for path in paths]


def _received(sent: _Sent) -> Result:
    if sent[0]:
        text, turns, source_type, encoding, warnings, title, words = sent[1]
        turn_data = [TurnData(*turn) for turn in turns]
        return Transcript(text, turn_data, source_type, encoding, warnings, title, words)
    reason, path, location = sent[1]
    return InvalidImport(reason, path=path, location=location)


_READERS = {
    ".docx": "qualcode.ingest.docx",
    ".odt": "qualcode.ingest.odt",
    ".rtf": "qualcode.ingest.rtf",
    ".pdf": "qualcode.ingest.pdf",
    ".txt": "qualcode.ingest.plaintext",
    ".md": "qualcode.ingest.plaintext",
    ".vtt": "qualcode.ingest.subtitles",
    ".srt": "qualcode.ingest.subtitles",
}


def _preload(suffixes: Collection[str]) -> None:
    """Import the readers a batch needs once, before the workers start (they inherit them)."""
    for suffix in suffixes:
        if suffix in _READERS:
            importlib.import_module(_READERS[suffix])


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_many(
    paths: Iterable[Path],
    *,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    interviewer_labels: Collection[str] = (),
) -> Iterator[tuple[Path, Result]]:
    """Read ``paths`` with ``workers`` processes (default: one per CPU); yield in input order.

    ``workers=1`` (or a single file) reads in this process. Options are those of
    :func:`~qualcode.ingest.read_transcript`.
    """
    paths = list(paths)
    workers = min(workers or default_workers(), len(paths))
    labels = tuple(interviewer_labels)
    if workers <= 1:
        for path in paths:
            yield path, _received(_read_one(path, max_bytes, labels))
        return
    _preload({path.suffix.lower() for path in paths})
    size = max(1, min(MAX_FILES_PER_TASK, len(paths) // (workers * 4)))
    todo = deque(paths[i : i + size] for i in range(0, len(paths), size))
    yield from _parallel(todo, workers, max_bytes, labels)


def _parallel(
    todo: deque[list[Path]], workers: int, max_bytes: int, labels: tuple[str, ...]
) -> Iterator[tuple[Path, Result]]:
    """Read batches in a pool; after a crash, re-read the suspects alone to find the culprit."""
    pool = ProcessPoolExecutor(max_workers=workers)
    in_flight: deque[tuple[list[Path], Future[list[_Sent]]]] = deque()
    suspects: set[Path] = set()  # files in flight when a worker died: re-read one at a time
    idle_breaks = 0  # the pool broke with nothing in flight: it cannot start workers
    finished = False
    try:
        while todo or in_flight:
            while todo and len(in_flight) < 2 * workers:
                alone = todo[0][0] in suspects
                if in_flight and (alone or in_flight[0][0][0] in suspects):
                    break
                batch = todo.popleft()
                try:
                    in_flight.append((batch, pool.submit(_read_batch, batch, max_bytes, labels)))
                except BrokenProcessPool:
                    todo.appendleft(batch)
                    break
                if alone:
                    break
            if not in_flight:
                idle_breaks += 1
                if idle_breaks > MAX_RESTARTS:  # no workers to be had: read here instead
                    for path in (path for batch in todo for path in batch):
                        yield path, _received(_read_one(path, max_bytes, labels))
                    todo.clear()
                    break
                pool = _restart(pool, workers)
                continue
            batch, future = in_flight.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                pool = _restart(pool, workers)
                if batch[0] in suspects and len(batch) == 1 and not in_flight:
                    suspects.discard(batch[0])  # it crashed while read alone: the culprit
                    yield batch[0], InvalidImport(CRASHED, path=str(batch[0]))
                    continue
                retry = [[p] for b in [batch, *(b for b, _ in in_flight)] for p in b]
                suspects.update(path for (path,) in retry)
                todo.extendleft(reversed(retry))
                in_flight.clear()
                continue
            idle_breaks = 0
            for path, sent in zip(batch, results, strict=True):
                suspects.discard(path)
                yield path, _received(sent)
        finished = True
    finally:  # a consumer that stops early does not wait for the files still being read
        pool.shutdown(wait=finished, cancel_futures=True)


def _restart(pool: ProcessPoolExecutor, workers: int) -> ProcessPoolExecutor:
    pool.shutdown(wait=False, cancel_futures=True)
    return ProcessPoolExecutor(max_workers=workers)
