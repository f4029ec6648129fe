"""Speaker turns as passages: word search over turns, and the turns around a quote.

A document's passages are its speaker turns (``Turn`` rows), or its non-empty lines when it
has none. :func:`turn_hits` is the Evidence page's word search when no code is chosen;
:func:`context` is "expand to the surrounding turns". Both are re-exported by
:mod:`qualcode.services.quotes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Coding, Document, Turn
from qualcode.reports.evidence import Kwic, Quote
from qualcode.services.evidence_scope import Scope
from qualcode.services.kwic import kwic, kwic_all, matches


@dataclass(frozen=True)
class ContextTurn:
    index: int
    speaker: str | None
    is_interviewer: bool
    start: int
    end: int
    text: str
    hit: bool  # the quote touches this turn


@dataclass(frozen=True)
class Context:
    document_id: int
    document: str
    start: int
    end: int
    turns: list[ContextTurn]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "turns": [t.__dict__ for t in self.turns],
        }


def context(
    session: Session,
    document_id: int,
    start: int,
    end: int,
    turns: int = 1,
    *,
    project_id: int | None = None,
) -> Context:
    """The turns a span touches plus ``turns`` turns either side (lines, in a document
    without turns). With ``project_id``, a document of another project is not found."""
    document = session.get(Document, document_id)
    if document is None or (project_id is not None and document.project_id != project_id):
        raise NotFound(f"no document with id {document_id}")
    if not 0 <= start <= end <= len(document.text):
        raise InvalidInput(f"span [{start}, {end}) is outside {document.title}")
    rows = session.scalars(
        select(Turn).where(Turn.document_id == document.id).order_by(Turn.index)
    ).all()
    found_units = units(document.text, list(rows))
    touched = [
        i for i, (_, a, b, _, _) in enumerate(found_units) if a < max(end, start + 1) and start < b
    ]
    if not touched:
        before = [i for i, (_, a, _, _, _) in enumerate(found_units) if a <= start]
        touched = [before[-1]] if before else [0] if found_units else []
    if not touched:
        return Context(document.id, document.title, start, end, [])
    lo, hi = (
        max(0, touched[0] - max(0, turns)),
        min(len(found_units), touched[-1] + 1 + max(0, turns)),
    )
    picked = [
        ContextTurn(
            index if index is not None else i,
            speaker,
            interviewer,
            a,
            b,
            document.text[a:b],
            i in touched,
        )
        for i, (index, a, b, speaker, interviewer) in enumerate(found_units)
        if lo <= i < hi
    ]
    return Context(document.id, document.title, start, end, picked)


def turn_hits(
    session: Session, scope: Scope, terms: Sequence[Any], paths: dict[int, str]
) -> list[Quote]:
    """Each speaker turn (or line, in a document without turns) of the documents in scope that
    holds every term, as a quote without a coding, with its keyword-in-context lines and the
    codes of the codings (in scope) overlapping it."""
    if not scope.document_cases:
        return []
    docs = session.execute(
        select(Document.id, Document.title, Document.text).where(
            Document.id.in_(sorted(scope.document_cases))
        )
    ).all()
    turns: dict[int, list[Turn]] = {}
    for turn in session.scalars(
        select(Turn).where(Turn.document_id.in_(sorted(scope.document_cases))).order_by(Turn.index)
    ):
        turns.setdefault(turn.document_id, []).append(turn)
    out: list[Quote] = []
    for doc_id, title, text in docs:
        case_id = scope.document_cases[doc_id]
        for index, start, end, speaker, interviewer in units(text, turns.get(doc_id, [])):
            spans = matches(text[start:end], terms)
            if spans is None:
                continue
            out.append(
                Quote(
                    coding_id=None,
                    document_id=doc_id,
                    document=title,
                    case=scope.case_names.get(case_id) if case_id else None,
                    speaker=speaker,
                    coder=None,
                    start=start,
                    end=end,
                    text=text[start:end],
                    codes=[],
                    turn_index=index,
                    attributes=scope.attributes.get(doc_id, {}),
                    case_id=case_id,
                    is_interviewer=interviewer,
                    kwic=[_shift(k, text, start) for k in kwic_all(text[start:end], spans)],
                )
            )
    _annotate_codes(session, scope, out, paths)
    return out


_Unit = tuple[int | None, int, int, str | None, bool]  # turn index, start, end, speaker, int.


def units(text: str, turns: list[Turn]) -> list[_Unit]:
    """A document's passages: its turns, or its non-empty lines when it has none."""
    if turns:
        return [(t.index, t.start, t.end, t.speaker, t.is_interviewer) for t in turns]
    units: list[_Unit] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            units.append((None, pos, pos + len(line), None, False))
        pos += len(line) + 1
    return units


def _shift(k: Kwic, text: str, start: int) -> Kwic:
    """A KWIC line measured in a turn, re-cut from the whole document so context may run
    into the neighbouring text."""
    return kwic(text, k.start + start, k.end + start)


def _annotate_codes(
    session: Session, scope: Scope, quotes: list[Quote], paths: dict[int, str]
) -> None:
    """Set each text hit's ``codes`` to the codes of codings (in scope) overlapping it."""
    doc_ids = sorted({q.document_id for q in quotes})
    if not doc_ids:
        return
    codings: dict[int, list[tuple[int, int, int]]] = {}
    for doc_id, code_id, start, end in session.execute(
        select(Coding.document_id, Coding.code_id, Coding.start, Coding.end).where(
            Coding.document_id.in_(doc_ids), *scope.clauses
        )
    ):
        codings.setdefault(doc_id, []).append((code_id, start, end))
    for quote in quotes:
        found = {
            code_id
            for code_id, start, end in codings.get(quote.document_id, [])
            if start < quote.end and quote.start < end
        }
        quote.codes = sorted(paths[c] for c in found if c in paths)
