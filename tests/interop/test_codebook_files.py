"""The default LPSA codebook, and round trips through every codebook file format."""

from __future__ import annotations

import csv
from pathlib import Path

import docx
import pytest
from docx.text.paragraph import Paragraph

from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.codebook_files import (
    default_codebook_path,
    read_codebook,
    read_codebook_file,
    validate_codebook,
    write_codebook,
)
from qualcode.interop.codebook_spec import (
    CODE_KINDS,
    ChapterSpec,
    CodebookSpec,
    CodeSpec,
    SectionSpec,
)

REQUIRED_BARRIERS = (
    "No time to think",
    "No development funding",
    "Day-to-day pressure",
    "Too many objectives",
    "Resources to sustain",
    "No performance culture",
    "Entrenched practice",
    "Weak partnership",
    "Not understanding root causes",
    "Staff turnover without handover",
    "Weak early planning",
    "Weak central oversight",
    "Poor data",
)
REQUIRED_ENABLERS = (
    "Pump-priming grant",
    "Reward grant",
    "Focus",
    "Target champion",
    "Individual and corporate commitment",
    "Supportive performance management",
    "Political leadership",
    "Partnership",
    "Learning from practice",
    "Dedicated departmental teams",
)


def sample_spec() -> CodebookSpec:
    """A small codebook that sets every field, including the awkward values."""
    leaf = CodeSpec(
        name="Staff turnover without handover",
        guid="8a3c1f0e-2b4d-4e6f-9a1b-3c5d7e9f0a2b",
        color="#c44d4d",
        kind="barrier",
        definition="Loss of momentum when a target owner leaves.\nSecond line, kept.",
        inclusion='New owners "inheriting" targets; café meetings — with ümlauts',
        exclusion="=SUM(A1) is text, not a formula",
        typical_example="“The target owner left and nobody picked it up.”",
        atypical_example="I found the target file in a cupboard.",
        keywords=["handover", "left", "new in post"],
        chapter="4",
        section="4.1",
    )
    retired = CodeSpec(name="Old folder", kind="other", active=False, codable=False)
    return CodebookSpec(
        name="Sample codebook",
        description="For the round-trip tests.",
        version="2.10",
        codes=[
            CodeSpec(
                name="Barriers",
                color="#9B1B1B",
                kind="barrier",
                definition="Anything that slowed improvement.",
                keywords=["barrier", "obstacle"],
                chapter="4",
                section="4.1",
                children=[leaf, CodeSpec(name="Poor data", kind="barrier", chapter="4")],
            ),
            retired,
        ],
        chapters=[
            ChapterSpec(
                number="4",
                title="Implementation",
                sections=[
                    SectionSpec(
                        "4.1",
                        "Barriers",
                        ["Barriers", "Barriers/Staff turnover without handover"],
                    ),
                    SectionSpec("4.2", "Enablers", []),
                ],
            ),
            ChapterSpec(number="9", title="Annex"),
        ],
    )


# ---------------------------------------------------------------- the default codebook


@pytest.fixture(scope="module")
def lpsa() -> CodebookSpec:
    return read_codebook(default_codebook_path())


def test_default_codebook_path_is_the_checkout_copy() -> None:
    path = default_codebook_path()
    assert path.name == "lpsa.yaml"
    assert path.parent.name == "codebook"


def test_default_codebook_validates_and_is_complete(lpsa: CodebookSpec) -> None:
    validate_codebook(lpsa)
    codes = list(lpsa.walk())
    assert 60 <= len(codes) <= 90
    assert lpsa.version
    for path, code in codes:
        where = "/".join(path)
        assert len(path) <= 3, where
        assert code.kind in CODE_KINDS, where
        assert code.color is not None, where
        for text in (code.definition, code.inclusion, code.exclusion, code.typical_example):
            assert len(text) > 20, where
        assert code.atypical_example, where
        assert 5 <= len(code.keywords) <= 12, where
        assert code.chapter, where
        assert code.section.split(".")[0] == code.chapter, where


