"""An imported source's text brought to the canonical form ``add_document`` requires, with
offsets mapped so every selection still holds the same words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.services.interchange_text import canonical_text
from qualcode.text.normalize import normalize_text
from qualcode.text.spans import Span


def test_interchange_text_canonical_text_is_left_alone():
    text = "Interviewer: Why?\nR: Because 😀."
    canonical = canonical_text(text)
    assert (canonical.text, canonical.changed) == (text, False)
    assert canonical.span(3, 9) == Span(3, 9)


def test_interchange_text_trailing_spaces_and_controls_go_and_offsets_follow():
    text = "Q: Why?  \nA:\tStaff\x07 turnover.\t\n\ufeffQ: And?\u2028"
    canonical = canonical_text(text)
    assert canonical.text == normalize_text(text) == "Q: Why?\nA:\tStaff turnover.\nQ: And?\n"
    start = text.index("Staff")
    span = canonical.span(start, text.index("turnover.") + len("turnover."))
    assert canonical.text[span.start : span.end] == "Staff turnover."
    whole = canonical.span(0, len(text))
    assert canonical.text[whole.start : whole.end] == canonical.text
    # a selection ending in the dropped spaces ends where the line does
    end = canonical.span(0, text.index("\n"))
    assert canonical.text[end.start : end.end] == "Q: Why?"


def test_interchange_text_composition_across_a_removed_control_is_refused():
    with pytest.raises(ValueError, match="canonical form"):
        canonical_text("e\x01\u0301")


@given(st.text(alphabet=st.sampled_from(list("ab \t\n\x0b\x07\ufeff😀é")), max_size=40))
def test_interchange_text_every_kept_character_maps_to_itself(text: str):
    canonical = canonical_text(text)
    assert canonical.text == normalize_text(text)
    for i, ch in enumerate(text):
        span = canonical.span(i, i + 1)
        if len(span):
            assert canonical.text[span.start] == ("\n" if ch == "\x0b" else ch)
