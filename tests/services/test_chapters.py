"""The chapter outline and the quote bank: pinning, ordering, unpinning, citations that
survive re-importing a corrected transcript, and editing the outline."""

from __future__ import annotations

import pytest
from factories import (
    make_code,
    make_coding,
    make_document,
    make_project,
    make_user,
    transcript_from_turns,
)
from sqlalchemy import select

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Coding, Document, Event, PinnedQuote
from qualcode.services import chapters
from qualcode.services import documents as document_service
from qualcode.services.importing import store_transcript

TURNS = [
    ("Interviewer", "What got in the way of the targets?"),
    ("Jane Smith", "Staff turnover, mainly. The champion left and nobody handed over."),
    ("Interviewer", "And what helped?"),
    ("Jane Smith", "The pump priming money let us start early. Without it, no chance."),
]
TURNOVER = "The champion left and nobody handed over."
PRIMING = "The pump priming money let us start early."


@pytest.fixture
def bank(session):
    lead = make_user(session, "lead", display_name="Lena Lead")
    project = make_project(session, "bank", owner=lead)
    turnover = make_code(session, project, "Staff turnover")
    priming = make_code(session, project, "Pump priming")
    doc = make_document(
        session, project, title="Avonbury coordinator", turns=TURNS, case="Avonbury"
    )
    role = document_service.define_attribute(session, project, "interviewee_role", "document")
    document_service.set_attribute(session, role, doc, "LPSA coordinator", user_id=None)
    codings = [
        make_coding(session, doc, turnover, lead, quote=TURNOVER),
        make_coding(session, doc, priming, lead, quote=PRIMING),
        make_coding(session, doc, turnover, lead, quote="Staff turnover, mainly."),
    ]
    chapter = chapters.add_chapter(
        session, project, number="4", title="Implementation", user_id=lead.id
    )
    barriers = chapters.add_section(
        session, chapter, number="4.1", title="Barriers", code_ids=[turnover.id], user_id=lead.id
    )
    enablers = chapters.add_section(
        session, chapter, number="4.2", title="Enablers", code_ids=[priming.id], user_id=lead.id
    )
    session.commit()
    return {
        "lead": lead,
        "project": project,
        "doc": doc,
        "codings": codings,
        "barriers": barriers,
        "enablers": enablers,
        "turnover": turnover,
    }


def _pin(session, bank, coding, section, note=""):
    return chapters.pin_quote(
        session,
        bank["project"],
        coding_id=coding.id,
        section=section,
        note=note,
        user_id=bank["lead"].id,
    )


def test_chapters_pin_stores_a_full_citation_and_the_quote(session, bank):
    pin = _pin(session, bank, bank["codings"][0], bank["barriers"], note="  opens 4.1 ")
    doc = bank["doc"]
    assert pin.quote == TURNOVER == doc.text[pin.citation["start"] : pin.citation["end"]]
    assert pin.note == "opens 4.1"
    assert pin.citation == {
        "document": "Avonbury coordinator",
        "document_guid": doc.guid,
        "document_id": doc.id,
        "version": 1,
        "paragraph": 2,
        "turn": 2,
        "speaker": "Jane Smith",
        "coder": "Lena Lead",
        "case": "Avonbury",
        "role": "LPSA coordinator",
        "code": "Staff turnover",
        "coding_guid": bank["codings"][0].guid,
        "start": doc.text.index(TURNOVER),
        "end": doc.text.index(TURNOVER) + len(TURNOVER),
    }
    event = session.scalars(select(Event).where(Event.action == "pin.created")).one()
    assert event.detail == {"coding_id": bank["codings"][0].id, "section": "4.1"}


def test_chapters_pins_are_ordered_moved_and_unpinned(session, bank):
    first, second, third = bank["codings"]
    a = _pin(session, bank, first, bank["barriers"])
    b = _pin(session, bank, third, bank["barriers"])
    c = _pin(session, bank, second, bank["barriers"])
    section = bank["barriers"]
    assert [p.id for p in section.pins] == [a.id, b.id, c.id]

    chapters.reorder_pins(session, section, [c.id, a.id, b.id], user_id=None)
    assert [(p.id, p.position) for p in section.pins] == [(c.id, 0), (a.id, 1), (b.id, 2)]
    with pytest.raises(InvalidInput):
        chapters.reorder_pins(session, section, [c.id, a.id], user_id=None)

    chapters.move_pin(session, b, position=0, user_id=None)
    assert [p.id for p in section.pins] == [b.id, c.id, a.id]
    chapters.move_pin(session, c, position=0, section=bank["enablers"], user_id=None)
    assert [p.id for p in section.pins] == [b.id, a.id]
    assert [p.position for p in section.pins] == [0, 1]
    assert [p.id for p in bank["enablers"].pins] == [c.id]

    chapters.unpin(session, b, user_id=None)
    session.commit()
    assert [(p.id, p.position) for p in section.pins] == [(a.id, 0)]
    assert session.get(PinnedQuote, b.id) is None
    assert session.get(Coding, third.id) is not None  # unpinning never touches the coding


