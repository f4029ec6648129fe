"""The evidence data the services gather and the writers render: plain dataclasses.

``qualcode.services.quotes`` and ``qualcode.services.matrices`` build these from the database;
``qualcode.reports.tables`` (and the chapter pack) render them. Nothing here touches the
database, so writers are tested with hand-made values.

Offsets are code points into ``Document.text`` (DESIGN.md): ``quote.text`` equals
``document.text[quote.start:quote.end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kwic:
    """One keyword occurrence in context: ``left + match + right`` is a stretch of the text,
    ``[start, end)`` the match's offsets in the document."""

    left: str
    match: str
    right: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "match": self.match,
            "right": self.right,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class CaseRef:
    id: int
    name: str


@dataclass
class Quote:
    """A coded segment (or, for a text search without codes, a speaker turn) with attribution.

    ``coding_id`` and ``coder`` are ``None`` for text-search hits that are not codings.
    ``codes`` lists the coding's own code path first, then the paths of the other codes a
    Boolean query matched it with. ``turn_index`` is the turn the quote is attributed to.
    """

    coding_id: int | None
    document_id: int
    document: str
    case: str | None
    speaker: str | None
    coder: str | None
    start: int
    end: int
    text: str
    codes: list[str] = field(default_factory=list)
    turn_index: int | None = None
    origin: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    case_id: int | None = None
    coder_id: int | None = None
    code_id: int | None = None
    is_interviewer: bool = False
    kwic: list[Kwic] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``quotes --json`` item (DESIGN.md), with qualcode's additional fields."""
        out: dict[str, Any] = {
            "document_id": self.document_id,
            "document": self.document,
            "case": self.case,
            "speaker": self.speaker,
            "coder": self.coder,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "codes": self.codes,
            "coding_id": self.coding_id,
            "origin": self.origin,
            "turn_index": self.turn_index,
            "attributes": self.attributes,
        }
        if self.kwic:
            out["kwic"] = [k.to_dict() for k in self.kwic]
        return out


@dataclass
class QuoteResult:
    """Quotes for a query (one page of them when a limit is given) and counts over all.

    ``segments``, ``documents`` and ``cases`` count every matching quote, not only the page;
    ``cases_without`` are the cases in scope (those with a document passing the filters)
    that have no matching quote.
    """

    label: str
    quotes: list[Quote]
    segments: int
    documents: int
    cases: int
    cases_without: list[CaseRef] = field(default_factory=list)
    offset: int = 0
    limit: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``quotes --json`` document (DESIGN.md), with qualcode's additional fields."""
        return {
            "code": self.label,
            "count": self.segments,
            "documents": self.documents,
            "cases": self.cases,
            "cases_without": [c.name for c in self.cases_without],
            "offset": self.offset,
            "limit": self.limit,
            "quotes": [q.to_dict() for q in self.quotes],
        }


@dataclass(frozen=True)
class Header:
    """A matrix row or column: a code (``key`` its id), a case, or an attribute value."""

    key: int | str
    label: str


@dataclass(frozen=True)
class Cell:
    value: int
    coding_ids: tuple[int, ...] = ()


@dataclass
class Matrix:
    """Counts of segments or documents for each row × column, with the codings behind them.

    ``kind`` is ``cases``, ``attr:NAME`` or ``codes`` (the columns); rows are codes.
    ``cells[i][j]`` belongs to ``rows[i]`` × ``cols[j]``. Totals count each coding (or
    document) once per row or column.
    """

    kind: str
    count: str
    rows: list[Header]
    cols: list[Header]
    cells: list[list[Cell]]
    row_totals: list[int] = field(default_factory=list)
    col_totals: list[int] = field(default_factory=list)

    @property
    def max_value(self) -> int:
        return max((cell.value for row in self.cells for cell in row), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "rows": [{"key": h.key, "label": h.label} for h in self.rows],
            "cols": [{"key": h.key, "label": h.label} for h in self.cols],
            "cells": [[cell.value for cell in row] for row in self.cells],
            "row_totals": self.row_totals,
            "col_totals": self.col_totals,
        }


@dataclass
class FrameworkEntry:
    """One framework-matrix cell: the author's summary of a case on a theme, the quotes it
    rests on, and how many coded segments the case has for the theme."""

    summary: str = ""
    quotes: list[Quote] = field(default_factory=list)
    evidence: int = 0
    updated_by: str | None = None

    @property
    def coding_ids(self) -> list[int]:
        return [q.coding_id for q in self.quotes if q.coding_id is not None]


@dataclass
class FrameworkMatrix:
    """Cases (rows) × themes (columns), the Framework method's charting matrix."""

    cases: list[Header]
    themes: list[Header]
    cells: list[list[FrameworkEntry]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": [{"key": h.key, "label": h.label} for h in self.cases],
            "themes": [{"key": h.key, "label": h.label} for h in self.themes],
            "cells": [
                [
                    {"summary": e.summary, "coding_ids": e.coding_ids, "evidence": e.evidence}
                    for e in row
                ]
                for row in self.cells
            ],
        }
