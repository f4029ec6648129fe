"""Codebooks in and out of the database: the default LPSA codebook, lossless round trips through
YAML and REFI-QDA .qdc, re-imports, and frozen named versions."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from lxml import etree
from sqlalchemy import select

from qualcode.errors import Conflict, InvalidInput
from qualcode.interop.codebook_files import default_codebook_path, read_codebook, write_codebook
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.models import ChapterOutline, Code, Coding, Event
from qualcode.services import codebook as codebook_service
from qualcode.services import codebook_io

XSD = Path(__file__).parent.parent / "data" / "refi" / "Codebook.xsd"


def without_guids(codes: list[CodeSpec]) -> list[CodeSpec]:
    out = copy.deepcopy(codes)
    stack = list(out)
    while stack:
        code = stack.pop()
        code.guid = None
        stack.extend(code.children)
    return out


def exchange_spec() -> CodebookSpec:
    """A codebook using every field, with GUIDs in the upper-case form some tools write."""
    turnover = CodeSpec(
        name="Staff turnover without handover",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c01",
        color="#D62728",
        kind="barrier",
        definition="Key staff leave or change roles; nobody picks up the target.\nSecondments too.",
        inclusion="The departure is said to have slowed or stalled delivery.",
        exclusion="Routine restructuring with no effect on the targets (Context).",
        typical_example="We lost our project lead in month three and it all stalled.",
        atypical_example="Kind of a relief: the new lead actually read the agreement.",
        keywords=["turnover", "left", "handover", "new in post"],
        chapter="4",
        section="4.1",
    )
    retired = CodeSpec(
        name="Old barrier",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c02",
        color="#AABBCC",
        kind="barrier",
        active=False,
    )
    barriers = CodeSpec(
        name="Barriers",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c00",
        color="#9B1B1B",
        kind="barrier",
        chapter="4",
        section="4.1",
        codable=False,
        children=[turnover, retired],
    )
    enablers = CodeSpec(
        name="Enablers",
        guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c10",
        color="#1A7F37",
        kind="enabler",
        chapter="4",
        section="4.2",
        children=[
            CodeSpec(
                name="Pump-priming grant",
                color="#2DA44E",
                guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c11",
                kind="enabler",
                keywords=["pump priming"],
            )
        ],
    )
    chapters = [
        ChapterSpec(
            "4",
            "Implementation",
            [
                SectionSpec(
                    "4.1",
                    "Barriers to improvement",
                    ["Barriers", "Barriers/Staff turnover without handover"],
                ),
                SectionSpec("4.2", "Incentives and enablers", ["Enablers/Pump-priming grant"]),
            ],
        )
    ]
    return CodebookSpec(name="LPSA", codes=[barriers, enablers], chapters=chapters)


@pytest.fixture(scope="module")
def lpsa() -> CodebookSpec:
    return read_codebook(default_codebook_path())


def test_codebook_io_default_codebook_loads_with_every_chapter(session, lpsa):
    project = make_project(session, "lpsa")
    counts = codebook_io.import_spec(session, project, lpsa)
    session.commit()

    assert counts == {"created": 82, "updated": 0, "chapters": 7}
    codes = codebook_service.all_codes(session, project.id)
    assert len(codes) == 82
    chapters = session.scalars(
        select(ChapterOutline)
        .where(ChapterOutline.project_id == project.id)
        .order_by(ChapterOutline.position)
    ).all()
    assert [c.number for c in chapters] == ["1", "2", "3", "4", "5", "6", "7"]
    for chapter in chapters:
        assert chapter.sections, chapter.title
        assert all(section.codes for section in chapter.sections), chapter.title
        assert any(code.chapter == chapter.number for code in codes), chapter.title
    paths = set(codebook_service.paths(codes).values())
    assert {
        "Barriers/Staff turnover without handover",
        "Enablers/Pump-priming grant",
        "Enablers/Target champion",
    } <= paths


@pytest.mark.slow
def test_codebook_io_yaml_db_yaml_keeps_every_field(session, lpsa, tmp_path):
    project = make_project(session, "lpsa")
    codebook_io.import_spec(session, project, lpsa)
    out = tmp_path / "out.yaml"
    write_codebook(codebook_io.export_spec(session, project), out)
    back = read_codebook(out)

    assert without_guids(back.codes) == lpsa.codes  # every field of every code, in order
    assert back.chapters == lpsa.chapters
    assert all(code.guid for _, code in back.walk())  # each code got its stable identity
    again = make_project(session, "lpsa-copy")  # the same export loads into another project
    assert codebook_io.import_spec(session, again, back)["created"] == 82
    guids = {c.guid for c in codebook_service.all_codes(session, again.id)}
    assert guids.isdisjoint({code.guid for _, code in back.walk()})


def test_codebook_io_qdc_db_qdc_keeps_every_field_and_validates(session, tmp_path):
    source = tmp_path / "in.qdc"
    write_codebook(exchange_spec(), source)
    text = source.read_text(encoding="utf-8").replace(
        'guid="0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c01"', 'guid="0B9A5C1E-2F4D-4C8E-9A61-3D2F7E8B1C01"'
    )
    source.write_text(text, encoding="utf-8")
    original = read_codebook(source)
    project = make_project(session, "lpsa")
    codebook_io.import_spec(session, project, original)
    session.commit()

    out = tmp_path / "out.qdc"
    write_codebook(codebook_io.export_spec(session, project), out)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.parse(str(out)))
    back = read_codebook(out)
    assert back.codes == original.codes
    assert back.chapters == original.chapters
    assert back.codes[0].children[0].guid == "0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c01"


def test_codebook_io_reimport_updates_in_place_and_keeps_codings(session, tmp_path):
    owner = make_user(session, "owner")
    project = make_project(session, "lpsa", owner=owner)
    codebook_io.import_spec(session, project, exchange_spec())
    turnover = codebook_service.resolve(
        session, project, "Barriers/Staff turnover without handover"
    )
    doc = make_document(session, project)
    make_coding(session, doc, turnover, owner, quote="staff turnover")
    codebook_service.update_code(session, turnover, user_id=None, name="Turnover")

    changed = exchange_spec()
    changed.codes[0].children[0].definition = "Revised after calibration round 2."
    counts = codebook_io.import_spec(session, project, changed)

    assert counts == {"created": 0, "updated": 5, "chapters": 1}  # renamed code found by GUID
    session.refresh(turnover)
    assert turnover.definition == "Revised after calibration round 2."
    assert session.scalars(select(Coding.code_id)).all() == [turnover.id]
    assert len(codebook_service.all_codes(session, project.id)) == 5


def test_codebook_io_freezing_a_version(session):
    project = make_project(session, "lpsa")
    codebook_io.import_spec(session, project, exchange_spec())
    assert codebook_io.version_label(session, project).startswith("an unfrozen working copy")

    version = codebook_io.freeze_version(
        session, project, "v1.0", note="agreed after calibration round 2"
    )
    assert codebook_io.version_label(session, project) == "v1.0"
    assert codebook_io.export_spec(session, project).version == "v1.0"
    frozen = codebook_io.version_spec(version)
    assert frozen.version == "v1.0"
    assert frozen.codes == codebook_io.export_spec(session, project).codes

    code = codebook_service.resolve(session, project, "Enablers/Pump-priming grant")
    codebook_service.update_code(session, code, user_id=None, definition="Changed later.")
    make_code(session, project, "Context")
    assert codebook_io.version_label(session, project) == (
        "v1.0 with changes made since it was frozen"
    )
    assert codebook_io.version_spec(codebook_io.get_version(session, project, "v1.0")) == frozen
    assert [c.name for c in frozen.codes] == ["Barriers", "Enablers"]

    with pytest.raises(Conflict, match="already has a codebook version named v1.0"):
        codebook_io.freeze_version(session, project, "v1.0")
    with pytest.raises(InvalidInput, match="needs a name"):
        codebook_io.freeze_version(session, project, "  ")
    codebook_io.freeze_version(session, project, "v1.1")
    assert [v.name for v in codebook_io.list_versions(session, project)] == ["v1.1", "v1.0"]
    assert codebook_io.version_label(session, project) == "v1.1"
    frozen_events = session.scalars(
        select(Event.detail).where(Event.action == "codebook.frozen")
    ).all()
    assert frozen_events == [{"name": "v1.0"}, {"name": "v1.1"}]


def test_codebook_io_import_records_one_event_per_code(session):
    project = make_project(session, "lpsa")
    codebook_io.import_spec(session, project, exchange_spec(), user_id=None)
    actions = session.scalars(select(Event.action).where(Event.project_id == project.id)).all()
    assert actions.count("code.created") == 5
    assert actions[-1] == "codebook.imported"
    assert session.scalars(select(Code.guid).where(Code.name == "Barriers")).one() == (
        "0b9a5c1e-2f4d-4c8e-9a61-3d2f7e8b1c00"
    )
