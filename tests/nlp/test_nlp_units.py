"""Units of suggestion: respondents' turns and sentences, with the question as context."""

from __future__ import annotations

import re
from dataclasses import replace

from qualcode.nlp.units import make_units
from qualcode.text.transcript import TurnData

INTERVIEW = (
    "Interviewer: What were the main barriers?\n"
    "Jo: The barriers were many. Staff turnover was high and the grant came late.\n"
    "Interviewer: And what helped?\n"
    "Jo: Partnership working.\n"
    "Sam: Yes.\n"
)


def turns_of(text: str) -> list[TurnData]:
    return [
        TurnData(m.start(2), m.end(2), m.group(1), None, m.group(1) == "Interviewer")
        for m in re.finditer(r"^(\w+): (.*)$", text, re.M)
    ]


def test_interviewer_turns_are_excluded_but_give_context(nlp):
    units = make_units(INTERVIEW, turns_of(INTERVIEW), document_id=7, nlp=nlp)
    assert all(not u.is_interviewer and u.speaker in {"Jo", "Sam"} for u in units)
    by_text = {u.text: u for u in units}
    assert (
        by_text["Staff turnover was high and the grant came late."].context
        == "What were the main barriers?"
    )
    assert by_text["Partnership working."].context == "And what helped?"
    assert by_text["Yes."].context == "And what helped?"  # the question holds until the next


def test_a_turn_and_its_sentences_are_units_with_exact_offsets(nlp):
    units = make_units(INTERVIEW, turns_of(INTERVIEW), document_id=7, nlp=nlp)
    assert [(u.kind, u.text) for u in units[:3]] == [
        ("turn", "The barriers were many. Staff turnover was high and the grant came late."),
        ("sentence", "The barriers were many."),
        ("sentence", "Staff turnover was high and the grant came late."),
    ]
    assert all(INTERVIEW[u.start : u.end] == u.text and u.document_id == 7 for u in units)


def test_single_sentence_turns_are_not_repeated_as_sentences(nlp):
    units = make_units(INTERVIEW, turns_of(INTERVIEW), nlp=nlp)
    assert [u.kind for u in units if u.text == "Partnership working."] == ["turn"]


def test_interviewer_turns_can_be_included(nlp):
    units = make_units(INTERVIEW, turns_of(INTERVIEW), include_interviewer=True, nlp=nlp)
    asked = [u for u in units if u.is_interviewer]
    assert [u.text for u in asked] == ["What were the main barriers?", "And what helped?"]


def test_a_document_without_turns_is_split_by_paragraph(nlp):
    text = "First paragraph here.\n\n  Second one, with two sentences. Indeed it has two.  \n"
    units = make_units(text, [], nlp=nlp)
    turns = [u for u in units if u.kind == "turn"]
    assert [u.text for u in turns] == [
        "First paragraph here.",
        "Second one, with two sentences. Indeed it has two.",
    ]
    assert all(text[u.start : u.end] == u.text and u.context == "" for u in units)


def test_units_carry_the_analysis_they_were_cut_from(nlp):
    units = make_units(INTERVIEW, turns_of(INTERVIEW), document_id=7, nlp=nlp)
    assert all(u.doc is not None and u.doc.vocab is nlp.vocab for u in units)
    for u in units:
        assert u.doc.text.strip() == u.text
    sentence = next(
        u for u in units if u.text == "Staff turnover was high and the grant came late."
    )
    assert [t.lemma_ for t in sentence.doc][:3] == ["staff", "turnover", "be"]
    assert sentence == replace(sentence, doc=None)  # the analysis is not the unit's identity
