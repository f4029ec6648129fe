"""Killing a bulk import leaves whole documents only, and running it again resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import Document, ImportJob, Turn

N_FILES = 80


def _write_corpus(folder) -> None:
    folder.mkdir()
    for i in range(N_FILES):
        turns = []
        for t in range(120):
            speaker = "Interviewer" if t % 2 == 0 else "Respondent"
            turns.append(
                f"{speaker}: turn {t} of file {i}, about stretch targets and the reward "
                f"grant, baseline data and partnership working number {t * i}."
            )
        (folder / f"interview-{i:03d}.txt").write_text("\n".join(turns), encoding="utf-8")


@pytest.mark.slow
def test_import_killed_midway_is_consistent_and_resumable(tmp_path, engine, database_url, runner):
    assert runner(["project", "create", "bulk"]).exit_code == 0
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    args = [
        sys.executable,
        "-m",
        "qualcode",
        "--database",
        database_url,
        "import",
        "bulk",
        str(corpus),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            with Session(engine) as s:
                if (s.scalar(select(func.count()).select_from(Document)) or 0) >= 5:
                    break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    with Session(engine) as s:
        partial = s.scalar(select(func.count()).select_from(Document))
        assert 5 <= partial < N_FILES, "the import should have been killed midway"
        for doc in s.scalars(select(Document)):
            turns = s.scalar(
                select(func.count()).select_from(Turn).where(Turn.document_id == doc.id)
            )
            assert turns == doc.turn_count == 120  # whole documents only
        job = s.scalars(select(ImportJob)).one()
        assert job.status == "running"
        assert job.done <= partial + 1
    result = runner(["import", "bulk", str(corpus), "--json"])
    assert result.exit_code == 0
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == N_FILES
        titles = s.scalars(select(Document.title)).all()
        assert len(set(titles)) == N_FILES
