"""The unit model: which units of a document each coder coded with a code.

Agreement on span coding is measured per code on binary units (coded / not coded). Two units
are offered:

- **character** (the default, NVivo's unit for documents): every character of the document is
  a unit. Each coder's spans of the code are merged first (``qualcode.text.spans.merge``), so
  a character coded twice by one coder counts once. A sweep over the boundaries of all
  coders' merged spans cuts the document into runs within which the same coders coded every
  character; counting run lengths gives the tally in O(spans log spans), never O(characters).
- **paragraph** (alias **turn**): every non-empty turn in ``DocumentLayers.turns`` is a unit,
  counted as coded by a coder if any character of it is (NVivo's rule for sentence and
  paragraph units). A coder who marks half a sentence and one who marks the whole turn agree
  here; that is the point of a coarser unit, since boundary placement is a separate question
  from whether the passage deserves the code. Text outside every turn (speaker labels, blank
  lines) is not a unit.

A coder missing from ``DocumentLayers.layers`` did not code that document: their values are
missing there (Krippendorff's alpha and Gwet's AC1 handle that; a coder pair is compared only
on documents both coded). A coder present with no spans for a code coded none of it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from qualcode.errors import InvalidInput
from qualcode.stats.binary import BinaryCounts, RatingTally
from qualcode.text.spans import Span, merge

UNITS = ("character", "paragraph", "turn")


@dataclass(frozen=True)
class CoderSpans:
    """One coder's codings of one document: code key -> spans."""

    coder: str
    spans: dict[str, list[Span]]


@dataclass(frozen=True)
class DocumentLayers:
    """Every compared coder's codings of one document, plus its length and turns."""

    document_id: str | int
    length: int
    turns: list[Span] | None
    layers: dict[str, dict[str, list[Span]]]  # coder -> code -> spans

    def __post_init__(self) -> None:
        if self.length < 0:
            raise InvalidInput(f"document {self.document_id}: negative length {self.length}")
        for coder, codes in self.layers.items():
            for code, spans in codes.items():
                for span in spans:
                    if span.end > self.length:
                        raise InvalidInput(
                            f"document {self.document_id}: {coder}'s coding of {code} at "
                            f"[{span.start}, {span.end}) is outside the text "
                            f"({self.length} characters)"
                        )
        previous_end = 0
        for turn in sorted(self.turns or []):
            if turn.start < previous_end or turn.end > self.length:
                raise InvalidInput(
                    f"document {self.document_id}: turn [{turn.start}, {turn.end}) overlaps "
                    "another turn or lies outside the text"
                )
            previous_end = turn.end

    @classmethod
    def from_coders(
        cls,
        document_id: str | int,
        length: int,
        coders: Iterable[CoderSpans],
        turns: list[Span] | None = None,
    ) -> DocumentLayers:
        return cls(document_id, length, turns, {c.coder: c.spans for c in coders})

    def merged(self, coder: str, code: str) -> list[Span]:
        """The coder's spans of the code, overlapping and touching ones joined."""
        return merge(self.layers.get(coder, {}).get(code, ()))

    @cached_property
    def turn_bounds(self) -> tuple[list[int], list[int]]:
        """Starts and ends of the non-empty turns, in order (the paragraph units)."""
        turns = sorted(t for t in self.turns or () if len(t) > 0)
        return [t.start for t in turns], [t.end for t in turns]


@dataclass(frozen=True)
class Segment:
    """A maximal run ``[start, end)`` in which exactly the ``coders`` coded every character."""

    start: int
    end: int
    coders: tuple[str, ...]


def _sweep(coder_spans: Sequence[Sequence[Span]]) -> Iterator[tuple[int, int, int]]:
    """Runs ``(start, end, mask)`` covered by at least one coder; bit i of mask = coder i.

    Each coder's spans must be merged (disjoint and not touching), so that a coder's state
    flips at each of its boundaries and the order of events at one position does not matter.
    """
    events = sorted(
        (position, 1 << i)
        for i, spans in enumerate(coder_spans)
        for span in spans
        for position in (span.start, span.end)
    )
    mask = previous = 0
    for position, bit in events:
        if position > previous and mask:
            yield previous, position, mask
        mask ^= bit
        previous = position


