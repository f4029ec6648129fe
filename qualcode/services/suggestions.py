"""Suggestions in the database: make them for a coder, accept, reject, and the review queue.

A coder's suggestions are theirs (``for_user_id``): units they already coded with a code, or
rejected for it, are not suggested that code again, and only their own codings are consulted,
so blind mode holds (the model itself never learns from documents being blind-coded; see
``training_data``). Suggestions with no user are the machine's own layer: every unit, nothing
removed, which is what agreement compares as the ``machine`` coder.

Computing a document's suggestions replaces the user's previous open ones for it. Accepting goes
through ``coding.apply_code`` with ``origin=suggestion``, the suggestion's id and the model
version; rejecting keeps the row as a negative example for that code only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import (
    Code,
    Coding,
    Document,
    Origin,
    Project,
    Role,
    Suggestion,
    SuggestionStatus,
    User,
)
from qualcode.nlp import TextUnit
from qualcode.services import audit
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services.agreement import DEFAULT_THRESHOLD, THRESHOLD_SETTING
from qualcode.services.lookup import get_or_raise
from qualcode.services.suggestion_models import Model
from qualcode.text.spans import Span

Order = Literal["uncertainty", "code", "document"]
ORDERS: tuple[str, ...] = ("uncertainty", "code", "document")
TOP_K = 3


def units_of(session: Session, document: Document) -> list[TextUnit]:
    """The document's units of suggestion: respondents' sentences and turns."""
    from qualcode.nlp.units import make_units

    turns = document_service.turn_data(session, [document.id]).get(document.id, [])
    return make_units(document.text, turns, document_id=document.id)


def _spans_by_code(rows: Sequence[Any]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = defaultdict(list)
    for code_id, start, end in rows:
        out[code_id].append(Span(start, end))
    return dict(out)


def already_decided(session: Session, document: Document, user: User) -> dict[int, list[Span]]:
    """Code id → spans the user coded with it, or rejected it on, in the document (their own
    layer only: nothing of another coder's is consulted)."""
    coded = session.execute(
        select(Coding.code_id, Coding.start, Coding.end).where(
            Coding.document_id == document.id, Coding.coder_id == user.id
        )
    ).all()
    rejected = session.execute(
        select(Suggestion.code_id, Suggestion.start, Suggestion.end).where(
            Suggestion.document_id == document.id,
            Suggestion.for_user_id == user.id,
            Suggestion.status == SuggestionStatus.REJECTED,
        )
    ).all()
    return _spans_by_code([*coded, *rejected])


def suggestable_codes(session: Session, project: Project) -> set[int]:
    return {c.id for c in codebook_service.all_codes(session, project.id) if c.active and c.codable}


def compute(
    session: Session,
    project: Project,
    document: Document,
    user: User | None,
    model: Model,
    *,
    min_score: float = 0.0,
    units: Sequence[TextUnit] | None = None,
) -> list[dict[str, Any]]:
    """The document's suggestions for ``user`` (or the machine's layer) as row values, not yet
    stored: reads only, so a caller can score outside a write transaction."""
    if document.project_id != project.id:
        raise NotFound(f"no document with id {document.id} in {project.slug}")
    if user is not None:
        project_service.require_role(session, project, user, Role.CODER)
    existing = already_decided(session, document, user) if user is not None else {}
    if units is None:
        units = units_of(session, document)
    with model.lock:
        found = model.engine.suggest(units, existing=existing, top_k=TOP_K)
    allowed = suggestable_codes(session, project)
    return [
        _row(s, document, user, model)
        for s in found
        if s.code_id in allowed and s.score >= min_score
    ]


def store(
    session: Session,
    project: Project,
    document: Document,
    user: User | None,
    rows: Sequence[dict[str, Any]],
    model: Model,
) -> list[Suggestion]:
    """Replace the user's (or the machine layer's) open suggestions for the document."""
    owner = (
        Suggestion.for_user_id == user.id if user is not None else Suggestion.for_user_id.is_(None)
    )
    session.execute(
        delete(Suggestion)
        .where(
            Suggestion.document_id == document.id, owner, Suggestion.status == SuggestionStatus.OPEN
        )
        .execution_options(synchronize_session=False)
    )
    stored: list[Suggestion] = []
    if rows:  # a Core insert: thousands of rows per document, ORM objects loaded once after
        table = Suggestion.metadata.tables[Suggestion.__tablename__]
        ids = list(session.scalars(insert(table).returning(table.c.id), list(rows)))
        stored = list(
            session.scalars(
                select(Suggestion).where(Suggestion.id.in_(ids)).order_by(Suggestion.id)
            )
        )
    session.flush()
    audit.record(
        session,
        "suggestions.computed",
        document,
        project_id=project.id,
        user_id=user.id if user is not None else None,
        detail={
            "document_id": document.id,
            "count": len(stored),
            "model_version": model.version,
            "layer": "user" if user is not None else "machine",
        },
    )
    return stored


def suggest_for_document(
    session: Session,
    project: Project,
    document: Document,
    user: User | None,
    model: Model,
    *,
    min_score: float = 0.0,
    units: Sequence[TextUnit] | None = None,
) -> list[Suggestion]:
    """Compute and store the document's open suggestions for ``user`` (or, with ``None``, the
    machine's own layer), replacing their previous open ones."""
    rows = compute(session, project, document, user, model, min_score=min_score, units=units)
    return store(session, project, document, user, rows, model)


def _row(found: Any, document: Document, user: User | None, model: Model) -> dict[str, Any]:
    return {
        "document_id": document.id,
        "code_id": found.code_id,
        "start": found.start,
        "end": found.end,
        "text": document.text[found.start : found.end],
        "score": float(found.score),
        "confidence": found.confidence,
        "method": found.method,
        "model_version": found.model_version or model.version,
        "rationale": dict(found.rationale),
        "status": SuggestionStatus.OPEN,
        "for_user_id": user.id if user is not None else None,
        "created_at": datetime.now(UTC),
    }


def open_suggestions(session: Session, document: Document, user: User) -> Sequence[Suggestion]:
    """The user's open suggestions for the document, in text order, best first per span."""
    return session.scalars(
        select(Suggestion)
        .where(
            Suggestion.document_id == document.id,
            Suggestion.for_user_id == user.id,
            Suggestion.status == SuggestionStatus.OPEN,
        )
        .order_by(Suggestion.start, Suggestion.end, Suggestion.score.desc())
    ).all()


def own_open(
    session: Session, suggestion_id: int, user: User, project_id: int | None
) -> Suggestion:
    """The user's own suggestion (another user's or project's is reported missing), still open."""
    suggestion = session.get(Suggestion, suggestion_id)
    if (
        suggestion is None
        or suggestion.for_user_id != user.id
        or (project_id is not None and suggestion.document.project_id != project_id)
    ):
        raise NotFound(f"no suggestion with id {suggestion_id}")
    if suggestion.status is not SuggestionStatus.OPEN:
        raise Conflict(f"this suggestion was already {suggestion.status.value}")
    return suggestion


def _decide(
    session: Session,
    suggestion: Suggestion,
    user: User,
    status: SuggestionStatus,
    extra: dict[str, Any],
) -> None:
    suggestion.status = status
    suggestion.decided_by_id = user.id
    suggestion.decided_at = datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        f"suggestion.{status.value}",
        suggestion,
        project_id=suggestion.document.project_id,
        user_id=user.id,
        detail={
            "document_id": suggestion.document_id,
            "code_id": suggestion.code_id,
            "start": suggestion.start,
            "end": suggestion.end,
            "score": suggestion.score,
            "method": suggestion.method,
            "model_version": suggestion.model_version,
            **extra,
        },
    )


