"""Attribute sheets (.csv, .xlsx): key column, inferred types, errors naming the row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest.attributes import AttributeColumn, infer_type, read_attribute_sheet

CASES_CSV = (
    "Case,Region,Population,Signed,Tier,Notes\n"
    'Northshire,North West,"1,250,000",2001-03-31,county,First batch\n'
    "Eastbury,North West,310000,15/06/2001,metropolitan,\n"
    "Westmere,South,190500.5,2002-01-10,unitary,Late signer\n"
    "Kingsford,South,,31/12/2001,county,Borough in London\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_attribute_sheet_csv_types_and_values(tmp_path: Path) -> None:
    sheet = read_attribute_sheet(_write(tmp_path, "cases.csv", CASES_CSV.encode()))
    assert sheet.scope == "case"
    assert sheet.key_column == "Case"
    assert sheet.encoding == "utf-8"
    assert sheet.columns == [
        AttributeColumn("Region", "choice", ("North West", "South")),
        AttributeColumn("Population", "number"),
        AttributeColumn("Signed", "date"),
        AttributeColumn("Tier", "choice", ("county", "metropolitan", "unitary")),
        AttributeColumn("Notes", "text"),
    ]
    first, second, third, fourth = sheet.rows
    assert (first.row, first.key) == (2, "Northshire")
    assert first.values == {
        "Region": "North West",
        "Population": 1250000,
        "Signed": dt.date(2001, 3, 31),
        "Tier": "county",
        "Notes": "First batch",
    }
    assert second.values["Signed"] == dt.date(2001, 6, 15)
    assert second.values["Notes"] is None
    assert third.values["Population"] == 190500.5
    assert fourth.values["Population"] is None


def test_attribute_sheet_csv_semicolons_and_windows_1252(tmp_path: Path) -> None:
    data = "Document;Case;Interviewee role\nKent 1;Kent;Coordinator – finance\n".encode("cp1252")
    sheet = read_attribute_sheet(_write(tmp_path, "docs.csv", data))
    assert sheet.scope == "document"
    assert sheet.case_column == "Case"
    assert sheet.encoding == "windows-1252"
    (row,) = sheet.rows
    assert (row.key, row.case, row.values) == (
        "Kent 1",
        "Kent",
        {"Interviewee role": "Coordinator – finance"},
    )


def test_attribute_sheet_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([None])
    ws.append(["File", "Date of interview", "Words", "Fieldworker", "Recorded"])
    ws.append(["int01.docx", dt.datetime(2005, 5, 12), 5120, "AB", True])
    ws.append(["int02.docx", dt.datetime(2005, 5, 19), 4800.0, "AB", False])
    ws.append(["int03.docx", "2005-06-02", "3900", "CD", True])
    path = tmp_path / "docs.xlsx"
    book.save(path)
    sheet = read_attribute_sheet(path)
    assert sheet.scope == "document"
    assert sheet.key_column == "File"
    assert [(c.name, c.type) for c in sheet.columns] == [
        ("Date of interview", "date"),
        ("Words", "number"),
        ("Fieldworker", "choice"),
        ("Recorded", "choice"),
    ]
    assert [r.row for r in sheet.rows] == [3, 4, 5]
    assert sheet.rows[1].values == {
        "Date of interview": dt.date(2005, 5, 19),
        "Words": 4800,
        "Fieldworker": "AB",
        "Recorded": "no",
    }
    assert sheet.rows[2].values["Date of interview"] == dt.date(2005, 6, 2)


def test_attribute_sheet_infer_type_edges() -> None:
    assert infer_type("Code", ["007", "012", "007"]).type == "choice"  # leading zeros: not numbers
    assert infer_type("Code", ["007", "012"]).type == "text"
    assert infer_type("Day", ["31/02/2005", "01/01/2005"]).type == "text"  # no 31 February
    assert infer_type("Empty", [None, " "]).type == "text"
    assert infer_type("N", ["-3", "+4.5", ".5", "1,000"]).type == "number"
    many = [f"v{i % 13}" for i in range(40)]
    assert infer_type("Many", many).type == "text"  # more than 12 distinct values


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Region,Tier\nNorth,county\n", "no column named case, document, file or title (row 1)"),
        ("Case,Tier,Tier\nKent,a,b\n", "two columns are named 'Tier' (row 1)"),
        ("Case,Tier\nKent,a\n,b\n", "no Case named in this row (row 3)"),
        ("Case,Tier\nKent,a\nkent,b\n", "'kent' appears twice (first in row 2) (row 3)"),
        ("Case,Tier\nKent,a,extra\n", "a value in column 3, which has no header (row 2)"),
        ("Case,,Tier\nKent,x,a\n", "column 2 has values but no name (row 1)"),
        ("Case,Tier\n", "the sheet has no rows below the header (row 1)"),
        ("\n\n", "the sheet is empty"),
    ],
)
def test_attribute_sheet_errors_name_the_row(tmp_path: Path, content: str, message: str) -> None:
    path = _write(tmp_path, "bad.csv", content.encode())
    with pytest.raises(InvalidImport) as caught:
        read_attribute_sheet(path)
    assert str(caught.value) == f"{path}: {message}"


def test_attribute_sheet_refuses_other_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport, match="not a readable Excel .xlsx file"):
        read_attribute_sheet(_write(tmp_path, "fake.xlsx", b"Case,Tier\n"))
    with pytest.raises(InvalidImport, match="binary data, not text"):
        read_attribute_sheet(_write(tmp_path, "bin.csv", bytes(range(256))))
    with pytest.raises(InvalidImport, match="unsupported attribute sheet '.ods'"):
        read_attribute_sheet(_write(tmp_path, "x.ods", b""))
