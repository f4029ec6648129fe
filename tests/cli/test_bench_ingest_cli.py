"""``qualcode bench ingest``: a small run reports every figure per format; bad formats refused."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qualcode.cli import cli


@pytest.mark.slow
def test_bench_ingest_cli_reports_rates_memory_and_linearity():
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            "ingest",
            "--documents",
            "20",
            "--formats",
            "txt,docx",
            "--words",
            "300",
            "--workers",
            "2",
            "--json",
        ],  # fmt: skip
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["documents"], out["words"]) == (20, 300)
    assert out["machine"]["cpus"] >= 1
    assert out["machine"]["memory_gb"] > 0
    assert out["targets"]["docs_per_second"] == {"txt": 500.0, "vtt": 300.0, "docx": 100.0}
    assert [f["format"] for f in out["formats"]] == ["txt", "docx"]
    for figures in out["formats"]:
        full, tenth = figures["full"], figures["tenth"]
        assert (full["documents"], full["imported"], full["failed"]) == (20, 20, 0)
        assert (tenth["documents"], tenth["imported"]) == (2, 2)
        assert figures["docs_per_second"] > 0
        assert figures["docs_per_second"] == full["docs_per_second"]
        assert full["marginal_seconds"] < full["total_seconds"]
        assert full["steady_documents"] == 20 - 1 - 5
        assert 0 < full["steady_seconds"] < full["marginal_seconds"]
        per_document = [r["steady_seconds"] / r["steady_documents"] for r in (full, tenth)]
        assert figures["linearity"] == pytest.approx(
            per_document[0] / per_document[1] * 20 / 2, abs=0.01
        )
        assert 20 < figures["peak_mb"] < 2000
        assert figures["cpu_ms_per_document"] > figures["main_cpu_ms_per_document"] > 0
        assert isinstance(figures["meets_targets"], bool)


def test_bench_ingest_cli_refuses_an_unknown_format():
    result = CliRunner().invoke(cli, ["bench", "ingest", "--formats", "txt,pdf"])
    assert result.exit_code == 2
    assert "choose from txt, vtt, docx" in result.output
