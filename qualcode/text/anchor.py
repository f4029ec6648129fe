"""Finding quotes in a text again: after a transcript is corrected and re-imported.

Codings never keep stale offsets (DESIGN.md): when a new version of a document is imported,
each coded span is re-anchored by its quote. :func:`reanchor` tries, in order:

1. the exact quote, the occurrence nearest to where the span should be now;
2. the quote with different whitespace (line breaks joined, spaces doubled or collapsed);
3. a fuzzy match: the words of the quote aligned (difflib) with the words of a window of the
   new text around the expected place; accepted if its similarity reaches ``threshold``.

"Where the span should be now" comes from a line-level diff of the two texts, so inserted or
deleted turns before a span do not throw it off; for a text whose lines were all rewritten it
falls back to the span's relative position.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from qualcode.text.spans import Span

Method = Literal["exact", "whitespace", "fuzzy"]
_WORD = re.compile(r"\S+")
MIN_WINDOW = 200  # characters searched either side of the expected place, at least
MAX_STEPS = 12  # words a fuzzy match's ends may move from the first guess
LONG_QUOTE = 2000  # characters above which fuzzy similarity is measured on words


@dataclass(frozen=True)
class AnchorResult:
    """Where one old span lies in the new text, or why it could not be found."""

    span: Span  # in the old text
    quote: str  # the old text of the span
    new_span: Span | None = None
    method: Method | None = None
    score: float = 0.0  # similarity of the new span's text to the quote, 0..1
    reason: str | None = None  # why the span is not anchored

    @property
    def anchored(self) -> bool:
        return self.new_span is not None


def _nearest(starts_ends: Sequence[tuple[int, int]], hint: int | None) -> Span | None:
    if not starts_ends:
        return None
    if hint is None:
        return Span(*starts_ends[0])
    return Span(*min(starts_ends, key=lambda se: (abs(se[0] - hint), se[0])))


def _exact(text: str, quote: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    position = text.find(quote)
    while position >= 0:
        found.append((position, position + len(quote)))
        position = text.find(quote, position + 1)
    return found


def _whitespace_tolerant(text: str, quote: str) -> list[tuple[int, int]]:
    words = quote.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    return [match.span() for match in pattern.finditer(text)]


def find_quote(text: str, quote: str, *, hint: int | None = None) -> Span | None:
    """The span of ``quote`` in ``text``, the occurrence nearest ``hint`` if it repeats.

    An exact match wins; otherwise the quote's words separated by any whitespace. Leading
    and trailing whitespace of the quote is not part of the whitespace-tolerant match.
    """
    if not quote:
        return None
    return _nearest(_exact(text, quote), hint) or _nearest(_whitespace_tolerant(text, quote), hint)


class _OffsetMap:
    """Maps positions in the old text to the new one, through a line-level diff."""

    def __init__(self, old: str, new: str) -> None:
        old_lines, new_lines = old.split("\n"), new.split("\n")
        old_starts, new_starts = _line_starts(old_lines), _line_starts(new_lines)
        matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        self.blocks: list[tuple[int, int, int, int, bool]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            self.blocks.append(
                (old_starts[i1], old_starts[i2], new_starts[j1], new_starts[j2], tag == "equal")
            )
        self.keys = [block[0] for block in self.blocks]
        self.new_length = len(new)

    def __call__(self, position: int) -> int:
        index = max(0, bisect.bisect_right(self.keys, position) - 1)
        if not self.blocks:
            return 0
        old_start, old_end, new_start, new_end, equal = self.blocks[index]
        if equal:
            return min(new_start + position - old_start, self.new_length)
        if old_end <= old_start:
            return new_start
        share = (position - old_start) / (old_end - old_start)
        return min(new_start + round(share * (new_end - new_start)), self.new_length)


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _similarity(quote: str, candidate: str) -> float:
    """difflib's ratio of the characters (of the words, for very long quotes: it is quadratic)."""
    if len(quote) > LONG_QUOTE:
        return SequenceMatcher(None, quote.split(), candidate.split(), autojunk=False).ratio()
    return SequenceMatcher(None, quote, candidate, autojunk=False).ratio()


