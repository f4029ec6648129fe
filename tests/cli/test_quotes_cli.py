"""``qualcode quotes | matrix | framework``: the JSON contract, files written by -o, errors."""

from __future__ import annotations

import csv
import json

import pytest
from docx import Document
from factories import make_code, make_coding, make_document, make_project, make_user
from openpyxl import load_workbook

from qualcode.services import documents as document_service
from qualcode.services.framework import set_framework_cell

TURNS = [
    ("Interviewer", "What were the barriers?"),
    ("Jane Smith", "Staff turnover, and poor data on burglary."),
    ("Interviewer", "And what helped?"),
    ("Jane Smith", "A strong champion who focused the partners."),
]


@pytest.fixture
def world(session):
    alice = make_user(session, "alice", display_name="Alice Adams", password=None)
    bob = make_user(session, "bob", password=None)
    project = make_project(session, "lpsa", owner=alice)
    barriers = make_code(session, project, "Barriers")
    staff = make_code(session, project, "Staff turnover", parent=barriers)
    enablers = make_code(session, project, "Enablers")
    east = make_document(
        session, project, title="Eastwick coordinator", turns=TURNS, case="Eastwick"
    )
    fen = make_document(session, project, title="Fenmoor officer", turns=TURNS, case="Fenmoor")
    make_document(session, project, title="Marchshire chief", case="Marchshire")
    first = make_coding(session, east, staff, alice, quote="Staff turnover")
    make_coding(session, fen, staff, bob, quote="Staff turnover, and poor data")
    make_coding(session, east, enablers, alice, quote="A strong champion")
    kind = document_service.define_attribute(session, project, "authority_type", "case")
    document_service.set_attribute(session, kind, east.case, "London borough")
    set_framework_cell(
        session, project, east.case_id, barriers.id, "Turnover hurt.", [first.id], alice.id
    )
    session.commit()
    return {"east": east, "fen": fen}


