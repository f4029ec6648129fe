"""What the suggestion engine learns from, gathered from the database.

- Positives: people's codings of the project's current documents (manual, accepted
  suggestions, imported from another tool, adjudicated), one example per distinct span and code.
- Negatives: rejected suggestions, each a negative for its own code only.
- Decisions: every accepted or rejected suggestion, so rules learn their track record.
- Never: open (unreviewed) suggestions.

Documents being blind-coded (a blind assignment on them not yet done) are left out entirely:
a model that learnt from one coder's codings of a document could otherwise suggest them, or
quote them as "the nearest coded example", to another coder coding it blind.

Each example carries its context, the interviewer's question before it, because the question
asked is strong evidence for what the answer is about.

Unlabelled: the units of the project's current documents, coded or not (respondents' turns and
sentences, each with the question before it, as suggestions are made on them), from which the
engine learns which words keep company. Text only, never a coding, so documents being
blind-coded are among them. A large project gives a seeded sample of its documents of about
``UNLABELLED_WORDS`` words.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qualcode.models import (
    Assignment,
    AssignmentStatus,
    Code,
    Coding,
    Document,
    Project,
    Suggestion,
    SuggestionStatus,
    Turn,
)
from qualcode.nlp import CodeInfo, Decision, Example, TextUnit
from qualcode.nlp.units import question_of
from qualcode.services import codebook as codebook_service
from qualcode.services import documents as document_service
from qualcode.text.transcript import TurnData

UNLABELLED_WORDS = 150_000  # transcript words cut into unlabelled units (about 11,000 units)


@dataclass(frozen=True)
class DataState:
    """A cheap summary of the training data: a model is stale when ``version`` moved on."""

    version: str
    codes_version: str
    examples: int
    decisions: int
    hidden: frozenset[int] = frozenset()  # documents left out while blind-coded

    def changes_since(self, examples: int, decisions: int) -> int:
        """Roughly how many codings and decisions were added or removed since a fit."""
        return abs(self.examples - examples) + abs(self.decisions - decisions)


@dataclass(frozen=True)
class TrainingData:
    codes: list[CodeInfo]
    examples: list[Example]
    decisions: list[Decision]
    state: DataState
    unlabelled: list[TextUnit] = field(default_factory=list)

    @property
    def positives(self) -> int:
        return sum(1 for e in self.examples if e.positive)

    @property
    def negatives(self) -> int:
        return len(self.examples) - self.positives


def blind_pending_documents(session: Session, project_id: int) -> set[int]:
    """Documents of the project with a blind assignment that is not done yet."""
    rows = session.execute(
        select(Assignment.document_id)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project_id,
            Assignment.blind.is_(True),
            Assignment.status != AssignmentStatus.DONE,
        )
    )
    return {doc_id for (doc_id,) in rows}


def _learnable(project_id: int, hidden: set[int]) -> list[ColumnElement[bool]]:
    """Conditions on ``Document``: the project's current documents not being blind-coded."""
    where = [Document.project_id == project_id, Document.is_current.is_(True)]
    if hidden:
        where.append(Document.id.not_in(hidden))
    return where


def _codes(session: Session, project_id: int) -> list[Code]:
    return [c for c in codebook_service.all_codes(session, project_id) if c.active and c.codable]


def _coding_rows(
    session: Session, project_id: int, hidden: set[int], code_ids: set[int]
) -> list[Any]:
    rows = session.execute(
        select(
            Coding.id, Coding.code_id, Coding.document_id, Coding.start, Coding.end, Coding.quote
        )
        .join(Document, Document.id == Coding.document_id)
        .where(*_learnable(project_id, hidden))
        .order_by(Coding.id)
    ).all()
    return [r for r in rows if r.code_id in code_ids]


def _decision_rows(
    session: Session, project_id: int, hidden: set[int], code_ids: set[int]
) -> list[Suggestion]:
    rows = session.scalars(
        select(Suggestion)
        .join(Document, Document.id == Suggestion.document_id)
        .where(*_learnable(project_id, hidden), Suggestion.status != SuggestionStatus.OPEN)
        .order_by(Suggestion.id)
    )
    return [s for s in rows if s.code_id in code_ids]


