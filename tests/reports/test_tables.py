"""Writers of quotes, matrices and the framework matrix, checked by reopening the files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from qualcode.errors import InvalidInput
from qualcode.reports.evidence import (
    CaseRef,
    Cell,
    FrameworkEntry,
    FrameworkMatrix,
    Header,
    Matrix,
    Quote,
    QuoteResult,
)
from qualcode.reports.tables import (
    framework_csv,
    framework_xlsx,
    matrix_csv,
    quotes_docx,
    shade_hex,
    write_matrix,
    write_quotes,
)

TEXT = {
    1: "Interviewer: What got in the way?\nJane Smith: Poor data was the first problem. "
    "Staff turnover hurt — and the café closed.",
    2: "Interviewer: Was data a problem?\nTom Brown: =SUM(A1) is what the finance team said.",
}


def quote(
    doc: int,
    words: str,
    *,
    case: str,
    coding_id: int,
    speaker: str,
    attributes: dict[str, str] | None = None,
) -> Quote:
    start = TEXT[doc].index(words)
    return Quote(
        coding_id,
        doc,
        f"Interview {doc}",
        case,
        speaker,
        "Alice Adams",
        start,
        start + len(words),
        words,
        ["Barriers/Poor data"],
        1,
        "manual",
        attributes or {},
    )


@pytest.fixture
def result() -> QuoteResult:
    quotes = [
        quote(
            1,
            "Poor data was the first problem",
            case="Eastwick",
            coding_id=11,
            speaker="Jane Smith",
            attributes={"authority_type": "London borough"},
        ),
        quote(
            1,
            "Staff turnover hurt — and the café closed.",
            case="Eastwick",
            coding_id=12,
            speaker="Jane Smith",
        ),
        quote(
            2,
            "=SUM(A1) is what the finance team said",
            case="Fenmoor",
            coding_id=13,
            speaker="Tom Brown",
            attributes={"interviewee_role": "finance officer"},
        ),
    ]
    return QuoteResult("Barriers/Poor data", quotes, 3, 2, 2, [CaseRef(9, "Marchshire")])


def test_tables_quotes_docx_has_headings_quotes_attribution_and_counts(tmp_path, result):
    path = tmp_path / "quotes.docx"
    write_quotes(result, path)
    paragraphs = [(p.style.name, p.text) for p in Document(str(path)).paragraphs]
    assert paragraphs[0] == ("Heading 1", "Barriers/Poor data")
    assert paragraphs[1][1] == "3 segments in 2 documents from 2 cases."
    assert paragraphs[2][1] == "No quotes from: Marchshire."
    assert [t for s, t in paragraphs if s == "Heading 2"] == ["Eastwick", "Fenmoor"]
    quoted = [(i, t) for i, (s, t) in enumerate(paragraphs) if s == "Quote"]
    assert [t for _, t in quoted] == [q.text for q in result.quotes]
    for q in result.quotes:  # each quote is exactly the document's text at its offsets
        assert TEXT[q.document_id][q.start : q.end] == q.text
    first = quoted[0][0]
    assert (
        paragraphs[first + 1][1]
        == "— Jane Smith, Interview 1 (coded by Alice Adams; Barriers/Poor data)"
    )


def test_tables_quotes_docx_title_override_and_stream(result):
    stream = io.BytesIO()
    quotes_docx(result, stream, title="Chapter 3 evidence")
    stream.seek(0)
    assert Document(stream).paragraphs[0].text == "Chapter 3 evidence"


def test_tables_quotes_csv_columns_text_and_formula_guard(tmp_path, result):
    path = tmp_path / "quotes.csv"
    write_quotes(result, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["text"] for r in rows[:2]] == [q.text for q in result.quotes[:2]]
    assert rows[2]["text"] == "'" + result.quotes[2].text  # not run as a formula
    assert rows[0]["case"] == "Eastwick"
    assert rows[0]["speaker"] == "Jane Smith"
    assert rows[0]["coder"] == "Alice Adams"
    assert rows[0]["authority_type"] == "London borough"
    assert rows[2]["interviewee_role"] == "finance officer"
    assert rows[1]["interviewee_role"] == ""
    assert (rows[1]["start"], rows[1]["end"]) == (
        str(result.quotes[1].start),
        str(result.quotes[1].end),
    )


def test_tables_quotes_xlsx_quotes_attribution_and_summary(tmp_path, result):
    path = tmp_path / "quotes.xlsx"
    write_quotes(result, path)
    book = load_workbook(path)
    sheet = book["Quotes"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["case", "document", "speaker", "coder", "codes", "text"]
    texts = [sheet.cell(r, 6).value for r in range(2, 5)]
    assert texts == [q.text for q in result.quotes]  # the formula-like text kept as text
    assert sheet.cell(4, 6).data_type == "s"
    assert [sheet.cell(r, 1).value for r in range(2, 5)] == ["Eastwick", "Eastwick", "Fenmoor"]
    summary = book["Summary"]
    assert [c.value for c in summary[2]] == ["Barriers/Poor data", 3, 2, 2, "Marchshire"]


def test_tables_refuse_unknown_extensions(tmp_path, result):
    with pytest.raises(InvalidInput, match="cannot write .pdf"):
        write_quotes(result, tmp_path / "quotes.pdf")


@pytest.fixture
def matrix() -> Matrix:
    return Matrix(
        "cases",
        "segments",
        [Header(1, "Barriers"), Header(2, "Barriers/Poor data")],
        [Header(5, "Eastwick"), Header(6, "Fenmoor")],
        [[Cell(3, (1, 2, 3)), Cell(1, (4,))], [Cell(2, (1, 2)), Cell(0)]],
        [4, 2],
        [3, 1],
    )


def test_tables_matrix_csv_and_xlsx(tmp_path, matrix):
    stream = io.BytesIO()
    matrix_csv(matrix, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert rows == [
        ["code", "Eastwick", "Fenmoor", "Total"],
        ["Barriers", "3", "1", "4"],
        ["Barriers/Poor data", "2", "0", "2"],
        ["Total", "3", "1", ""],
    ]
    path = tmp_path / "matrix.xlsx"
    write_matrix(matrix, path)
    sheet = load_workbook(path)["Matrix"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=4)] == [
        ["code", "Eastwick", "Fenmoor", "Total"],
        ["Barriers", 3, 1, 4],
        ["Barriers/Poor data", 2, 0, 2],
        ["Total", 3, 1, None],
    ]
    assert sheet["B2"].fill.start_color.rgb.endswith(shade_hex(1.0))
    assert sheet["C3"].fill.fill_type is None  # zero stays white
    assert "count segments" in sheet.cell(6, 1).value


def test_tables_shade_runs_from_white_to_blue():
    assert shade_hex(0) == "FFFFFF"
    assert shade_hex(1) == "2F6DB5"
    assert shade_hex(0.5) == "97B6DA"


def test_tables_framework_matrix_cells_hold_summary_quotes_and_counts(tmp_path, result):
    framework = FrameworkMatrix(
        [Header(5, "Eastwick"), Header(6, "Fenmoor")],
        [Header(1, "Barriers")],
        [
            [FrameworkEntry("Data gaps stalled the target.", result.quotes[:1], 2)],
            [FrameworkEntry(evidence=0)],
        ],
    )
    stream = io.BytesIO()
    framework_csv(framework, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["case", "Barriers"]
    assert rows[1][1] == (
        "Data gaps stalled the target.\n“Poor data was the first problem” "
        "(Jane Smith, Interview 1)\n[2 coded segments]"
    )
    assert rows[2] == ["Fenmoor", "[0 coded segments]"]
    path = tmp_path / "framework.xlsx"
    with Path(path).open("wb") as handle:
        framework_xlsx(framework, handle)
    assert load_workbook(path)["Framework"]["B2"].value == rows[1][1]