def accept(
    session: Session,
    suggestion_id: int,
    user: User,
    span: Span | None = None,
    *,
    project_id: int | None = None,
) -> Coding:
    """Accept one of the user's open suggestions, optionally on a widened or narrowed span:
    it becomes the user's coding (origin ``suggestion``, with the suggestion and model version)."""
    suggestion = own_open(session, suggestion_id, user, project_id)
    document = suggestion.document
    project_service.require_role(
        session, get_or_raise(session, Project, document.project_id), user, Role.CODER
    )
    span = span or Span(suggestion.start, suggestion.end)
    if not span.overlaps(Span(suggestion.start, suggestion.end)):
        raise InvalidInput("the accepted span must overlap the suggested passage")
    coding = coding_service.apply_code(
        session,
        document_id=document.id,
        code_id=suggestion.code_id,
        span=span,
        coder_id=user.id,
        origin=Origin.SUGGESTION,
        suggestion_id=suggestion.id,
        model_version=suggestion.model_version,
    )
    _decide(
        session,
        suggestion,
        user,
        SuggestionStatus.ACCEPTED,
        {"coding_id": coding.id, "coded_start": coding.start, "coded_end": coding.end},
    )
    return coding


def reject(
    session: Session, suggestion_id: int, user: User, *, project_id: int | None = None
) -> Suggestion:
    """Reject one of the user's open suggestions: a negative example for that code only."""
    suggestion = own_open(session, suggestion_id, user, project_id)
    _decide(session, suggestion, user, SuggestionStatus.REJECTED, {})
    return suggestion