def _digest(parts: Iterable[object]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(repr(part).encode())
        sha.update(b"\x00")
    return sha.hexdigest()[:16]


def _sums(*columns: ColumnElement[Any] | InstrumentedAttribute[int]) -> list[ColumnElement[Any]]:
    return [func.coalesce(func.sum(c), 0) for c in columns]


def _coding_summary(
    session: Session, project_id: int, hidden: set[int], code_ids: set[int]
) -> tuple[Sequence[int], int]:
    """Aggregates that change whenever a learnable coding is added, removed or changed, and
    the number of distinct coded passages (the positive examples)."""
    where = [*_learnable(project_id, hidden), Coding.code_id.in_(code_ids)]
    sums = session.execute(
        select(
            func.count(),
            *_sums(
                Coding.id,
                Coding.id * Coding.code_id,
                Coding.id * Coding.start,
                Coding.id * Coding.end,
            ),
        )
        .join(Document, Document.id == Coding.document_id)
        .where(*where)
    ).one()
    passages = (
        select(Coding.document_id, Coding.start, Coding.end, Coding.code_id)
        .join(Document, Document.id == Coding.document_id)
        .where(*where)
        .distinct()
        .subquery()
    )
    distinct = session.scalar(select(func.count()).select_from(passages)) or 0
    return tuple(int(v) for v in sums), int(distinct)


def _decision_summary(
    session: Session, project_id: int, hidden: set[int], code_ids: set[int]
) -> tuple[Sequence[int], int, int]:
    """Aggregates over the decided suggestions, their number and the rejections among them."""
    rejected = case((Suggestion.status == SuggestionStatus.REJECTED, 1), else_=0)
    sums = session.execute(
        select(
            func.count(),
            *_sums(
                rejected,
                Suggestion.id,
                Suggestion.id * Suggestion.code_id,
                Suggestion.id * rejected,
            ),
        )
        .join(Document, Document.id == Suggestion.document_id)
        .where(
            *_learnable(project_id, hidden),
            Suggestion.code_id.in_(code_ids),
            Suggestion.status != SuggestionStatus.OPEN,
        )
    ).one()
    values = tuple(int(v) for v in sums)
    return values, values[0], values[1]


def data_state(session: Session, project: Project) -> DataState:
    """The current state of the project's training data: a few aggregate queries, no rows, so
    it is cheap enough to ask on every request."""
    hidden = blind_pending_documents(session, project.id)
    codes = _codes(session, project.id)
    code_ids = {c.id for c in codes}
    codes_version = _digest((c.id, c.parent_id, c.lock_version) for c in codes)
    codings, positives = _coding_summary(session, project.id, hidden, code_ids)
    decided, decisions, negatives = _decision_summary(session, project.id, hidden, code_ids)
    version = _digest([codes_version, sorted(hidden), codings, decided])
    return DataState(version, codes_version, positives + negatives, decisions, frozenset(hidden))


def code_infos(codes: Sequence[Code], paths: dict[int, str]) -> list[CodeInfo]:
    return [
        CodeInfo(
            id=c.id,
            path=paths[c.id],
            name=c.name,
            definition=c.definition,
            inclusion=c.inclusion,
            exclusion=c.exclusion,
            typical_example=c.typical_example,
            atypical_example=c.atypical_example,
            keywords=[str(k) for k in c.keywords or []],
        )
        for c in codes
    ]


class Questions:
    """The interviewer's question before any position of a set of documents (the same context
    ``make_units`` gives the units suggested on)."""

    def __init__(self, session: Session, document_ids: Iterable[int]) -> None:
        ids = sorted(set(document_ids))
        self._turns: dict[int, list[tuple[int, int, bool]]] = {}
        self._starts: dict[int, list[int]] = {}
        self._texts: dict[int, str] = {}
        if not ids:
            return
        for doc_id, start, end, asks in session.execute(
            select(Turn.document_id, Turn.start, Turn.end, Turn.is_interviewer)
            .where(Turn.document_id.in_(ids))
            .order_by(Turn.document_id, Turn.start)
        ):
            self._turns.setdefault(doc_id, []).append((start, end, asks))
            self._starts.setdefault(doc_id, []).append(start)
        asking = [d for d, turns in self._turns.items() if any(t[2] for t in turns)]
        if asking:
            self._texts = {
                doc_id: text
                for doc_id, text in session.execute(
                    select(Document.id, Document.text).where(Document.id.in_(asking))
                )
            }

    def before(self, document_id: int, position: int) -> str:
        """The nearest interviewer turn ending at or before ``position`` ("" if none)."""
        turns = self._turns.get(document_id)
        text = self._texts.get(document_id)
        if not turns or text is None:
            return ""
        i = bisect.bisect_right(self._starts[document_id], position) - 1
        while i >= 0 and (turns[i][1] > position or not turns[i][2]):
            i -= 1
        if i < 0:
            return ""
        start, end, _ = turns[i]
        return question_of(text, TurnData(start, end, is_interviewer=True))


def _examples(
    codings: Sequence[Any], decided: Sequence[Suggestion], questions: Questions
) -> list[Example]:
    out: list[Example] = []
    seen: set[tuple[int, int, int, int]] = set()
    for row in codings:
        key = (row.document_id, row.start, row.end, row.code_id)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Example(
                text=row.quote,
                code_id=row.code_id,
                positive=True,
                document_id=row.document_id,
                context=questions.before(row.document_id, row.start),
            )
        )
    for s in decided:
        if s.status is SuggestionStatus.REJECTED:
            out.append(
                Example(
                    text=s.text,
                    code_id=s.code_id,
                    positive=False,
                    document_id=s.document_id,
                    context=questions.before(s.document_id, s.start),
                )
            )
    return out


