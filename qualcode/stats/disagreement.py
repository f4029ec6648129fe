"""Where two coders disagree on a code: the regions the side-by-side review page lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.stats.units import DocumentLayers, coded_segments
from qualcode.text.spans import Span


@dataclass(frozen=True)
class Disagreement:
    """A maximal region ``[start, end)`` that only ``coder`` coded with the code.

    ``spans_a`` and ``spans_b`` are each coder's own codings (as stored, not merged) that
    overlap or touch the region, so the page can show the two codings side by side: the other
    coder's span that stops short of the region, or starts just after it, is shown with it.
    """

    start: int
    end: int
    coder: str
    spans_a: tuple[Span, ...]
    spans_b: tuple[Span, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "coder": self.coder,
            "spans_a": [[s.start, s.end] for s in self.spans_a],
            "spans_b": [[s.start, s.end] for s in self.spans_b],
        }


def _near(spans: Sequence[Span], start: int, end: int) -> tuple[Span, ...]:
    return tuple(s for s in spans if s.start <= end and s.end >= start)


def disagreements(
    document: DocumentLayers, code: str, coder_a: str, coder_b: str
) -> list[Disagreement]:
    """The regions of the document that exactly one of the two coders coded with ``code``."""
    spans_a = sorted(document.layers.get(coder_a, {}).get(code, ()))
    spans_b = sorted(document.layers.get(coder_b, {}).get(code, ()))
    return [
        Disagreement(
            segment.start,
            segment.end,
            segment.coders[0],
            _near(spans_a, segment.start, segment.end),
            _near(spans_b, segment.start, segment.end),
        )
        for segment in coded_segments(document, code, (coder_a, coder_b))
        if len(segment.coders) == 1
    ]