def coded_segments(document: DocumentLayers, code: str, coders: Sequence[str]) -> list[Segment]:
    """The document cut into maximal runs coded by the same set of coders (uncoded runs left
    out), for showing where coders agree and disagree."""
    merged = [document.merged(coder, code) for coder in coders]
    return [
        Segment(start, end, tuple(c for i, c in enumerate(coders) if mask >> i & 1))
        for start, end, mask in _sweep(merged)
    ]


@dataclass
class CodingTally:
    """Units of one code, pooled over any number of documents, by who rated and who coded.

    ``cells[(present, coded)]`` is the number of units in documents coded by the coders in
    bit mask ``present`` that exactly the coders in mask ``coded`` coded; bit i stands for
    ``coders[i]``. This is all the per-code statistics need, and adding the tallies of two
    documents is concatenating their continua.
    """

    coders: tuple[str, ...]
    cells: Counter[tuple[int, int]] = field(default_factory=Counter)

    @property
    def units(self) -> int:
        return sum(self.cells.values())

    def __add__(self, other: CodingTally) -> CodingTally:
        if other.coders != self.coders:
            raise ValueError("tallies of different coders cannot be added")
        return CodingTally(self.coders, self.cells + other.cells)

    def pair(self, first: str, second: str) -> BinaryCounts:
        """The 2x2 table of two coders over the units of documents both coded."""
        a, b = 1 << self.coders.index(first), 1 << self.coders.index(second)
        cells: Counter[tuple[bool, bool]] = Counter()
        for (present, coded), n in self.cells.items():
            if present & a and present & b:
                cells[bool(coded & a), bool(coded & b)] += n
        return BinaryCounts(
            cells[True, True], cells[True, False], cells[False, True], cells[False, False]
        )

    def ratings(self) -> RatingTally:
        """Units by (number of coders who rated, number who coded), for alpha and AC1."""
        cells: Counter[tuple[int, int]] = Counter()
        for (present, coded), n in self.cells.items():
            cells[present.bit_count(), (coded & present).bit_count()] += n
        return RatingTally(dict(cells))

    @property
    def coded_by_any(self) -> int:
        return sum(n for (_, coded), n in self.cells.items() if coded)


def tally(
    document: DocumentLayers, code: str, coders: Sequence[str], unit: str = "character"
) -> CodingTally:
    """Count the document's units of ``unit`` by which of ``coders`` coded them with ``code``."""
    present = sum(1 << i for i, coder in enumerate(coders) if coder in document.layers)
    merged = [document.merged(coder, code) for coder in coders]
    counts: Counter[tuple[int, int]] = Counter()
    if unit == "character":
        covered = 0
        for start, end, mask in _sweep(merged):
            counts[present, mask] += end - start
            covered += end - start
        total = document.length
    elif unit in ("paragraph", "turn"):
        if document.turns is None:
            raise InvalidInput(
                f"document {document.document_id} has no turns: the {unit} unit needs them"
            )
        starts, ends = document.turn_bounds
        masks: Counter[int] = Counter()
        for i, spans in enumerate(merged):
            touched: set[int] = set()
            for span in spans:
                # turns overlapping [span.start, span.end): end > span.start and start < span.end
                touched.update(
                    range(
                        bisect.bisect_right(ends, span.start), bisect.bisect_left(starts, span.end)
                    )
                )
            for turn in touched:
                masks[turn] |= 1 << i
        for mask in masks.values():
            counts[present, mask] += 1
        covered, total = len(masks), len(starts)
    else:
        raise InvalidInput(f"unknown unit {unit!r}: use one of {', '.join(UNITS)}")
    if total > covered:
        counts[present, 0] += total - covered
    return CodingTally(tuple(coders), counts)