def test_default_codebook_covers_every_chapter(lpsa: CodebookSpec) -> None:
    numbers = [chapter.number for chapter in lpsa.chapters]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(numbers) == 7
    for chapter in lpsa.chapters:
        assert chapter.sections, chapter.number
        for section in chapter.sections:
            assert section.codes, section.number
            assert section.number.startswith(chapter.number + ".")
    fed = {path for chapter in lpsa.chapters for s in chapter.sections for path in s.codes}
    codes_by_path = dict(zip(lpsa.paths(), (code for _, code in lpsa.walk()), strict=True))
    for path in fed:
        assert codes_by_path[path].chapter in numbers
    # every code feeds a chapter, either through a section or as a whole-chapter category
    assert {code.chapter for _, code in lpsa.walk()} == set(numbers)


def test_default_codebook_barriers_and_enablers(lpsa: CodebookSpec) -> None:
    tops = {code.name: code for code in lpsa.codes}
    barriers = [c for c in tops["Barriers"].children if c.kind == "barrier"]
    enablers = [c for c in tops["Enablers"].children if c.kind == "enabler"]
    assert len(barriers) >= 12
    assert len(enablers) >= 10
    assert set(REQUIRED_BARRIERS) <= {c.name for c in barriers}
    assert set(REQUIRED_ENABLERS) <= {c.name for c in enablers}
    # one hue family per category: the colours of a category are unique and not reused elsewhere
    colours = [code.color for _, code in lpsa.walk()]
    assert len(set(colours)) == len(colours)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".xlsx"])
def test_lossless_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    spec = sample_spec()
    path = tmp_path / f"codebook{suffix}"
    write_codebook(spec, path)
    assert read_codebook(path) == spec


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_default_codebook_round_trips(tmp_path: Path, lpsa: CodebookSpec, suffix: str) -> None:
    path = tmp_path / f"lpsa{suffix}"
    write_codebook(lpsa, path)
    assert read_codebook(path) == lpsa


def test_yaml_output_is_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write_codebook(sample_spec(), first)
    write_codebook(read_codebook(first), second)
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert "keywords: [handover, left, new in post]" in first.read_text(encoding="utf-8")


def test_csv_round_trip_keeps_every_code_field(tmp_path: Path, lpsa: CodebookSpec) -> None:
    for spec in (sample_spec(), lpsa):
        path = tmp_path / "codes.csv"
        write_codebook(spec, path)
        result = read_codebook_file(path)
        assert result.spec.codes == spec.codes
        assert result.spec.name == "codes"
        assert result.spec.chapters == []
        assert result.encoding == "utf-8-sig"


def test_csv_rows_in_any_order_build_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(
        "path,kind,keywords\n"
        "Barriers/Poor data/Time lag,barrier,lag; late figures\n"
        "Enablers,enabler,\n"
        "Barriers/Poor data,barrier,\n"
        "Barriers,barrier,\n",
        encoding="utf-8",
    )
    spec = read_codebook(path)
    # siblings keep the order of their rows; parents may come after their children
    assert spec.paths() == [
        "Enablers",
        "Barriers",
        "Barriers/Poor data",
        "Barriers/Poor data/Time lag",
    ]
    leaf = spec.codes[1].children[0].children[0]
    assert leaf.keywords == ["lag", "late figures"]
    assert leaf.active
    assert leaf.codable


def test_cp1252_csv_with_curly_quote(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = "path;definition;colour\r\nBarriers;It’s the “day job” – and café talk;#AA0000\r\n"
    path.write_bytes(text.encode("cp1252"))
    result = read_codebook_file(path)
    assert result.encoding == "cp1252"
    assert result.spec.codes[0].definition == "It’s the “day job” – and café talk"
    assert result.spec.codes[0].color == "#AA0000"


def test_utf8_csv_without_bom_and_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["path", "definition"],
                ["Enablers", "First line\nsecond line"],
                ["Enablers/Focus", "ø"],
            ]
        )
    result = read_codebook_file(path)
    assert result.encoding == "utf-8"
    assert result.spec.codes[0].definition == "First line\nsecond line"
    assert result.spec.codes[0].children[0].definition == "ø"


