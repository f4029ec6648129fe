"""read_many: parallel reading in input order; a failing file never stops the batch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import batch
from qualcode.ingest.batch import CRASHED, read_many
from qualcode.text.transcript import Transcript


def _files(tmp_path: Path, count: int = 9) -> list[Path]:
    paths = []
    for index in range(count):
        path = tmp_path / f"doc{index}.txt"
        if index % 4 == 2:
            path.write_bytes(b"\x00\x01\x02\x03" * 50)  # binary: refused
        else:
            path.write_text(f"Interviewer: Question {index}?\nR{index}: Answer {index}.\n")
        paths.append(path)
    return paths


def _check(paths: list[Path], results: list[tuple[Path, Transcript | InvalidImport]]) -> None:
    assert [path for path, _ in results] == paths
    for index, (path, result) in enumerate(results):
        if index % 4 == 2:
            assert isinstance(result, InvalidImport)
            assert result.reason == "binary data, not text"
            assert result.path == str(path)
        else:
            assert isinstance(result, Transcript)
            assert result.text == f"Interviewer: Question {index}?\nR{index}: Answer {index}."


def test_read_many_in_process(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    _check(paths, list(read_many(paths, workers=1)))


def test_read_many_with_two_workers_keeps_order(tmp_path: Path) -> None:
    paths = _files(tmp_path, 40)
    _check(paths, list(read_many(paths, workers=2)))


def test_read_many_passes_options(tmp_path: Path) -> None:
    paths = _files(tmp_path, 2)
    results = dict(read_many(paths, workers=2, max_bytes=10, interviewer_labels=["r1"]))
    assert all(
        isinstance(r, InvalidImport) and "over the 10 bytes limit" in r.reason
        for r in results.values()
    )
    ((_, only),) = read_many(paths[1:], interviewer_labels=["r1"])
    assert isinstance(only, Transcript)
    assert only.turns[1].is_interviewer


batch_reader = batch.read_transcript  # the real reader, kept before the test replaces it


def _crash_on_doc3(path: Path, **options: object) -> Transcript:
    if path.name == "doc3.txt":
        os._exit(1)  # a parser crash takes the whole worker process down
    return batch_reader(path, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [6, 40])  # one file per task; several per task
def test_read_many_survives_a_crashing_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    paths = _files(tmp_path, count)
    monkeypatch.setattr(batch, "read_transcript", _crash_on_doc3)
    results = list(read_many(paths, workers=2))
    assert [path for path, _ in results] == paths
    crashed = results[3][1]
    assert isinstance(crashed, InvalidImport)
    assert crashed.reason == CRASHED
    others = [r for i, (_, r) in enumerate(results) if i != 3 and i % 4 != 2]
    assert all(isinstance(r, Transcript) for r in others)
