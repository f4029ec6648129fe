"""``qualcode audit PROJECT``: the newest events on screen, every event as JSON or a file."""

from __future__ import annotations

import csv
import json

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user

import qualcode.cli.audit  # noqa: F401 - registers the command (until cli/__init__ lists it)


@pytest.fixture
def logged(session):
    owner, lead = make_user(session, "owner"), make_user(session, "lead")
    project = make_project(session, "lpsa", owner=owner)
    doc = make_document(session, project, title="Kingsford")
    code = make_code(session, project, "Barriers")
    make_coding(session, doc, code, owner, quote="staff turnover")
    make_coding(session, doc, code, lead, quote="pump priming")
    session.commit()
    return project


def test_audit_lists_the_newest_events_oldest_first_on_screen(runner, logged):
    result = runner(["audit", "lpsa", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "owner" in lines[0]
    assert "coding.added" in lines[0]
    assert "lead" in lines[1]
    assert "coding.added" in lines[1]
    assert "(the newest 2; use --limit, --json or -o for more)" in result.stderr


def test_audit_json_gives_every_matching_event(runner, logged):
    result = runner(["audit", "lpsa", "--json", "--action", "coding"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["project"] == "lpsa"
    assert [(e["user"], e["action"]) for e in data["events"]] == [
        ("owner", "coding.added"),
        ("lead", "coding.added"),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_audit_writes_a_file_by_its_extension(runner, logged, tmp_path, suffix):
    target = tmp_path / f"audit{suffix}"
    result = runner(["audit", "lpsa", "--user", "lead", "-o", str(target)])
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        with target.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = json.loads(target.read_text(encoding="utf-8"))["events"]
    assert [(r["user"], r["action"]) for r in rows] == [("lead", "coding.added")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "nope"], "no project named nope"),
        (["audit", "lpsa", "--from", "last week"], "not a date like"),
        (["audit", "lpsa", "--user", "nobody"], "no user named nobody"),
        (["audit", "lpsa", "-o", "audit.xlsx"], "written as .csv or .json"),
    ],
)
def test_audit_user_errors_are_one_line(runner, logged, args, message):
    result = runner(args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