def _bigrams(text: str) -> Counter[str]:
    return Counter(map(operator.add, text, text[1:]))


def _fuzzy(new_text: str, quote: str, start: int, end: int) -> tuple[Span, float] | None:
    """Best word alignment of ``quote`` with the new text around ``[start, end)``."""
    pad = max(MIN_WINDOW, len(quote))
    tokens = [m.span() for m in _WORD.finditer(new_text, max(0, start - pad), end + pad)]
    words = quote.split()
    if not tokens or not words:
        return None
    window = [new_text[a:b] for a, b in tokens]
    matcher = SequenceMatcher(None, window, words, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return None
    scores: dict[tuple[int, int], float] = {}
    wanted = _bigrams(quote)
    wanted_total = max(1, sum(wanted.values()))

    def score(first: int, last: int) -> float:  # bigram overlap: cheap enough to search with
        if (first, last) not in scores:
            found = _bigrams(new_text[tokens[first][0] : tokens[last - 1][1]])
            shared = sum((wanted & found).values())
            scores[first, last] = 2 * shared / (wanted_total + max(1, sum(found.values())))
        return scores[first, last]

    # two guesses at the quote's extent (all aligned words; the longest run projected),
    # each widened or narrowed a word at a time while the bigram overlap improves; the
    # winner is scored with difflib
    longest = max(blocks, key=lambda block: block.size)
    guesses = [
        (blocks[0].a - blocks[0].b, blocks[-1].a + len(words) - blocks[-1].b),
        (longest.a - longest.b, longest.a + len(words) - longest.b),
    ]
    best: tuple[float, int, int] | None = None
    for first, last in guesses:
        first, last = max(0, first), min(len(tokens), last)
        if first >= last:
            continue
        current = (score(first, last), first, last)
        for _ in range(MAX_STEPS):
            _, f, e = current
            moves = [(f - 1, e), (f + 1, e), (f, e - 1), (f, e + 1)]
            options = [(score(a, b), a, b) for a, b in moves if 0 <= a < b <= len(tokens)]
            step = max(options, default=current)
            if step[0] <= current[0]:
                break
            current = step
        if best is None or current[0] > best[0]:
            best = current
    if best is None:
        return None
    span = Span(tokens[best[1]][0], tokens[best[2] - 1][1])
    return span, _similarity(quote, new_text[span.start : span.end])


def reanchor(
    old_text: str, new_text: str, spans: Sequence[Span], *, threshold: float = 0.8
) -> list[AnchorResult]:
    """Anchor each span of ``old_text`` in ``new_text``; results in the order of ``spans``."""
    mapping = _OffsetMap(old_text, new_text)
    results: list[AnchorResult] = []
    for span in spans:
        quote = old_text[span.start : span.end]
        if not quote.strip():
            results.append(AnchorResult(span, quote, reason="the span holds no text"))
            continue
        hint = mapping(span.start)
        exact = _nearest(_exact(new_text, quote), hint)
        if exact is not None:
            results.append(AnchorResult(span, quote, exact, "exact", 1.0))
            continue
        spaced = _nearest(_whitespace_tolerant(new_text, quote), hint)
        if spaced is not None:
            results.append(AnchorResult(span, quote, spaced, "whitespace", 1.0))
            continue
        found = _fuzzy(new_text, quote, hint, max(hint, mapping(span.end)))
        if found is not None and found[1] >= threshold:
            results.append(AnchorResult(span, quote, found[0], "fuzzy", found[1]))
            continue
        best = (
            f" (best match {int(found[1] * 100)}% similar, below {threshold:.0%})" if found else ""
        )
        results.append(
            AnchorResult(
                span, quote, score=found[1] if found else 0.0, reason=f"quote not found{best}"
            )
        )
    return results
