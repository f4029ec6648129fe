"""Disagreement regions: maximal stretches only one of two coders coded."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.stats.disagreement import Disagreement, disagreements
from qualcode.stats.units import DocumentLayers
from qualcode.text.spans import Span


def test_disagreement_regions_with_each_coders_spans():
    document = DocumentLayers(
        1,
        100,
        None,
        {
            "ann": {"c": [Span(0, 30), Span(20, 40), Span(80, 90)]},
            "bob": {"c": [Span(10, 40), Span(50, 60)]},
        },
    )
    assert disagreements(document, "c", "ann", "bob") == [
        Disagreement(0, 10, "ann", (Span(0, 30),), (Span(10, 40),)),
        Disagreement(50, 60, "bob", (), (Span(50, 60),)),
        Disagreement(80, 90, "ann", (Span(80, 90),), ()),
    ]
    assert disagreements(document, "c", "ann", "bob")[0].to_dict() == {
        "start": 0,
        "end": 10,
        "coder": "ann",
        "spans_a": [[0, 30]],
        "spans_b": [[10, 40]],
    }


def test_disagreement_none_when_coders_agree_or_code_is_unused():
    document = DocumentLayers(1, 50, None, {"ann": {"c": [Span(5, 9)]}, "bob": {"c": [Span(5, 9)]}})
    assert disagreements(document, "c", "ann", "bob") == []
    assert disagreements(document, "other", "ann", "bob") == []


span = st.tuples(st.integers(0, 40), st.integers(0, 40)).map(lambda p: Span(min(p), max(p)))


@settings(database=None, max_examples=100, deadline=None)
@given(st.lists(span, max_size=4), st.lists(span, max_size=4))
def test_disagreement_regions_are_the_maximal_one_coder_runs(spans_a, spans_b):
    document = DocumentLayers(1, 40, None, {"ann": {"c": spans_a}, "bob": {"c": spans_b}})

    def who(i: int) -> str | None:
        a = any(s.start <= i < s.end for s in spans_a)
        b = any(s.start <= i < s.end for s in spans_b)
        return ("ann" if a else "bob") if a != b else None

    expected, i = [], 0
    while i < 40:
        coder, start = who(i), i
        while i < 40 and who(i) == coder:
            i += 1
        if coder:
            expected.append((start, i, coder))
    found = disagreements(document, "c", "ann", "bob")
    assert [(d.start, d.end, d.coder) for d in found] == expected
    for d in found:
        assert all(s.start <= d.end and s.end >= d.start for s in d.spans_a + d.spans_b)
        assert d.spans_a if d.coder == "ann" else d.spans_b