def threshold(project: Project) -> float:
    """The decision threshold: suggestions scoring at least this are "likely"."""
    return float((project.settings or {}).get(THRESHOLD_SETTING, DEFAULT_THRESHOLD))


def review_queue(
    session: Session,
    project: Project,
    user: User,
    order: str = "uncertainty",
    code_id: int | None = None,
    *,
    limit: int = 200,
) -> list[Suggestion]:
    """The user's open suggestions across the project's current documents, for triage:
    ``uncertainty`` puts those nearest the decision threshold first (where a decision teaches
    the model most), ``code`` groups them by code (codebook order, best first), ``document``
    follows the documents and the text."""
    if order not in ORDERS:
        raise InvalidInput(f"unknown order {order!r}: use one of {', '.join(ORDERS)}")
    stmt = (
        select(Suggestion)
        .join(Document, Document.id == Suggestion.document_id)
        .where(
            Document.project_id == project.id,
            Document.is_current.is_(True),
            Suggestion.for_user_id == user.id,
            Suggestion.status == SuggestionStatus.OPEN,
        )
    )
    if code_id is not None:
        get_or_raise(session, Code, code_id, project_id=project.id)
        stmt = stmt.where(Suggestion.code_id == code_id)
    if order == "uncertainty":
        stmt = stmt.order_by(func.abs(Suggestion.score - threshold(project)), Suggestion.id)
        return list(session.scalars(stmt.limit(limit)))
    if order == "document":
        stmt = stmt.order_by(Document.title, Document.id, Suggestion.start, Suggestion.score.desc())
        return list(session.scalars(stmt.limit(limit)))
    rank = {row.id: i for i, row in enumerate(codebook_service.tree(session, project.id))}
    rows = sorted(session.scalars(stmt), key=lambda s: (rank.get(s.code_id, 1 << 30), -s.score))
    return rows[:limit]


def queue_counts(session: Session, project: Project, user: User) -> dict[int, int]:
    """Code id → the user's open suggestions of it (for the queue's code filter)."""
    rows = session.execute(
        select(Suggestion.code_id, func.count())
        .join(Document, Document.id == Suggestion.document_id)
        .where(
            Document.project_id == project.id,
            Document.is_current.is_(True),
            Suggestion.for_user_id == user.id,
            Suggestion.status == SuggestionStatus.OPEN,
        )
        .group_by(Suggestion.code_id)
    )
    return {code_id: n for code_id, n in rows}
