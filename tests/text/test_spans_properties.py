"""Property-based tests of span arithmetic and the code point <-> UTF-16 conversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.text.spans import (
    Span,
    Utf16Index,
    codepoint_to_utf16,
    covered_length,
    merge,
    trim,
    utf16_to_codepoint,
)


@st.composite
def spans(draw: st.DrawFn, limit: int = 200) -> Span:
    start = draw(st.integers(0, limit))
    return Span(start, draw(st.integers(start, limit)))


span_lists = st.lists(spans(), max_size=30)
# any character but a lone surrogate or a CR (the canonical text has "\n" line endings), with
# astral characters (emoji, musical symbols, CJK extension B) well represented
ANY = st.characters(exclude_categories=("Cs",), exclude_characters="\r")
PIECES = st.sampled_from(["😀", "𝄞", "👍🏽", "𠀀", "👩\u200d💻", "\U0010fffd", "a", " ", "\n", "é"])
texts = st.lists(ANY | PIECES, max_size=60).map("".join)


def points(spans: list[Span]) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}


@given(span_lists)
def test_merge_is_idempotent(spans: list[Span]) -> None:
    assert merge(merge(spans)) == merge(spans)


@given(span_lists, st.randoms(use_true_random=False))
def test_merge_does_not_depend_on_order(spans: list[Span], rng) -> None:
    shuffled = list(spans)
    rng.shuffle(shuffled)
    assert merge(shuffled) == merge(spans)
    assert merge(spans + spans) == merge(spans)


@given(span_lists)
def test_merge_gives_sorted_disjoint_non_touching_non_empty_spans(spans: list[Span]) -> None:
    merged = merge(spans)
    assert all(len(s) > 0 for s in merged)
    for left, right in zip(merged, merged[1:], strict=False):
        assert left.end < right.start  # touching spans would have been joined


@given(span_lists)
def test_merge_covers_exactly_the_same_characters(spans: list[Span]) -> None:
    assert points(merge(spans)) == points(spans)
    assert covered_length(spans) == len(points(spans))


@given(span_lists)
def test_covered_length_is_at_most_the_sum_and_at_least_the_longest(spans: list[Span]) -> None:
    covered = covered_length(spans)
    assert covered <= sum(len(s) for s in spans)
    assert covered >= max((len(s) for s in spans), default=0)


@given(span_lists, span_lists)
def test_merge_of_a_union_is_the_merge_of_the_merged_parts(a: list[Span], b: list[Span]) -> None:
    assert merge(a + b) == merge(merge(a) + merge(b))


@given(spans(), spans())
def test_intersection_is_symmetric_contained_and_agrees_with_overlaps(a: Span, b: Span) -> None:
    both = a.intersection(b)
    assert both == b.intersection(a)
    assert a.overlaps(b) == b.overlaps(a)
    if len(a) and len(b):  # an empty span inside another "overlaps" it, but shares no character
        assert (both is not None) == a.overlaps(b)
    if both is not None:
        assert a.contains(both)
        assert b.contains(both)
        assert points([both]) == points([a]) & points([b])
    else:
        assert not points([a]) & points([b])


@given(spans(), st.integers(0, 250))
def test_clip_stays_inside_the_text_and_inside_the_span(span: Span, length: int) -> None:
    clipped = span.clip(length)
    assert clipped.end <= length or clipped == span
    assert points([clipped]) == points([span]) & set(range(length))


@given(st.integers(-5, 5), st.integers(-5, 5))
def test_a_span_never_starts_negative_or_ends_before_it_starts(start: int, end: int) -> None:
    if start < 0 or end < start:
        with pytest.raises(ValueError, match="invalid span"):
            Span(start, end)
    else:
        assert len(Span(start, end)) == end - start


@given(texts, st.data())
def test_trim_shrinks_to_no_outer_whitespace_and_is_idempotent(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    span = Span(start, data.draw(st.integers(start, len(text))))
    trimmed = trim(text, span)
    assert span.contains(trimmed)
    quote = text[trimmed.start : trimmed.end]
    assert quote == quote.strip() or quote == ""
    assert text[span.start : span.end].strip() == quote.strip()
    assert trim(text, trimmed) == trimmed


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(texts)
def test_utf16_offsets_of_every_code_point_match_an_independent_count(text: str) -> None:
    index = Utf16Index(text)
    for offset in range(len(text) + 1):
        expected = utf16_length(text[:offset])
        assert index.to_utf16(offset) == expected == codepoint_to_utf16(text, offset)
        assert index.from_utf16(expected) == offset == utf16_to_codepoint(text, expected)


@given(texts)
def test_utf16_offsets_inside_a_surrogate_pair_or_outside_the_text_are_refused(text: str) -> None:
    index = Utf16Index(text)
    for offset, char in enumerate(text):
        if ord(char) > 0xFFFF:
            with pytest.raises(ValueError, match="surrogate pair"):
                index.from_utf16(index.to_utf16(offset) + 1)
    with pytest.raises(ValueError, match="outside"):
        index.from_utf16(utf16_length(text) + 1)
    with pytest.raises(ValueError, match="outside"):
        index.to_utf16(len(text) + 1)


@given(texts, st.data())
def test_utf16_spans_round_trip_and_select_the_same_text(text: str, data) -> None:
    index = Utf16Index(text)
    start = data.draw(st.integers(0, len(text)))
    span = Span(start, data.draw(st.integers(start, len(text))))
    start16, end16 = index.span_to_utf16(span)
    assert index.span_from_utf16(start16, end16) == span
    as_utf16 = text.encode("utf-16-le")
    assert as_utf16[2 * start16 : 2 * end16].decode("utf-16-le") == text[span.start : span.end]
