"""Half-open ``[start, end)`` spans in code points, and the one server-side UTF-16 conversion.

Every span in qualcode (coding, suggestion, memo anchor, quote) is a pair of Python ``str``
indexes into ``Document.text``. Browsers measure selections in UTF-16 code units; the
conversion between the two lives here and only here (and once in ``webui/static/js``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    """A half-open span ``[start, end)`` of code-point offsets."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def intersection(self, other: Span) -> Span | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Span(start, end) if start < end else None

    def clip(self, length: int) -> Span:
        return Span(min(self.start, length), min(self.end, length))


def merge(spans: Iterable[Span]) -> list[Span]:
    """Union of spans: overlapping or touching spans become one; result sorted, non-empty."""
    out: list[Span] = []
    for span in sorted(s for s in spans if len(s) > 0):
        if out and span.start <= out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def covered_length(spans: Iterable[Span]) -> int:
    return sum(len(s) for s in merge(spans))


def snippet(text: str, span: Span) -> str:
    return text[span.start : span.end]


def check_span(text: str, span: Span, quote: str | None = None) -> None:
    """Raise ``ValueError`` if the span is outside ``text`` or does not hold ``quote``."""
    if span.end > len(text):
        raise ValueError(
            f"span [{span.start}, {span.end}) is outside the text ({len(text)} characters)"
        )
    if quote is not None and text[span.start : span.end] != quote:
        raise ValueError(f"span [{span.start}, {span.end}) does not hold the quoted text")


def trim(text: str, span: Span) -> Span:
    """Shrink a span so it neither starts nor ends in whitespace (may become empty)."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


class Utf16Index:
    """Converts between code-point offsets and UTF-16 code-unit offsets for one text.

    Built once per text in O(n) over its astral characters; each conversion is O(log k) where
    k is the number of astral (non-BMP) characters, so it does not grow with document length
    for ordinary transcripts.
    """

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # code-point indexes of astral characters, each adding one extra UTF-16 unit
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral_u16 = [i + n for n, i in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        if not 0 <= offset <= self.length:
            raise ValueError(f"offset {offset} is outside the text")
        return offset + bisect.bisect_left(self._astral, offset)

    def from_utf16(self, offset: int) -> int:
        """Map a UTF-16 offset to a code point; an offset inside a surrogate pair is refused."""
        extra = bisect.bisect_left(self._astral_u16, offset)
        if extra > 0 and self._astral_u16[extra - 1] == offset - 1:
            raise ValueError(f"UTF-16 offset {offset} splits a surrogate pair")
        cp = offset - extra
        if not 0 <= cp <= self.length:
            raise ValueError(f"UTF-16 offset {offset} is outside the text")
        return cp

    def span_from_utf16(self, start: int, end: int) -> Span:
        return Span(self.from_utf16(start), self.from_utf16(end))

    def span_to_utf16(self, span: Span) -> tuple[int, int]:
        return self.to_utf16(span.start), self.to_utf16(span.end)


def utf16_to_codepoint(text: str, offset: int) -> int:
    return Utf16Index(text).from_utf16(offset)


def codepoint_to_utf16(text: str, offset: int) -> int:
    return Utf16Index(text).to_utf16(offset)


def spans_from_pairs(pairs: Sequence[tuple[int, int]]) -> list[Span]:
    return [Span(a, b) for a, b in pairs]