def _decisions(decided: Sequence[Suggestion]) -> list[Decision]:
    return [
        Decision(
            code_id=s.code_id,
            accepted=s.status is SuggestionStatus.ACCEPTED,
            method=s.method,
            rationale=dict(s.rationale or {}),
            text=s.text,
        )
        for s in decided
    ]


def unlabelled_units(
    session: Session, project_id: int, words: int = UNLABELLED_WORDS
) -> list[TextUnit]:
    """The units of the project's current documents (all of them, or a seeded sample of about
    ``words`` words), cut as suggestions are: interviewers' turns are the context."""
    from qualcode.nlp.units import make_units

    documents = [
        (doc_id, count)
        for doc_id, count in session.execute(
            select(Document.id, Document.word_count)
            .where(Document.project_id == project_id, Document.is_current.is_(True))
            .order_by(Document.id)
        )
    ]
    random.Random(0).shuffle(documents)
    chosen: list[int] = []
    total = 0
    for doc_id, count in documents:
        if total >= words:
            break
        chosen.append(doc_id)
        total += count
    turns = document_service.turn_data(session, chosen)
    units: list[TextUnit] = []
    for doc_id, text in session.execute(
        select(Document.id, Document.text).where(Document.id.in_(chosen)).order_by(Document.id)
    ):
        units.extend(make_units(text, turns.get(doc_id, []), document_id=doc_id))
    return units


def gather(session: Session, project: Project) -> TrainingData:
    """Everything a fit needs: the codes, the examples, the decisions and the unlabelled
    units."""
    state = data_state(session, project)
    hidden = set(state.hidden)
    codes = _codes(session, project.id)
    code_ids = {c.id for c in codes}
    codings = _coding_rows(session, project.id, hidden, code_ids)
    decided = _decision_rows(session, project.id, hidden, code_ids)
    questions = Questions(
        session, {r.document_id for r in codings} | {s.document_id for s in decided}
    )
    paths = codebook_service.paths(codebook_service.all_codes(session, project.id))
    return TrainingData(
        codes=code_infos(codes, paths),
        examples=_examples(codings, decided, questions),
        decisions=_decisions(decided),
        state=state,
        unlabelled=unlabelled_units(session, project.id),
    )
