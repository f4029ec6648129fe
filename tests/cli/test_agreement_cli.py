"""``qualcode agreement`` and ``qualcode assign`` against a real database: the JSON contract,
the readable table (worst first, n/c with a reason), samples and marking work done."""

from __future__ import annotations

import json

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.models import Assignment, AssignmentStatus, Role

CODE_FIELDS = {
    "code",
    "code_guid",
    "prevalence",
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "units",
}


@pytest.fixture
def project(session):
    owner = make_user(session, "lead")
    project = make_project(session, "lpsa", owner=owner)
    alice = member(session, project, Role.CODER, "alice")
    bob = member(session, project, Role.CODER, "bob")
    parent = make_code(session, project, "Barriers", codable=False)
    turnover = make_code(session, project, "Staff turnover", parent=parent)
    grant = make_code(session, project, "Reward grant")
    make_code(session, project, "Never used")
    for i in range(2):
        doc = make_document(session, project, title=f"Interview {i}", case="Northshire")
        make_coding(session, doc, turnover, alice, quote="staff turnover")
        make_coding(session, doc, turnover, bob, quote="Honestly, staff turnover.")
        make_coding(session, doc, grant, alice, quote="The pump priming money")
        make_coding(session, doc, grant, bob, quote="The pump priming money")
    make_document(session, project, title="Uncoded", case="Eastborough")
    session.commit()
    return project


def test_agreement_json_follows_the_contract(runner, project):
    result = runner(["agreement", "lpsa", "--coders", "alice,bob", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"coders", "unit", "documents", "codes", "overall"} <= set(data)
    assert data["coders"] == ["alice", "bob"]
    assert data["unit"] == "character"
    assert data["documents"] == 2
    by_code = {row["code"]: row for row in data["codes"]}
    assert set(by_code) == {"Barriers/Staff turnover", "Reward grant", "Never used"}
    for row in data["codes"]:
        assert set(row) >= CODE_FIELDS
    assert by_code["Reward grant"]["cohen_kappa"] == 1.0
    assert 0 < by_code["Barriers/Staff turnover"]["cohen_kappa"] < 1
    unused = by_code["Never used"]
    assert unused["cohen_kappa"] is None
    assert unused["krippendorff_alpha"] is None
    assert unused["gwet_ac1"] is None
    assert unused["prevalence"] == 0.0
    assert data["overall"]["krippendorff_alpha"]["not_computable"] == 1


def test_agreement_paragraph_unit_code_filter_and_bootstrap(runner, project):
    result = runner(
        [
            "agreement",
            "lpsa",
            "--coders",
            "alice,bob",
            "--unit",
            "paragraph",
            "--code",
            "barriers/staff turnover",
            "--bootstrap",
            "20",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["unit"] == "paragraph"
    assert [row["code"] for row in data["codes"]] == ["Barriers/Staff turnover"]
    assert data["codes"][0]["cohen_kappa"] == 1.0  # same turn, different boundaries
    assert data["overall"]["bootstrap"]["replicates"] == 20


def test_agreement_table_is_worst_first_with_reasons(runner, project):
    result = runner(["agreement", "lpsa", "--coders", "alice,bob"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 documents" in lines[0]
    rows = [line for line in lines if line.startswith(("Barriers/", "Reward", "Never"))]
    assert [r.split("  ")[0].strip() for r in rows] == [
        "Barriers/Staff turnover",
        "Reward grant",
        "Never used",
    ]
    assert "n/c: no coder used this code" in rows[2]
    assert "prevalence < 10%" in rows[0]
    assert any(line.strip().startswith("Krippendorff's alpha: mean") for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "alice"], "at least two coders"),
        (["--coders", "alice,zed"], "no coder zed"),
        (["--coders", "alice,machine"], "no suggestions"),
        (["--coders", "alice,bob", "--code", "Nope"], "no code Nope"),
    ],
)
def test_agreement_user_errors_are_one_line(runner, project, args, message):
    result = runner(["agreement", "lpsa", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_assign_sample_and_done(runner, project, engine):
    result = runner(
        [
            "assign",
            "lpsa",
            "--sample",
            "50",
            "--coders",
            "alice,bob",
            "--label",
            "calibration round 1",
            "--seed",
            "4",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["label"] == "calibration round 1"
    assert len(data["documents"]) == 1
    assert data["strata"] == [{"case": "Eastborough", "eligible": 1, "drawn": data["documents"]}]
    with Session(engine) as s:
        rows = s.scalars(select(Assignment)).all()
        assert len(rows) == 2
        assert all(r.blind and r.sample == "calibration round 1" for r in rows)
    result = runner(["assign", "done", "lpsa", "Uncoded", "--coder", "alice"])
    assert result.exit_code == 0, result.output
    assert "Uncoded: alice done" in result.output
    with Session(engine) as s:
        statuses = {r.coder.username: r.status for r in s.scalars(select(Assignment))}
    assert statuses == {"alice": AssignmentStatus.DONE, "bob": AssignmentStatus.NOT_STARTED}
    again = runner(
        [
            "assign",
            "sample",
            "lpsa",
            "--sample",
            "50",
            "--coders",
            "alice,bob",
            "--label",
            "calibration round 1",
        ]
    )
    assert again.exit_code == 1
    assert "already used" in again.output


def test_agreement_table_shows_bootstrap_intervals(runner, project):
    result = runner(["agreement", "lpsa", "--coders", "alice,bob", "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.startswith("code "))
    assert header.rstrip().endswith("alpha 95% CI")
    row = next(line for line in result.output.splitlines() if line.startswith("Reward grant"))
    assert "[1.000, 1.000]" in row


def test_bench_agreement_reports_figures(runner):
    result = runner(
        [
            "bench",
            "agreement",
            "--documents",
            "3",
            "--codings",
            "60",
            "--codes",
            "4",
            "--repeats",
            "1",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{") :])
    assert figures["documents_compared"] == 3
    assert figures["codings"] == 60
    assert set(figures["cpu_seconds"]) == {"character", "paragraph"}
    assert figures["target_seconds"] == 2.0
