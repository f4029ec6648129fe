"""``qualcode bench scale`` end to end on a small project: every figure is measured."""

from __future__ import annotations

import json

import pytest

from qualcode.bench.scale import TARGETS, run


@pytest.mark.slow
def test_scale_bench_measures_import_quotes_pages_matrix_memory_and_size(tmp_path):
    messages: list[str] = []
    result = run(
        12,
        words=400,
        per_document=5,
        service_documents=3,
        pages=4,
        directory=tmp_path,
        keep=tmp_path / "kept.db",
        report=messages.append,
    )
    assert result.documents == 12
    assert result.transcripts_failed == 0
    assert result.codings == result.service_codings + result.bulk_codings == 60
    assert result.service_codings == 15
    assert result.quotes_page.wall.count == 2 * 100  # every code, twice
    assert result.quotes_all.mean_items > 0
    assert result.document_page.wall.count == 4
    assert result.document_page.mean_items > 1000  # bytes of HTML
    assert result.matrix_seconds > 0
    assert 0 < result.peak_memory_mb < 1024
    assert result.database_bytes > result.raw_text_bytes > 12 * 400
    assert result.import_seconds == pytest.approx(
        result.transcripts_seconds + result.service_seconds + result.bulk_seconds
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data["passed"]) == set(TARGETS)
    assert data["size_ratio"] == pytest.approx(result.size_ratio, abs=0.001)
    table = result.table()
    assert "quotes for a code, page of 100" in table
    assert "evidence matrix" in table
    assert (tmp_path / "kept.db").stat().st_size > 0
    assert any("kept the database" in m for m in messages)
    assert not list(tmp_path.glob("tmp*"))  # the scratch folder is gone
