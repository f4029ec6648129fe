"""Choosing quotes for a pack: overlaps dropped, at most N per case, roles spread."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.reports.selection import balanced, drop_overlaps


@dataclass(frozen=True)
class Q:
    name: str
    case: str | None = "A"
    role: str | None = "officer"
    words: int = 20
    doc: int = 1
    start: int = 0
    end: int = 10


def _pick(items, per_case):
    return [
        q.name
        for q in balanced(
            items, per_case, case=lambda q: q.case, role=lambda q: q.role, words=lambda q: q.words
        )
    ]


def test_selection_caps_each_case_and_keeps_the_input_order():
    items = [Q(f"a{i}", "A") for i in range(5)] + [Q("b0", "B"), Q("n0", None)]
    assert _pick(items, 2) == ["a0", "a1", "b0", "n0"]
    assert _pick(items, 0) == []
    assert _pick(items, 10) == [q.name for q in items]


def test_selection_spreads_picks_across_roles():
    items = [
        Q("c1", role="chief executive"),
        Q("c2", role="chief executive"),
        Q("c3", role="chief executive"),
        Q("p1", role="partner"),
        Q("p2", role="partner"),
        Q("f1", role="finance officer"),
    ]
    assert _pick(items, 3) == ["c1", "p1", "f1"]
    # across cases too: the role least used so far in the whole selection goes first
    more = [Q("x1", "B", role="chief executive"), Q("x2", "B", role="partner")]
    assert _pick([*items, *more], 1) == ["c1", "x2"]


def test_selection_prefers_quotes_of_a_readable_length():
    items = [Q("short", words=3), Q("long", words=400), Q("good", words=40)]
    assert _pick(items, 1) == ["good"]
    assert _pick(items, 2) == ["long", "good"]


def test_selection_is_deterministic():
    items = [Q(f"q{i}", case="AB"[i % 2], role=["x", "y", "z"][i % 3]) for i in range(30)]
    assert _pick(items, 3) == _pick(list(items), 3)
    assert len(_pick(items, 3)) == 6


def test_drop_overlaps_keeps_one_of_each_overlapping_run():
    items = [
        Q("whole", start=0, end=50),
        Q("part", start=10, end=20),
        Q("next", start=50, end=60),
        Q("other-doc", doc=2, start=10, end=20),
        Q("same-start-shorter", start=0, end=5),
    ]
    kept = drop_overlaps(items, document=lambda q: q.doc, span=lambda q: (q.start, q.end))
    assert [q.name for q in kept] == ["whole", "next", "other-doc"]
