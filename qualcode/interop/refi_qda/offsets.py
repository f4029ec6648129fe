"""A source file's raw text, its canonical form, and positions counted the ways tools count them.

REFI-QDA says positions are Unicode code points over the text file. In practice NVivo and
QualCoder count UTF-16 code units, and ATLAS.ti counts a CRLF line break as one position.
qualcode's canonical text is NFC with ``\\n`` line endings and its offsets are code points
(DESIGN.md), so an imported position goes through two stages:

1. *newlines*: the raw text (BOM stripped, line breaks as stored) becomes the "LF text", every
   CRLF or lone CR turned into ``\\n``. Units that count CRLF as one position are offsets into
   the LF text already; the others count over the raw text and are shifted here.
2. *NFC*: the LF text is normalised. Normalisation only changes the text inside runs of
   non-ASCII characters (a character before an ASCII one can never compose with it), so only
   those runs are checked. An offset that falls inside a run whose characters composed
   differently is moved to the run's edge, outwards (a start to the run's start, an end to
   its end), so a selection never loses characters.

This module is the one place in qualcode that maps REFI-QDA positions; the UTF-16 arithmetic
itself is :class:`qualcode.text.spans.Utf16Index`.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from qualcode.text.spans import Span, Utf16Index

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


class Unit(Enum):
    """How a tool counts ``startPosition``/``endPosition``."""

    CODEPOINT = "code points"
    UTF16 = "UTF-16 units"
    CODEPOINT_CRLF_ONE = "code points, CRLF as one"
    UTF16_CRLF_ONE = "UTF-16 units, CRLF as one"

    @property
    def utf16(self) -> bool:
        return self in (Unit.UTF16, Unit.UTF16_CRLF_ONE)

    @property
    def crlf_one(self) -> bool:
        return self in (Unit.CODEPOINT_CRLF_ONE, Unit.UTF16_CRLF_ONE)


@dataclass(frozen=True)
class _Run:
    """A stretch of the LF text whose NFC form differs from it."""

    lf_start: int
    lf_end: int
    start: int  # in the canonical text
    end: int


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode a source file's bytes without touching its line breaks; return (text, encoding).

    UTF-8 (a BOM is stripped), UTF-16 with a BOM, and Windows-1252 as the last resort.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


class SourceText:
    """The raw text of one source and its canonical text, with offset conversion both ways."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        # raw indexes of the CR of every CRLF pair, and where each pair's "\n" lands in the LF text
        self._crlf_raw = [m.start() for m in re.finditer("\r\n", raw)]
        self._crlf_lf = [cr - n for n, cr in enumerate(self._crlf_raw)]
        self._lf = raw.replace("\r\n", "\n").replace("\r", "\n")
        self._runs: list[_Run] = []
        self.text = self._normalise(self._lf)
        self._run_lf_ends = [run.lf_end for run in self._runs]
        self._run_ends = [run.end for run in self._runs]
        self._shift = [0]
        for run in self._runs:
            self._shift.append(
                self._shift[-1] + (run.end - run.start) - (run.lf_end - run.lf_start)
            )

    def _normalise(self, lf: str) -> str:
        if unicodedata.is_normalized("NFC", lf):
            return lf
        pieces: list[str] = []
        done = 0  # LF index up to which pieces cover the text
        length = 0  # canonical length of pieces
        for match in _NON_ASCII_RUN.finditer(lf):
            start = max(match.start() - 1, done)
            chunk = lf[start : match.end()]
            if unicodedata.is_normalized("NFC", chunk):
                continue
            pieces.append(lf[done:start])
            length += start - done
            normalised = unicodedata.normalize("NFC", chunk)
            self._runs.append(_Run(start, match.end(), length, length + len(normalised)))
            pieces.append(normalised)
            length += len(normalised)
            done = match.end()
        pieces.append(lf[done:])
        return "".join(pieces)

    @cached_property
    def _utf16_raw(self) -> Utf16Index:
        return Utf16Index(self.raw)

    @cached_property
    def _utf16_lf(self) -> Utf16Index:
        return Utf16Index(self._lf)

    # -- unit offsets <-> LF text -------------------------------------------------------------

    def _unit_to_lf(self, offset: int, unit: Unit) -> int:
        if unit.crlf_one:
            return (
                self._utf16_lf.from_utf16(offset) if unit.utf16 else self._check(offset, self._lf)
            )
        raw = self._utf16_raw.from_utf16(offset) if unit.utf16 else self._check(offset, self.raw)
        before = bisect.bisect_left(self._crlf_raw, raw - 1)  # pairs wholly before ``raw``
        inside = before < len(self._crlf_raw) and self._crlf_raw[before] == raw - 1
        return raw - before - (1 if inside else 0)

    def _lf_to_unit(self, lf: int, unit: Unit) -> int:
        if unit.crlf_one:
            return self._utf16_lf.to_utf16(lf) if unit.utf16 else lf
        raw = lf + bisect.bisect_left(self._crlf_lf, lf)
        return self._utf16_raw.to_utf16(raw) if unit.utf16 else raw

    @staticmethod
    def _check(offset: int, text: str) -> int:
        if not 0 <= offset <= len(text):
            raise ValueError(f"position {offset} is outside the text ({len(text)} characters)")
        return offset

    # -- LF text <-> canonical text -----------------------------------------------------------

    def _lf_to_canonical(self, lf: int, *, end: bool) -> int:
        i = bisect.bisect_right(self._run_lf_ends, lf)  # runs ending at or before lf
        if i < len(self._runs) and self._runs[i].lf_start < lf:
            run = self._runs[i]
            return run.end if end else run.start
        return lf + self._shift[i]

    def _canonical_to_lf(self, offset: int, *, end: bool) -> int:
        i = bisect.bisect_right(self._run_ends, offset)
        if i < len(self._runs) and self._runs[i].start < offset:
            run = self._runs[i]
            return run.lf_end if end else run.lf_start
        return offset - self._shift[i]

    # -- public -------------------------------------------------------------------------------

    def to_canonical(self, offset: int, unit: Unit, *, end: bool = False) -> int:
        """Map a position counted in ``unit`` to a code-point offset into :attr:`text`.

        Raises ``ValueError`` if the position is outside the text or splits a surrogate pair.
        """
        return self._lf_to_canonical(self._unit_to_lf(offset, unit), end=end)

    def from_canonical(self, offset: int, unit: Unit, *, end: bool = False) -> int:
        """Map a code-point offset into :attr:`text` to a position counted in ``unit``."""
        self._check(offset, self.text)
        return self._lf_to_unit(self._canonical_to_lf(offset, end=end), unit)

    def span(self, start: int, end: int, unit: Unit) -> Span:
        """The canonical span of a selection whose positions are counted in ``unit``."""
        if end < start:
            raise ValueError(f"selection ends ({end}) before it starts ({start})")
        return Span(self.to_canonical(start, unit), self.to_canonical(end, unit, end=True))
