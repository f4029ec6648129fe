"""``.qdc`` codebooks: export valid against Codebook.xsd, lossless round trip, tool variants."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.interop.refi_qda import read_qdc, write_qdc
from qualcode.interop.refi_qda.codebook import apply_description, format_description

XSD = Path(__file__).parent.parent / "data" / "refi" / "Codebook.xsd"


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def lpsa_codebook() -> CodebookSpec:
    turnover = CodeSpec(
        name="Staff turnover",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c01",
        color="#D62728",
        kind="barrier",
        definition="Key staff leave or change roles during the agreement.\nIncludes secondments.",
        inclusion="The turnover is said to slow or stop delivery.",
        exclusion="Routine restructuring with no effect on targets.",
        typical_example="We lost our project lead in month three and it all stalled.",
        atypical_example="Kind: of a joke, the new lead was better.",
        keywords=["turnover", "staff leaving", "lost our lead"],
        chapter="5",
        section="5.2",
    )
    retired = CodeSpec(
        name="Old barrier",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c02",
        color="#abc",
        active=False,
    )
    barriers = CodeSpec(
        name="Barriers",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c00",
        codable=False,
        children=[turnover, retired],
    )
    enablers = CodeSpec(
        name="Enablers",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c10",
        kind="enabler",
        children=[CodeSpec(name="Staff turnover", guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c11")],
    )
    chapters = [
        ChapterSpec(
            "5",
            "Delivering the targets",
            [SectionSpec("5.2", "Barriers to delivery", ["Barriers/Staff turnover"])],
        ),
        ChapterSpec("6", "Conclusions"),
    ]
    return CodebookSpec(name="lpsa", codes=[barriers, enablers], chapters=chapters)


def test_refi_codebook_export_is_valid_and_round_trips_every_field(tmp_path: Path):
    spec = lpsa_codebook()
    path = tmp_path / "lpsa.qdc"
    write_qdc(spec, path)
    schema().assertValid(etree.parse(str(path)))
    back = read_qdc(path)
    expected = copy.deepcopy(spec.codes)
    expected[0].children[1].color = "#aabbcc"  # "#abc" travels in its six-digit form
    assert back.codes == expected
    assert back.chapters == spec.chapters
    assert back.name == "lpsa"


def test_refi_codebook_description_is_readable_labelled_lines():
    code = lpsa_codebook().codes[0].children[0]
    text = format_description(code)
    assert text.splitlines()[:3] == [
        "Definition: Key staff leave or change roles during the agreement.",
        "  Includes secondments.",
        "Include when: The turnover is said to slow or stop delivery.",
    ]
    assert "Keywords: turnover; staff leaving; lost our lead" in text
    assert "Kind: barrier" in text
    assert "Report section: 5.2" in text
    assert "Active" not in text  # only written for inactive codes


def test_refi_codebook_plain_description_from_another_tool_becomes_the_definition():
    code = CodeSpec(name="x")
    apply_description(code, "Barriers raised by partners.\nKind: of informal, see notes.")
    assert code.definition == "Barriers raised by partners.\nKind: of informal, see notes."
    assert code.kind == "other"
    assert code.keywords == []


def test_refi_codebook_windows_line_breaks_in_a_structured_description():
    code = CodeSpec(name="x")
    apply_description(code, "Definition: A\r\n  B\r\nExclude when: C\r\nActive: no\r\n")
    assert (code.definition, code.exclusion, code.active) == ("A\nB", "C", False)


# written the way ATLAS.ti 23 writes a codebook: BOM, CRLF, the 0:4 namespace, braced GUIDs
ATLAS_QDC = Path(__file__).parent.parent / "data" / "refi" / "atlas-ti-codebook.qdc"


def test_refi_codebook_reads_atlas_ti_namespace_bom_and_braced_guids():
    spec = read_qdc(ATLAS_QDC)
    barriers, enablers = spec.codes
    assert barriers.guid == "5f1b7e0a-3c2d-4e6f-8a9b-0c1d2e3f4a5b"
    assert barriers.codable is False
    assert barriers.color is None
    turnover = barriers.children[0]
    assert turnover.guid == "5f1b7e0a-3c2d-4e6f-8a9b-0c1d2e3f4a5c"
    assert turnover.color == "#ff7f0e"
    assert turnover.definition == "People leaving the partnership."
    assert (enablers.guid, enablers.color, enablers.codable) == ("c001", None, True)


def test_refi_codebook_reads_nvivo_style_codable_folders_in_1_0_namespace(tmp_path: Path):
    path = tmp_path / "nvivo.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>'
        '<Code guid="A1B2C3D4-0000-4000-8000-000000000001" name="Themes" isCodable="true">'
        '<Code guid="A1B2C3D4-0000-4000-8000-000000000002" name="Trust" isCodable="true"/>'
        "</Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    spec = read_qdc(path)
    assert spec.paths() == ["Themes", "Themes/Trust"]
    assert [code.codable for _, code in spec.walk()] == [True, True]
    assert spec.codes[0].guid == "a1b2c3d4-0000-4000-8000-000000000001"


def test_refi_codebook_export_of_non_guid_identifiers_is_valid_and_stable(tmp_path: Path):
    spec = read_qdc(ATLAS_QDC.read_bytes())
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    write_qdc(spec, first)
    write_qdc(spec, second)
    schema().assertValid(etree.parse(str(first)))
    assert first.read_bytes() == second.read_bytes()
    assert read_qdc(first).codes[1].guid != "c001"  # "c001" is not a GUID: a derived one is used


def test_refi_codebook_codes_without_guid_get_stable_guids(tmp_path: Path):
    spec = CodebookSpec(codes=[CodeSpec(name="A", children=[CodeSpec(name="B")])])
    write_qdc(spec, tmp_path / "one.qdc")
    write_qdc(spec, tmp_path / "two.qdc")
    guids = [c.guid for _, c in read_qdc(tmp_path / "one.qdc").walk()]
    assert guids == [c.guid for _, c in read_qdc(tmp_path / "two.qdc").walk()]
    assert all(guids)
    assert len(set(guids)) == 2


def test_refi_codebook_errors_name_the_problem(tmp_path: Path):
    with pytest.raises(InvalidInput, match="at least one code"):
        write_qdc(CodebookSpec(), tmp_path / "empty.qdc")
    with pytest.raises(InvalidImport, match="expected a CodeBook element"):
        read_qdc(b"<Project xmlns='urn:QDA-XML:project:1.0' name='p'/>" + b"")
    with pytest.raises(InvalidImport, match="malformed XML"):
        read_qdc(b"<CodeBook><Codes>")
    duplicate = (
        b'<CodeBook><Codes><Code guid="c1" name="A" isCodable="true"/>'
        b'<Code guid="c1" name="B" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(InvalidImport, match="two codes share the GUID c1"):
        read_qdc(duplicate)
    with pytest.raises(InvalidImport, match="cannot read the file"):
        read_qdc(tmp_path / "missing.qdc")


def test_refi_codebook_refuses_entities(tmp_path: Path):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<CodeBook><Codes><Code guid="c1" name="&x;" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(InvalidImport, match="DOCTYPE with entity declarations"):
        read_qdc(xxe)
