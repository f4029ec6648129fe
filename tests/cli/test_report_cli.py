"""``qualcode report | chapters | pin``: the pack written by -o, the outline listing, pinning
by section number, and one-line errors."""

from __future__ import annotations

import json

import docx
import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select

from qualcode.models import PinnedQuote
from qualcode.services import chapters
from qualcode.services.reports import set_pseudonyms

ANSWER = "At Avonbury the champion left in the spring and nobody handed over the target."


@pytest.fixture
def world(session):
    owner = make_user(session, "ruth", display_name="Ruth Okafor")
    project = make_project(session, "lpsa", owner=owner, title="LPSA sample")
    code = make_code(session, project, "Staff turnover", definition="People leaving.")
    doc = make_document(
        session,
        project,
        title="avonbury-coordinator",
        case="Avonbury",
        turns=[("Interviewer", "What got in the way?"), ("Jane", ANSWER)],
    )
    coding = make_coding(session, doc, code, owner, quote=ANSWER)
    four = chapters.add_chapter(session, project, number="4", title="Implementation", user_id=None)
    chapters.add_section(
        session, four, number="4.1", title="Barriers", code_ids=[code.id], user_id=None
    )
    five = chapters.add_chapter(session, project, number="5", title="Outcomes", user_id=None)
    chapters.add_section(session, five, number="5.1", title="Capacity", user_id=None)
    set_pseudonyms(
        session, project, [{"find": "Avonbury", "replace": "[Authority A]"}], user_id=None
    )
    session.commit()
    return {"coding_id": coding.id}


def _document_text(path) -> str:
    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def test_report_cli_writes_the_chapter_pack(runner, world, tmp_path):
    out = tmp_path / "packs" / "chapter-4.docx"
    result = runner(["report", "lpsa", "-o", str(out), "--chapter", "4", "--per-case", "2"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 1 chapter(s), 1 sections, 1 quotes." in result.output
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["4 Implementation", "4.1 Barriers", "Staff turnover"]
    assert [p.text for p in document.paragraphs if p.style.name == "Quote"] == [ANSWER]
    assert "at most 2 per case" in "\n".join(
        c.text for r in document.tables[0].rows for c in r.cells
    )
    assert list(tmp_path.joinpath("packs").iterdir()) == [out]  # no temporary file left


def test_report_cli_whole_outline_and_pseudonymised(runner, world, tmp_path):
    out = tmp_path / "all.docx"
    assert runner(["report", "lpsa", "-o", str(out), "--pseudonymise"]).exit_code == 0
    text = _document_text(out)
    assert "5 Outcomes" in text
    assert "No codes are mapped to this section yet." in text
    assert "Avonbury" not in text
    assert "At [Authority A] the champion left" in text


def test_report_cli_errors_are_one_line(runner, world, tmp_path):
    result = runner(["report", "lpsa", "-o", str(tmp_path / "x.docx"), "--chapter", "9"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no chapter 9 in the outline of lpsa"
    result = runner(["report", "lpsa", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "name it FILE.docx" in result.output
    result = runner(["report", "nope", "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1
    assert not (tmp_path / "x.docx").exists()


def test_pin_cli_pins_by_section_number_and_chapters_lists_it(runner, world, session):
    result = runner(
        [
            "pin",
            "lpsa",
            "--coding",
            str(world["coding_id"]),
            "--section",
            "4.1",
            "--note",
            "opens the section",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "to 4.1 Barriers: avonbury-coordinator, para. 2." in result.output
    pin = session.scalars(select(PinnedQuote)).one()
    assert (pin.coding_id, pin.note, pin.quote) == (world["coding_id"], "opens the section", ANSWER)
    again = runner(["pin", "lpsa", "--coding", str(world["coding_id"]), "--section", "4.1"])
    assert again.exit_code == 1
    assert "already pinned to section 4.1" in again.output
    missing = runner(["pin", "lpsa", "--coding", "999999", "--section", "4.1"])
    assert missing.output.strip() == "Error: no coding with id 999999"

    listing = runner(["chapters", "lpsa"]).output
    assert "4 Implementation" in listing
    assert "4.1 Barriers (1 codes, 1 pinned)" in listing
    assert "(avonbury-coordinator, para. 2)" in listing
    assert "note: opens the section" in listing
    data = json.loads(runner(["chapters", "lpsa", "--json"]).output)
    section = data["chapters"][0]["sections"][0]
    assert section["codes"] == ["Staff turnover"]
    assert section["pins"][0]["quote"] == ANSWER
    assert section["pins"][0]["citation"]["case"] == "Avonbury"
    assert [c["number"] for c in data["chapters"]] == ["4", "5"]
