"""Memos on a project, case, document, code, coding or span; listed and searchable."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound, PermissionDenied
from qualcode.models import Case, Code, Coding, Document, Memo, Project
from qualcode.services import audit
from qualcode.services.lookup import get_or_raise
from qualcode.text.spans import Span, check_span


def create_memo(
    session: Session,
    project: Project,
    *,
    author_id: int,
    text: str,
    title: str = "",
    kind: str = "memo",
    case_id: int | None = None,
    document_id: int | None = None,
    code_id: int | None = None,
    coding_id: int | None = None,
    span: Span | None = None,
) -> Memo:
    if not text.strip() and not title.strip():
        raise InvalidInput("a memo needs some text")
    for model, ident in ((Case, case_id), (Document, document_id), (Code, code_id)):
        if ident is not None:
            get_or_raise(session, model, ident, project_id=project.id)
    quote = None
    if coding_id is not None:
        coding = get_or_raise(session, Coding, coding_id)
        if coding.document.project_id != project.id:
            raise NotFound(f"no coding with id {coding_id}")
        document_id = coding.document_id
    if span is not None:
        if document_id is None:
            raise InvalidInput("a memo on a span needs its document")
        doc = get_or_raise(session, Document, document_id, project_id=project.id)
        try:
            check_span(doc.text, span)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        quote = doc.text[span.start : span.end]
    memo = Memo(
        project_id=project.id,
        author_id=author_id,
        title=title.strip()[:300],
        text=text,
        kind=kind,
        case_id=case_id,
        document_id=document_id,
        code_id=code_id,
        coding_id=coding_id,
        start=span.start if span else None,
        end=span.end if span else None,
        quote=quote,
    )
    session.add(memo)
    session.flush()
    audit.record(
        session,
        "memo.created",
        memo,
        user_id=author_id,
        detail={"kind": kind, "document_id": document_id, "code_id": code_id},
    )
    return memo


def update_memo(
    session: Session,
    memo: Memo,
    *,
    actor_id: int,
    text: str | None = None,
    title: str | None = None,
    may_edit_others: bool = False,
) -> Memo:
    if memo.author_id != actor_id and not may_edit_others:
        raise PermissionDenied("you can only edit your own memos")
    if text is not None:
        memo.text = text
    if title is not None:
        memo.title = title.strip()[:300]
    session.flush()
    audit.record(session, "memo.changed", memo, user_id=actor_id)
    return memo


def delete_memo(
    session: Session, memo: Memo, *, actor_id: int, may_edit_others: bool = False
) -> None:
    if memo.author_id != actor_id and not may_edit_others:
        raise PermissionDenied("you can only delete your own memos")
    audit.record(session, "memo.deleted", memo, user_id=actor_id, detail={"title": memo.title})
    session.delete(memo)
    session.flush()


def list_memos(
    session: Session,
    project: Project,
    *,
    document_id: int | None = None,
    code_id: int | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> Sequence[Memo]:
    stmt = select(Memo).where(Memo.project_id == project.id).order_by(Memo.created_at.desc())
    if document_id is not None:
        stmt = stmt.where(Memo.document_id == document_id)
    if code_id is not None:
        stmt = stmt.where(Memo.code_id == code_id)
    if kind is not None:
        stmt = stmt.where(Memo.kind == kind)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(or_(Memo.text.ilike(like), Memo.title.ilike(like)))
    return session.scalars(stmt).all()