def test_quotes_cli_json_contract(runner, world):
    result = runner(["quotes", "lpsa", "--code", "Barriers", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"code", "count", "documents", "cases", "quotes"} <= data.keys()
    assert (data["code"], data["count"], data["documents"], data["cases"]) == ("Barriers", 2, 2, 2)
    assert data["cases_without"] == ["Marchshire"]
    first = data["quotes"][0]
    assert {
        "document_id",
        "document",
        "case",
        "speaker",
        "coder",
        "start",
        "end",
        "text",
        "codes",
    } <= first.keys()
    assert (first["document"], first["case"], first["speaker"], first["coder"]) == (
        "Eastwick coordinator",
        "Eastwick",
        "Jane Smith",
        "Alice Adams",
    )
    assert first["codes"] == ["Barriers/Staff turnover"]
    assert world["east"].text[first["start"] : first["end"]] == first["text"] == "Staff turnover"


def test_quotes_cli_filters_and_queries(runner, world):
    def count(*args):
        result = runner(["quotes", "lpsa", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["count"]

    assert count("--code", "Barriers", "--coder", "bob") == 1
    assert count("--code", "Barriers", "--where", "authority_type=London borough") == 1
    assert count("--code", "Barriers", "--case", "Fenmoor") == 1
    assert count("--code", "Barriers", "--no-descendants") == 0
    assert count("--code", "Barriers", "--origin", "import") == 0
    assert count("--code", "Barriers", "--consensus") == 0
    assert count("--query", "Barriers SAMETURN Enablers") == 0
    assert count("--query", "Barriers OR Enablers") == 3
    assert count("--text", "champion") == 3  # a turn in each document
    assert count("--code", "Barriers", "--text", "poor data") == 1
    assert count("--every-code") == 3
    assert count("--every-code", "--case", "Eastwick") == 2
    assert count("--every-code", "--case", "Eastwick", "--text", "champion") == 1
    one = runner(["quotes", "lpsa", "--every-code", "--case", "Eastwick", "--text", "champion"])
    assert "every code: 1 segment in 1 document from 1 case." in one.output


def test_quotes_cli_writes_docx_csv_and_xlsx(runner, world, tmp_path):
    docx_path, csv_path, xlsx_path = (tmp_path / f"q.{ext}" for ext in ("docx", "csv", "xlsx"))
    for path in (docx_path, csv_path, xlsx_path):
        result = runner(["quotes", "lpsa", "--code", "Barriers/Staff turnover", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert f"wrote 2 quotes to {path}" in result.output
    paragraphs = [(p.style.name, p.text) for p in Document(str(docx_path)).paragraphs]
    assert paragraphs[0] == ("Heading 1", "Barriers/Staff turnover")
    assert [t for s, t in paragraphs if s == "Quote"] == [
        "Staff turnover",
        "Staff turnover, and poor data",
    ]
    with csv_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["case"] for r in rows] == ["Eastwick", "Fenmoor"]
    sheet = load_workbook(xlsx_path)["Quotes"]
    assert sheet.cell(3, 6).value == "Staff turnover, and poor data"


def test_quotes_cli_user_errors(runner, world, tmp_path):
    assert runner(["quotes", "lpsa"]).exit_code == 2
    assert runner(["quotes", "lpsa", "--code", "A", "--query", "B"]).exit_code == 2
    both = runner(["quotes", "lpsa", "--code", "Barriers", "--every-code"])
    assert both.exit_code == 2
    assert "give one of --code, --query and --every-code" in both.output
    missing = runner(["quotes", "lpsa", "--code", "Nope"])
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no code Nope in lpsa"
    bad = runner(["quotes", "lpsa", "--query", "Barriers AND"])
    assert bad.exit_code == 1
    assert "expected a code" in bad.output
    assert runner(["quotes", "lpsa", "--code", "Barriers", "--where", "x"]).exit_code == 1
    result = runner(["quotes", "lpsa", "--code", "Barriers", "-o", str(tmp_path / "q.pdf")])
    assert result.exit_code == 1
    assert "cannot write .pdf" in result.output


def test_quotes_cli_plain_output_names_counts_and_quotes(runner, world):
    result = runner(["quotes", "lpsa", "--code", "Barriers"])
    assert "Barriers: 2 segments in 2 documents from 2 cases." in result.output
    assert "No quotes from: Marchshire." in result.output
    assert "[Eastwick] Eastwick coordinator · Jane Smith · coded by Alice Adams" in result.output


def test_matrix_cli_json_and_files(runner, world, tmp_path):
    result = runner(["matrix", "lpsa", "--cols", "cases", "--json"])
    data = json.loads(result.output)
    assert [c["label"] for c in data["cols"]] == ["Eastwick", "Fenmoor", "Marchshire"]
    assert [r["label"] for r in data["rows"]] == ["Barriers", "Barriers/Staff turnover", "Enablers"]
    assert data["cells"] == [[1, 1, 0], [1, 1, 0], [1, 0, 0]]
    by_attr = json.loads(
        runner(
            ["matrix", "lpsa", "--cols", "attr:authority_type", "--count", "documents", "--json"]
        ).output
    )
    assert [c["label"] for c in by_attr["cols"]] == ["London borough", "(no value)"]
    assert by_attr["cells"][0] == [1, 1]
    path = tmp_path / "m.xlsx"
    assert runner(["matrix", "lpsa", "--cols", "codes", "-o", str(path)]).exit_code == 0
    sheet = load_workbook(path)["Matrix"]
    assert [c.value for c in sheet[1]][:4] == [
        "code",
        "Barriers",
        "Barriers/Staff turnover",
        "Enablers",
    ]
    plain = runner(["matrix", "lpsa"]).output
    assert "Barriers/Staff turnover" in plain
    assert runner(["matrix", "lpsa", "--cols", "people"]).exit_code == 1


def test_framework_cli_prints_and_writes(runner, world, tmp_path):
    result = runner(["framework", "lpsa"])
    assert "Eastwick" in result.output
    assert "Barriers: Turnover hurt." in result.output
    data = json.loads(runner(["framework", "lpsa", "--json"]).output)
    assert data["cells"][0][0]["summary"] == "Turnover hurt."
    path = tmp_path / "f.csv"
    assert runner(["framework", "lpsa", "--theme", "Barriers", "-o", str(path)]).exit_code == 0
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["case", "Barriers"]
    assert rows[1][1].startswith("Turnover hurt.\n“Staff turnover” (Jane Smith")
