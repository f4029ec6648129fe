"""Placing one source's selections on its canonical text, whatever unit the tool counted in.

The unit is chosen per source: first the one the exporting tool is known to use (by
``Project@origin``), then the others, keeping whichever makes the most selection names agree
with the selected text (for tools whose names carry it: ATLAS.ti, QualCoder, qualcode) and,
after that, keeps the most selections inside the text. A selection whose name disagrees under
the chosen unit is tried under the others; if none fits and the tool's names carry the text,
the selection is refused rather than attached to the wrong words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.interop.refi_qda.offsets import SourceText, Unit
from qualcode.text.spans import Span

_WHITESPACE = re.compile(r"\s+")
_ELLIPSES = ("…", "...")


def counting_units(origin: str) -> tuple[list[Unit], bool]:
    """Units to try, the tool's own first, and whether its selection names carry the text."""
    tool = origin.lower()
    if "nvivo" in tool:
        return [Unit.UTF16, Unit.CODEPOINT, Unit.UTF16_CRLF_ONE, Unit.CODEPOINT_CRLF_ONE], False
    if "qualcoder" in tool:
        return [Unit.UTF16, Unit.CODEPOINT, Unit.UTF16_CRLF_ONE, Unit.CODEPOINT_CRLF_ONE], True
    if "atlas" in tool:
        return [Unit.CODEPOINT_CRLF_ONE, Unit.UTF16_CRLF_ONE, Unit.CODEPOINT, Unit.UTF16], True
    standard = [Unit.CODEPOINT, Unit.UTF16, Unit.CODEPOINT_CRLF_ONE, Unit.UTF16_CRLF_ONE]
    return standard, tool.startswith("qualcode")


def name_matches(name: str, quote: str) -> bool:
    """Does a selection's name hold its text (whitespace runs collapsed, ``…`` truncation)?

    ``quote`` is canonical text (already NFC); ``name`` comes from the file.
    """
    wanted = _collapse(unicodedata.normalize("NFC", name))
    if not wanted:
        return False
    for ellipsis in _ELLIPSES:
        if wanted.endswith(ellipsis) and len(wanted) > len(ellipsis):
            prefix = wanted.removesuffix(ellipsis).rstrip()
            # a prefix of n characters needs at most n + (whitespace dropped) of the quote
            head = _collapse(quote[: 4 * len(prefix) + 64])
            if head.startswith(prefix):
                return True
    return _collapse(quote) == wanted


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Placement:
    """Where a selection landed: its canonical span and unit, or why it could not be placed."""

    span: Span | None
    unit: Unit | None
    problem: str = ""


@dataclass(frozen=True)
class _Attempt:
    span: Span | None
    named: bool  # the name matches the text under this unit
    problem: str


class SelectionPlacer:
    """Places the selections ``(startPosition, endPosition, name)`` of one source."""

    def __init__(
        self,
        text: SourceText,
        selections: Sequence[tuple[str, str, str]],
        *,
        units: Sequence[Unit],
        names_carry_text: bool,
    ) -> None:
        self.text = text
        self.selections = selections
        self.units = list(units)
        self.names_carry_text = names_carry_text
        self._attempts: dict[tuple[int, Unit], _Attempt] = {}
        self.unit = self._choose()

    def _attempt(self, index: int, unit: Unit) -> _Attempt:
        key = (index, unit)
        if key not in self._attempts:
            start, end, name = self.selections[index]
            try:
                first, last = int(start), int(end)
            except ValueError:
                problem = f"its positions are not whole numbers ({start!r}, {end!r})"
                self._attempts[key] = _Attempt(None, False, problem)
                return self._attempts[key]
            try:
                span = self.text.span(first, last, unit)
            except ValueError as err:
                self._attempts[key] = _Attempt(None, False, str(err))
            else:
                named = name_matches(name, self.text.text[span.start : span.end])
                self._attempts[key] = _Attempt(span, named, "")
        return self._attempts[key]

    def _score(self, unit: Unit) -> tuple[int, int]:
        attempts = [self._attempt(i, unit) for i in range(len(self.selections))]
        return sum(a.named for a in attempts), sum(a.span is not None for a in attempts)

    def _choose(self) -> Unit:
        best, best_score = self.units[0], self._score(self.units[0])
        if best_score == (len(self.selections), len(self.selections)):
            return best
        for unit in self.units[1:]:
            score = self._score(unit)
            if score > best_score:
                best, best_score = unit, score
        return best

    def place(self, index: int) -> Placement:
        chosen = self._attempt(index, self.unit)
        if chosen.named:
            return Placement(chosen.span, self.unit)
        for unit in self.units:
            if unit is not self.unit and self._attempt(index, unit).named:
                return Placement(self._attempt(index, unit).span, unit)
        name = self.selections[index][2]
        if self.names_carry_text and _collapse(name) and chosen.span is not None:
            reason = f"its text does not match its name {name[:60]!r} in any counting unit"
            return Placement(None, None, reason)
        return Placement(chosen.span, self.unit, chosen.problem)