# ---------------------------------------------------------------- Word


ROW_LABELS = [
    "Definition",
    "Include when",
    "Exclude when",
    "Typical example",
    "Atypical example",
    "Keywords",
    "Report section",
]


def style_name(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def test_docx_export_has_a_heading_per_category_and_a_table_per_code(tmp_path: Path) -> None:
    spec = sample_spec()
    path = tmp_path / "codebook.docx"
    write_codebook(spec, path)
    document = docx.Document(str(path))
    styles = [(style_name(p), p.text) for p in document.paragraphs]
    assert styles[0] == ("Title", "Sample codebook")
    assert ("Normal", "Version 2.10") in styles
    assert [text for style, text in styles if style == "Heading 1"] == [
        "Barriers",
        "Old folder",
        "Report outline",
    ]
    assert [text for style, text in styles if style == "Heading 2"][:2] == [
        "Staff turnover without handover",
        "Poor data",
    ]
    notes = [text for _, text in styles if "\u00b7" in text]
    assert "\u25a0 Barrier \u00b7 Barriers/Staff turnover without handover" in notes
    assert "Other \u00b7 inactive \u00b7 folder only, not for coding" in notes

    assert len(document.tables) == 4
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[1].rows}
    assert list(rows) == ROW_LABELS
    leaf = spec.codes[0].children[0]
    assert rows["Definition"] == leaf.definition
    assert rows["Exclude when"] == leaf.exclusion
    assert rows["Keywords"] == "handover, left, new in post"
    assert rows["Report section"] == "4.1 Barriers"
    poor_data = {row.cells[0].text: row.cells[1].text for row in document.tables[2].rows}
    assert poor_data["Report section"] == "Chapter 4 Implementation"


@pytest.mark.slow
def test_docx_export_of_the_default_codebook(tmp_path: Path, lpsa: CodebookSpec) -> None:
    path = tmp_path / "lpsa.docx"
    write_codebook(lpsa, path)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if style_name(p) == "Heading 1"]
    assert headings == [code.name for code in lpsa.codes] + ["Report outline"]
    codes = [code for _, code in lpsa.walk()]
    assert len(document.tables) == len(codes)
    for table, code in zip(document.tables, codes, strict=True):
        rows = {row.cells[0].text: row.cells[1].text for row in table.rows}
        assert list(rows) == ROW_LABELS
        assert rows["Definition"] == code.definition
        assert code.chapter in rows["Report section"]


def test_docx_cannot_be_imported_and_unknown_formats_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "codebook.docx"
    write_codebook(sample_spec(), path)
    with pytest.raises(InvalidImport, match="not for import"):
        read_codebook(path)
    with pytest.raises(InvalidInput, match=r"\.txt"):
        write_codebook(sample_spec(), tmp_path / "codebook.txt")


def test_tabular_export_refuses_keyword_with_separator(tmp_path: Path) -> None:
    spec = CodebookSpec(codes=[CodeSpec(name="Focus", keywords=["focus; clarity"])])
    with pytest.raises(InvalidInput, match="';'"):
        write_codebook(spec, tmp_path / "codebook.csv")


def test_qdc_goes_through_the_refi_qda_package(tmp_path: Path) -> None:
    spec = sample_spec()
    path = tmp_path / "codebook.qdc"
    write_codebook(spec, path)
    result = read_codebook_file(path)
    assert result.format == ".qdc"
    assert result.spec.paths() == spec.paths()
    assert result.spec.codes[0].children[0].guid == spec.codes[0].children[0].guid
