"""Applying, changing and removing codings; every coder's codings are their own layer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from qualcode.models import Code, Coding, Document, Origin
from qualcode.services import audit
from qualcode.services.lookup import get_or_raise
from qualcode.text.spans import Span, check_span, trim


def _valid_span(document: Document, span: Span) -> Span:
    try:
        check_span(document.text, span)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    trimmed = trim(document.text, span)
    if len(trimmed) == 0:
        raise InvalidInput("the selection holds only white space")
    return trimmed


def apply_code(
    session: Session,
    *,
    document_id: int,
    code_id: int,
    span: Span,
    coder_id: int,
    origin: Origin = Origin.MANUAL,
    suggestion_id: int | None = None,
    model_version: str | None = None,
    actor_id: int | None = None,
) -> Coding:
    """Code ``span`` of a document with a code for a coder. The span is trimmed of white space;
    applying the same code to the same span twice returns the existing coding."""
    document = get_or_raise(session, Document, document_id)
    code = get_or_raise(session, Code, code_id)
    if code.project_id != document.project_id:
        raise Conflict("code and document belong to different projects")
    if not code.active:
        raise Conflict(f"code {code.name} is deactivated")
    span = _valid_span(document, span)
    existing = session.scalar(
        select(Coding).where(
            Coding.document_id == document.id,
            Coding.code_id == code.id,
            Coding.coder_id == coder_id,
            Coding.start == span.start,
            Coding.end == span.end,
        )
    )
    if existing is not None:
        return existing
    coding = Coding(
        document_id=document.id,
        code_id=code.id,
        coder_id=coder_id,
        start=span.start,
        end=span.end,
        quote=document.text[span.start : span.end],
        origin=origin,
        suggestion_id=suggestion_id,
        model_version=model_version,
    )
    session.add(coding)
    session.flush()
    audit.record(
        session,
        "coding.added",
        coding,
        project_id=document.project_id,
        user_id=actor_id if actor_id is not None else coder_id,
        detail=coding_detail(coding),
    )
    return coding


def coding_detail(coding: Coding) -> dict[str, object]:
    return {
        "document_id": coding.document_id,
        "code_id": coding.code_id,
        "coder_id": coding.coder_id,
        "start": coding.start,
        "end": coding.end,
        "origin": coding.origin.value,
    }


def _own(coding: Coding, actor_id: int, may_edit_others: bool) -> None:
    if coding.coder_id != actor_id and not may_edit_others:
        raise PermissionDenied("you can only change your own codings")


def update_coding(
    session: Session,
    coding_id: int,
    *,
    actor_id: int,
    span: Span | None = None,
    code_id: int | None = None,
    may_edit_others: bool = False,
    project_id: int | None = None,
) -> Coding:
    """Widen, narrow or recode a coding."""
    coding = get_or_raise(session, Coding, coding_id)
    if project_id is not None and coding.document.project_id != project_id:
        raise NotFound(f"no coding with id {coding_id}")
    _own(coding, actor_id, may_edit_others)
    before = coding_detail(coding)
    if span is not None:
        span = _valid_span(coding.document, span)
        coding.start, coding.end = span.start, span.end
        coding.quote = coding.document.text[span.start : span.end]
    if code_id is not None:
        code = get_or_raise(session, Code, code_id)
        if code.project_id != coding.document.project_id:
            raise Conflict("code and document belong to different projects")
        coding.code_id = code.id
    session.flush()
    audit.record(
        session,
        "coding.changed",
        coding,
        project_id=coding.document.project_id,
        user_id=actor_id,
        detail={"before": before, "after": coding_detail(coding)},
    )
    return coding


def remove_coding(
    session: Session,
    coding_id: int,
    *,
    actor_id: int,
    may_edit_others: bool = False,
    project_id: int | None = None,
) -> dict[str, object]:
    coding = get_or_raise(session, Coding, coding_id)
    if project_id is not None and coding.document.project_id != project_id:
        raise NotFound(f"no coding with id {coding_id}")
    _own(coding, actor_id, may_edit_others)
    detail = coding_detail(coding)
    detail["quote"] = coding.quote
    audit.record(
        session,
        "coding.removed",
        coding,
        project_id=coding.document.project_id,
        user_id=actor_id,
        detail=detail,
    )
    session.delete(coding)
    session.flush()
    return detail


def codings_for_document(
    session: Session, document_id: int, *, coder_ids: Sequence[int] | None = None
) -> Sequence[Coding]:
    stmt = select(Coding).where(Coding.document_id == document_id).order_by(Coding.start, Coding.id)
    if coder_ids is not None:
        stmt = stmt.where(Coding.coder_id.in_(coder_ids))
    return session.scalars(stmt).all()
