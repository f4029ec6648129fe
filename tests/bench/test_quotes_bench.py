"""The quotes benchmark's generated project, and ``qualcode bench quotes --json``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from qualcode.bench.quotes import build
from qualcode.models import Code, Coding, Document, Turn


def test_quotes_bench_builds_a_consistent_project(session):
    project = build(session, 3000, seed=1)
    session.flush()
    codes = session.scalars(select(Code).where(Code.project_id == project.id)).all()
    assert len(codes) == 100
    assert sum(1 for c in codes if c.parent_id is None) == 10
    assert session.scalar(select(func.count()).select_from(Coding)) == 3000
    assert session.scalar(select(func.count()).select_from(Document)) == 500
    for coding in session.scalars(select(Coding).limit(200)):
        assert coding.document.text[coding.start : coding.end] == coding.quote
    turn = session.scalars(select(Turn).where(Turn.index == 1)).first()
    assert turn is not None
    assert not turn.is_interviewer
    assert turn.document.text[turn.start - len("Respondent: ") : turn.start] == "Respondent: "


@pytest.mark.slow
def test_quotes_bench_cli_reports_timings(runner):
    result = runner(["bench", "quotes", "--codings", "2000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["codings"] == 2000
    assert data["quotes_for_code"]["runs"] == 180
    assert 0 < data["quotes_for_code"]["p50_ms"] <= data["quotes_for_code"]["p95_ms"]
    assert data["quotes_for_theme"]["mean_quotes"] > data["quotes_for_code"]["mean_quotes"]
    assert data["matrix_segments_seconds"] > 0
