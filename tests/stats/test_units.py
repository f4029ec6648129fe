"""The unit model: tallies from span sweeps equal per-character and per-turn brute force."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.errors import InvalidInput
from qualcode.stats.binary import BinaryCounts
from qualcode.stats.units import (
    CoderSpans,
    CodingTally,
    DocumentLayers,
    Segment,
    coded_segments,
    tally,
)
from qualcode.text.spans import Span

CODERS = ("ann", "bob", "cat")


@st.composite
def documents(draw: st.DrawFn) -> DocumentLayers:
    length = draw(st.integers(0, 40))
    span = st.tuples(st.integers(0, length), st.integers(0, length)).map(
        lambda p: Span(min(p), max(p))
    )
    layers = {
        coder: {"c": draw(st.lists(span, max_size=4))}
        for coder in CODERS
        if draw(st.integers(0, 4))  # one in five coders did not code the document
    }
    cuts = draw(st.lists(st.integers(0, length), unique=True).map(sorted))
    turns = [Span(s, e) for s, e in zip(cuts[::2], cuts[1::2], strict=False)]
    return DocumentLayers("d", length, turns, layers)


def brute_force(document: DocumentLayers, unit: str) -> Counter[tuple[int, int]]:
    """Count units by (present, coded) masks, one character or turn at a time."""
    present = sum(1 << i for i, c in enumerate(CODERS) if c in document.layers)
    turns = document.turns or []
    units = [Span(i, i + 1) for i in range(document.length)] if unit == "character" else turns
    counts: Counter[tuple[int, int]] = Counter()
    for u in units:
        if len(u) == 0:
            continue
        coded = 0
        for i, coder in enumerate(CODERS):
            spans = document.layers.get(coder, {}).get("c", [])
            if any(len(s) and s.overlaps(u) for s in spans):
                coded |= 1 << i
        counts[present, coded] += 1
    return counts


@settings(database=None, max_examples=150, deadline=None)
@given(documents(), st.sampled_from(["character", "paragraph"]))
def test_units_tally_equals_brute_force(document, unit):
    result = tally(document, "c", CODERS, unit)
    assert +result.cells == brute_force(document, unit)


@settings(database=None, max_examples=100, deadline=None)
@given(documents())
def test_units_segments_cover_exactly_the_coded_characters(document):
    segments = coded_segments(document, "c", CODERS)
    by_character = {}
    for segment in segments:
        assert segment.start < segment.end
        for i in range(segment.start, segment.end):
            by_character[i] = segment.coders
    for i in range(document.length):
        expected = tuple(
            c
            for c in CODERS
            if any(s.start <= i < s.end for s in document.layers.get(c, {}).get("c", []))
        )
        assert by_character.get(i, ()) == expected
    for left, right in zip(segments, segments[1:], strict=False):
        assert left.end <= right.start
        assert left.end < right.start or left.coders != right.coders  # maximal runs


def test_units_segments_of_two_overlapping_codings():
    document = DocumentLayers(
        1, 20, None, {"ann": {"c": [Span(0, 10)]}, "bob": {"c": [Span(5, 15)]}}
    )
    assert coded_segments(document, "c", ["ann", "bob"]) == [
        Segment(0, 5, ("ann",)),
        Segment(5, 10, ("ann", "bob")),
        Segment(10, 15, ("bob",)),
    ]


def test_units_one_coders_overlapping_and_touching_spans_count_once():
    document = DocumentLayers(
        1, 30, None, {"ann": {"c": [Span(0, 10), Span(5, 20), Span(20, 25)]}, "bob": {}}
    )
    result = tally(document, "c", ["ann", "bob"])
    assert result.cells == {(0b11, 0b01): 25, (0b11, 0): 5}
    assert result.pair("ann", "bob").n10 == 25


def test_units_turn_counts_as_coded_if_any_character_is():
    turns = [Span(6, 20), Span(26, 40), Span(46, 46), Span(52, 70)]
    document = DocumentLayers(
        1,
        70,
        turns,
        {"ann": {"c": [Span(10, 11)]}, "bob": {"c": [Span(0, 6), Span(19, 30)]}},
    )
    # bob's [0, 6) covers only the speaker label before the first turn; the empty turn is no unit
    result = tally(document, "c", ["ann", "bob"], "paragraph")
    assert result.units == 3
    assert result.pair("ann", "bob") == BinaryCounts(n11=1, n10=0, n01=1, n00=1)


def test_units_absent_coder_is_missing_not_uncoded():
    document = DocumentLayers(1, 10, None, {"ann": {"c": [Span(0, 4)]}})
    result = tally(document, "c", ["ann", "bob"])
    assert result.cells == {(0b01, 0b01): 4, (0b01, 0): 6}
    assert result.pair("ann", "bob").total == 0
    assert result.ratings().cells == {(1, 1): 4, (1, 0): 6}


def test_units_huge_document_is_not_walked_character_by_character():
    length = 10**15
    document = DocumentLayers(
        1, length, None, {"ann": {"c": [Span(0, 10**14)]}, "bob": {"c": [Span(5, 10**14 + 5)]}}
    )
    counts = tally(document, "c", ["ann", "bob"]).pair("ann", "bob")
    assert (counts.n11, counts.n10, counts.n01) == (10**14 - 5, 5, 5)
    assert counts.total == length


def test_units_tallies_add_like_concatenated_documents():
    first = CodingTally(("a", "b"), Counter({(3, 1): 2}))
    second = CodingTally(("a", "b"), Counter({(3, 1): 1, (3, 3): 4}))
    assert (first + second).cells == {(3, 1): 3, (3, 3): 4}
    with pytest.raises(ValueError, match="different coders"):
        first + CodingTally(("a", "c"))


def test_units_invalid_spans_and_turns_are_refused():
    with pytest.raises(InvalidInput, match=r"document 7: ann's coding of c at \[5, 12\)"):
        DocumentLayers(7, 10, None, {"ann": {"c": [Span(5, 12)]}})
    with pytest.raises(InvalidInput, match="turn"):
        DocumentLayers(7, 10, [Span(0, 5), Span(4, 8)], {})
    with pytest.raises(InvalidInput, match="turn"):
        DocumentLayers(7, 10, [Span(0, 11)], {})


def test_units_paragraph_unit_needs_turns():
    document = DocumentLayers(3, 10, None, {"ann": {}, "bob": {}})
    with pytest.raises(InvalidInput, match="document 3 has no turns"):
        tally(document, "c", ["ann", "bob"], "paragraph")
    with pytest.raises(InvalidInput, match="unknown unit"):
        tally(document, "c", ["ann", "bob"], "sentence")


def test_units_document_from_coder_spans():
    document = DocumentLayers.from_coders(
        "doc", 10, [CoderSpans("ann", {"c": [Span(0, 2)]}), CoderSpans("bob", {})]
    )
    assert document.layers == {"ann": {"c": [Span(0, 2)]}, "bob": {}}
    assert document.turns is None
