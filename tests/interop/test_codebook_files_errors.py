"""Bad codebook files: each problem is an InvalidImport naming the line, row or element."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from qualcode.errors import InvalidImport
from qualcode.interop.codebook_files import read_codebook, validate_codebook
from qualcode.interop.codebook_spec import CodebookSpec, CodeSpec

YAML_HEAD = "name: Test\ncodes:\n"
GOOD_YAML = (
    YAML_HEAD
    + "  - name: Barriers\n"  # line 3
    + "    kind: barrier\n"
    + "    children:\n"
    + "      - name: Poor data\n"  # line 6
    + "        color: '#AA0000'\n"
    + "      - name: Staff turnover\n"  # line 8
    + "        kind: barrier\n"
    + "chapters:\n"
    + "  - number: '4'\n"
    + "    title: Implementation\n"
    + "    sections:\n"
    + "      - number: '4.1'\n"  # line 14
    + "        title: Barriers\n"
    + "        codes: [Barriers/Poor data]\n"
)


def read_yaml_text(tmp_path: Path, text: str) -> CodebookSpec:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return read_codebook(path)


def expect_error(tmp_path: Path, text: str, reason: str, location: str) -> InvalidImport:
    with pytest.raises(InvalidImport) as caught:
        read_yaml_text(tmp_path, text)
    assert reason in caught.value.reason
    assert caught.value.location == location
    assert str(caught.value.path).endswith("codebook.yaml")
    return caught.value


def test_good_yaml_reads(tmp_path: Path) -> None:
    spec = read_yaml_text(tmp_path, GOOD_YAML)
    assert spec.paths() == ["Barriers", "Barriers/Poor data", "Barriers/Staff turnover"]


@pytest.mark.parametrize(
    ("old", "new", "reason", "location"),
    [
        ("name: Staff turnover", "name: poor DATA", "duplicate code name 'poor DATA'", "line 8"),
        ("'#AA0000'", "'#AA00'", "not of the form #RRGGBB", "line 6"),
        ("'#AA0000'", "red", "not of the form #RRGGBB", "line 6"),
        (
            "kind: barrier\n    children",
            "kind: obstacle\n    children",
            "kind 'obstacle'",
            "line 3",
        ),
        ("name: Poor data", "name: Poor/data", "contains '/'", "line 6"),
        ("name: Poor data", "name: ''", "code name is empty", "line 6"),
        ("codes: [Barriers/Poor data]", "codes: [Barriers/Missing]", "unknown code", "line 14"),
        ("color: '#AA0000'", "colour: '#AA0000'", "unknown field 'colour'", "line 6"),
        ("name: Poor data", "name: yes", "put it in quotes", "line 6"),
        (
            "    kind: barrier\n    children",
            "    kind: barrier\n    keywords: x\n    children",
            "keywords must be a list",
            "line 3",
        ),
    ],
)
def test_yaml_errors_name_the_line(
    tmp_path: Path, old: str, new: str, reason: str, location: str
) -> None:
    assert old in GOOD_YAML
    expect_error(tmp_path, GOOD_YAML.replace(old, new, 1), reason, location)


def test_duplicate_top_level_names(tmp_path: Path) -> None:
    text = YAML_HEAD + "  - name: Enablers\n  - name: ENABLERS\n"
    error = expect_error(tmp_path, text, "under the top level", "line 4")
    assert str(error).endswith("(line 4)")


def test_malformed_yaml(tmp_path: Path) -> None:
    expect_error(tmp_path, YAML_HEAD + "  - name: [unclosed\n", "not valid YAML", "line 4")


def test_json_errors_name_the_element(tmp_path: Path) -> None:
    data = {
        "name": "Test",
        "codes": [{"name": "Barriers", "children": [{"name": "A"}, {"name": "B", "kind": "x"}]}],
    }
    path = tmp_path / "codebook.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidImport, match="kind 'x'") as caught:
        read_codebook(path)
    assert caught.value.location == "codes[0].children[1]"

    path.write_text('{"name": "Test",\n "codes": [}', encoding="utf-8")
    with pytest.raises(InvalidImport, match="not valid JSON") as caught:
        read_codebook(path)
    assert caught.value.location == "line 2"


def test_validate_codebook_without_a_file() -> None:
    guid = "8a3c1f0e-2b4d-4e6f-9a1b-3c5d7e9f0a2b"
    spec = CodebookSpec(
        codes=[CodeSpec(name="A", guid=guid), CodeSpec(name="B", children=[CodeSpec("C", guid)])]
    )
    with pytest.raises(InvalidImport, match="repeats the guid of 'A'") as caught:
        validate_codebook(spec)
    assert caught.value.location == "code 'B/C'"
    spec.codes[1].children[0].guid = None
    validate_codebook(spec)


# ---------------------------------------------------------------- CSV


CSV_HEAD = "path,color,kind,active\n"


@pytest.mark.parametrize(
    ("rows", "reason", "location"),
    [
        ("Barriers,,barrier,\nEnablers/Focus,,enabler,\n", "parent 'Enablers'", "line 3"),
        (
            "Barriers,,,\nBarriers/Poor data,,,\nBarriers/Poor data,,,\n",
            "repeated (first on line 3)",
            "line 4",
        ),
        (
            "Barriers,,,\nBarriers/Poor data,,,\nBarriers/POOR DATA,,,\n",
            "duplicate code name",
            "line 4",
        ),
        ("Barriers,#12345G,,\n", "not of the form #RRGGBB", "line 2"),
        ("Barriers,,,\nBarriers/Poor data,,blocker,\n", "kind 'blocker'", "line 3"),
        ("Barriers,,,\nBarriers//Poor data,,,\n", "empty code name", "line 3"),
        ("Barriers,,,maybe\n", "active must be true or false", "line 2"),
        (",,barrier,\n", "row has no code path", "line 2"),
        ('Barriers,,,\n"Enablers\nand more",,,\nOops/x,,,\n', "parent 'Oops'", "line 5"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, rows: str, reason: str, location: str) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text(CSV_HEAD + rows, encoding="utf-8")
    with pytest.raises(InvalidImport) as caught:
        read_codebook(path)
    assert reason in caught.value.reason
    assert caught.value.location == location


def test_csv_header_errors(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text("path,defintion\nBarriers,x\n", encoding="utf-8")
    with pytest.raises(InvalidImport, match="unknown column 'defintion'") as caught:
        read_codebook(path)
    assert caught.value.location == "line 1"
    path.write_text("kind,definition\nbarrier,x\n", encoding="utf-8")
    with pytest.raises(InvalidImport, match="no 'path' column"):
        read_codebook(path)
    path.write_bytes(b"")
    with pytest.raises(InvalidImport, match="empty"):
        read_codebook(path)


def test_csv_blank_rows_are_skipped_and_extra_cells_refused(tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    path.write_text("path,kind\n,\nBarriers,barrier,\n", encoding="utf-8")
    assert read_codebook(path).paths() == ["Barriers"]
    path.write_text("path,kind\nBarriers,barrier,surplus\n", encoding="utf-8")
    with pytest.raises(InvalidImport, match="3 cells") as caught:
        read_codebook(path)
    assert caught.value.location == "line 2"


# ---------------------------------------------------------------- Excel


def test_xlsx_errors_name_the_sheet_row(tmp_path: Path) -> None:
    path = tmp_path / "codebook.xlsx"
    workbook = openpyxl.Workbook()
    codes = workbook.active
    codes.title = "Codebook"
    for row in (["path", "kind"], ["Barriers", "barrier"], ["Barriers/Poor data", "barrier"]):
        codes.append(row)
    chapters = workbook.create_sheet("Chapters")
    chapter_rows: list[list[object]] = [
        ["chapter", "chapter_title", "section", "section_title", "code"],
        [4, "Implementation", 4.1, "Barriers", "Barriers"],
        [4, "Implementation", 4.1, "Barriers", "Barriers/Staff turnover"],
    ]
    for chapter_row in chapter_rows:
        chapters.append(chapter_row)
    workbook.save(path)
    with pytest.raises(InvalidImport, match="unknown code 'Barriers/Staff turnover'") as caught:
        read_codebook(path)
    assert caught.value.location == "Chapters row 3"

    codes.append(["Enablers/Focus", "enabler"])
    workbook.save(path)
    with pytest.raises(InvalidImport, match="parent 'Enablers'") as caught:
        read_codebook(path)
    assert caught.value.location == "Codebook row 4"


def test_xlsx_numbers_read_as_text_and_non_workbook_refused(tmp_path: Path) -> None:
    path = tmp_path / "codebook.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Codebook"
    sheet.append(["path", "chapter", "section", "active"])
    sheet.append(["Barriers", 4, 4.1, False])
    workbook.save(path)
    code = read_codebook(path).codes[0]
    assert (code.chapter, code.section, code.active) == ("4", "4.1", False)

    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InvalidImport, match="not an Excel workbook"):
        read_codebook(path)
