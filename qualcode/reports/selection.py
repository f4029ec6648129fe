"""Choosing quotes for a pack: overlapping duplicates out, then a balanced, deterministic
selection of at most a few quotes per case, spread across interviewee roles.

Plain functions over any item type, told how to read an item's case, role, document, span and
length, so they are tested with hand-made values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

GOOD_WORDS = (12, 120)  # a quote of this many words reads well on its own


def drop_overlaps(
    items: Sequence[T], document: Callable[[T], int], span: Callable[[T], tuple[int, int]]
) -> list[T]:
    """Keep the first of each run of overlapping passages in a document (by start, the longer
    first), so a passage two coders both coded, or a code and its sub-code, appears once.
    The input order is kept for the survivors."""
    order = sorted(
        range(len(items)),
        key=lambda i: (document(items[i]), span(items[i])[0], -span(items[i])[1], i),
    )
    kept: set[int] = set()
    reach: dict[int, int] = {}  # document → end of the last kept passage
    for i in order:
        doc = document(items[i])
        start, end = span(items[i])
        if start < reach.get(doc, -1):
            continue
        kept.add(i)
        reach[doc] = end
    return [item for i, item in enumerate(items) if i in kept]


def _fit(words: int) -> int:
    low, high = GOOD_WORDS
    return 0 if low <= words <= high else 1 if words > high else 2


def balanced(
    items: Sequence[T],
    per_case: int,
    *,
    case: Callable[[T], str | None],
    role: Callable[[T], str | None],
    words: Callable[[T], int],
) -> list[T]:
    """At most ``per_case`` items from each case. Within a case the next pick comes from the
    role picked least so far in this case, then in the whole selection, then by name; within
    a role, quotes of a readable length come first, then the input order. The result keeps
    the input order."""
    if per_case <= 0:
        return []
    index = {id(item): i for i, item in enumerate(items)}
    by_case: dict[str | None, list[T]] = {}
    for item in items:
        by_case.setdefault(case(item), []).append(item)
    overall: Counter[str] = Counter()
    chosen: list[T] = []
    for case_name in sorted(by_case, key=lambda c: (c is None, (c or "").lower(), c or "")):
        pools: dict[str, list[T]] = {}
        for item in sorted(by_case[case_name], key=lambda it: (_fit(words(it)), index[id(it)])):
            pools.setdefault(role(item) or "", []).append(item)
        here: Counter[str] = Counter()
        for _ in range(per_case):
            available = [r for r, pool in pools.items() if pool]
            if not available:
                break
            pick = min(available, key=lambda r: (here[r], overall[r], r.lower(), r))
            chosen.append(pools[pick].pop(0))
            here[pick] += 1
            overall[pick] += 1
    return sorted(chosen, key=lambda item: index[id(item)])
