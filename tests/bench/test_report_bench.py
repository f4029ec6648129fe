"""The chapter-pack benchmark: its outline and pins, and ``qualcode bench report --json``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from qualcode.bench.report import PINS, prepare
from qualcode.models import ChapterSection, PinnedQuote


@pytest.mark.slow
def test_report_bench_prepares_an_outline_sized_for_the_quotes(session):
    project, codes = prepare(session, 3000, quotes=650, seed=1)
    session.flush()
    assert codes == 4  # (650 - 50 pins) / (3 per case x 50 cases)
    sections = session.scalars(select(ChapterSection).order_by(ChapterSection.position)).all()
    assert [s.number for s in sections] == ["4.1", "4.2"]
    assert [len(s.codes) for s in sections] == [2, 2]
    pins = session.scalars(select(PinnedQuote)).all()
    assert len(pins) == PINS
    assert all(p.coding.code_id in {c.id for s in sections for c in s.codes} for p in pins)
    assert project.slug == "bench"


@pytest.mark.slow
def test_report_bench_cli_times_the_pack(runner):
    result = runner(
        ["bench", "report", "--codings", "10000", "--quotes", "300", "--repeat", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["codes_in_chapter"] == 2
    assert 50 < data["quotes"] <= 350
    assert data["charts"] == 2
    assert data["agreement_documents"] > 0
    assert data["total_seconds"][0] >= data["gather_seconds"][0] > 0
    assert data["target_seconds"] == 5.0