def test_chapters_pin_refuses_duplicates_and_other_projects(session, bank):
    _pin(session, bank, bank["codings"][0], bank["barriers"])
    with pytest.raises(Conflict, match="already pinned to section 4.1"):
        _pin(session, bank, bank["codings"][0], bank["barriers"])
    other = make_project(session, "other", owner=bank["lead"])
    with pytest.raises(NotFound):
        chapters.pin_quote(
            session, other, coding_id=bank["codings"][1].id, section=bank["enablers"], user_id=None
        )
    with pytest.raises(NotFound):
        chapters.get_section(session, other, bank["barriers"].id)


def test_chapters_pin_follows_its_coding_into_a_corrected_transcript(session, bank):
    coding = bank["codings"][0]
    pin = _pin(session, bank, coding, bank["barriers"])
    session.commit()
    corrected = [("Interviewer", "Thank you for seeing us."), *TURNS]
    corrected[2] = ("Jane Smith", "Staff turnover, mainly! " + TURNOVER)
    result = store_transcript(
        session,
        bank["project"],
        transcript_from_turns(corrected),
        title="Avonbury coordinator",
        user_id=None,
    )
    session.commit()
    new_doc = session.get(Document, result.document_id)
    assert new_doc.version == 2
    assert not bank["doc"].is_current

    session.refresh(pin)
    assert pin.coding_id == coding.id
    resolved = chapters.resolve_pins(session, [pin])[0]
    assert resolved.live
    assert resolved.flag is None
    assert resolved.text == TURNOVER == new_doc.text[coding.start : coding.end]
    assert resolved.citation["document_id"] == new_doc.id
    assert resolved.citation["version"] == 2
    assert resolved.citation["paragraph"] == 3  # one turn was inserted above it
    assert pin.citation["document_id"] == bank["doc"].id  # the stored citation is kept


def test_chapters_pin_of_a_deleted_coding_keeps_its_citation_and_is_flagged(session, bank):
    coding = bank["codings"][1]
    pin = _pin(session, bank, coding, bank["enablers"])
    stored = dict(pin.citation)
    session.delete(coding)
    session.commit()
    session.refresh(pin)
    assert pin.coding_id is None
    resolved = chapters.resolve_pins(session, [pin])[0]
    assert not resolved.live
    assert "removed" in resolved.flag
    assert resolved.text == PRIMING
    assert resolved.citation == stored


def test_chapters_pin_of_a_passage_gone_from_the_correction_is_flagged(session, bank):
    pin = _pin(session, bank, bank["codings"][1], bank["enablers"])
    session.commit()
    rewritten = [*TURNS[:3], ("Jane Smith", "We had the grant, and that was all it took.")]
    store_transcript(
        session,
        bank["project"],
        transcript_from_turns(rewritten),
        title="Avonbury coordinator",
        user_id=None,
    )
    session.commit()
    resolved = chapters.resolve_pins(session, [pin])[0]
    assert not resolved.live
    assert "corrected transcript" in resolved.flag
    assert resolved.text == PRIMING
    assert resolved.citation["paragraph"] == 4


def test_chapters_outline_is_editable(session, bank):
    project, lead = bank["project"], bank["lead"]
    chapter = chapters.chapter_by_number(session, project, "4")
    with pytest.raises(Conflict):
        chapters.add_chapter(session, project, number="4", title="Again", user_id=lead.id)
    with pytest.raises(Conflict):
        chapters.add_section(session, chapter, number="4.1", title="Again", user_id=lead.id)
    with pytest.raises(InvalidInput):
        chapters.add_chapter(session, project, number=" ", title="No number", user_id=None)
    five = chapters.add_chapter(session, project, number="5", title="Outcomes", user_id=None)
    chapters.move_chapter(session, five, 0, user_id=None)
    assert [c.number for c in chapters.outline(session, project)] == ["5", "4"]

    extra = chapters.add_section(session, chapter, number="4.3", title="Diversion", user_id=None)
    chapters.move_section(session, extra, 0, user_id=None)
    assert [s.number for s in chapter.sections] == ["4.3", "4.1", "4.2"]
    chapters.update_section(
        session, extra, title="Resource diversion", code_ids=[bank["turnover"].id], user_id=None
    )
    assert [c.name for c in extra.codes] == ["Staff turnover"]
    assert chapters.section_by_number(session, project, "4.3").title == "Resource diversion"

    _pin(session, bank, bank["codings"][0], extra)
    chapters.delete_section(session, extra, user_id=None)
    session.commit()
    assert [s.number for s in chapter.sections] == ["4.1", "4.2"]
    assert [s.position for s in chapter.sections] == [0, 1]
    assert session.scalars(select(PinnedQuote)).all() == []
    chapters.delete_chapter(session, five, user_id=None)
    session.commit()
    assert [(c.number, c.position) for c in chapters.outline(session, project)] == [("4", 0)]
    with pytest.raises(NotFound):
        chapters.section_by_number(session, project, "4.3")
