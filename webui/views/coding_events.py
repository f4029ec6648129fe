"""Live updates for the workbench: the audit log since an event id, shaped for the page.

Part of the ``coding`` blueprint. The page polls ``GET /api/p/<slug>/events?after=ID&
document_id=N`` every few seconds; each answer carries the changes it must apply (codings
added, changed or removed, memos, codebook edits, assignment changes) and the id to ask from
next. Blind mode holds here as everywhere: other coders' codings of a document the caller is
blind-coding never appear.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.models import Coding, Event, Memo, Role, User
from qualcode.services import assignments as assignment_service
from qualcode.services import audit
from webui.access import project_route
from webui.db import get_session
from webui.serializers import coding_json, memo_json, timestamp
from webui.views.coding import API, bp, project_document

PAGE = 500


def _arg(name: str, default: int | None) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise InvalidInput(f"{name} must be a whole number")
    return int(value)


def _rows(session: Session, model: type[Any], ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def _document_of(event: Event, memos: dict[int, Memo]) -> int | None:
    if event.entity_type == "memo" and event.entity_id in memos:
        return memos[event.entity_id].document_id
    before = event.detail.get("before")
    if isinstance(before, dict) and "document_id" in before:
        return int(before["document_id"])
    value = event.detail.get("document_id")
    return int(value) if isinstance(value, int) else None


@bp.get(f"{API}/events")
@project_route(Role.VIEWER)
def events(slug: str) -> ResponseReturnValue:
    session = get_session()
    after = _arg("after", 0) or 0
    document_id = _arg("document_id", None)
    if document_id is not None:
        project_document(session, document_id)
    rows = audit.events_since(session, g.project.id, after, limit=PAGE)
    hidden_docs = assignment_service.blind_documents(session, g.project.id, g.user)
    codings = _rows(
        session, Coding, {e.entity_id for e in rows if e.entity_type == "coding" and e.entity_id}
    )
    memos = _rows(
        session, Memo, {e.entity_id for e in rows if e.entity_type == "memo" and e.entity_id}
    )
    users = _rows(session, User, {e.user_id for e in rows if e.user_id})
    out = []
    for event in rows:
        doc = _document_of(event, memos)
        if document_id is not None and doc is not None and doc != document_id:
            continue
        change = _change(event, codings, memos)
        if change is None or _is_hidden(event, change, doc, hidden_docs):
            continue
        user = users.get(event.user_id) if event.user_id else None
        out.append(
            {
                "id": event.id,
                "action": event.action,
                "at": timestamp(event.at),
                "user_id": event.user_id,
                "user": user.label if user else None,
                "document_id": doc,
                **change,
            }
        )
    return jsonify(
        {"events": out, "last_id": rows[-1].id if rows else after, "more": len(rows) == PAGE}
    )


def _change(
    event: Event, codings: dict[int, Coding], memos: dict[int, Memo]
) -> dict[str, Any] | None:
    """What the page must do for one event, or ``None`` when it concerns the page not at all."""
    kind, _, verb = event.action.partition(".")
    if kind == "coding":
        if verb == "removed":
            return {
                "type": "coding_removed",
                "coding_id": event.entity_id,
                "coder_id": event.detail.get("coder_id"),
            }
        coding = codings.get(event.entity_id or 0)
        # a coding added then removed within the same page of events is reported by its removal
        return (
            {"type": "coding", "coding": coding_json(coding), "coder_id": coding.coder_id}
            if coding
            else None
        )
    if kind == "memo":
        memo = memos.get(event.entity_id or 0)
        if verb == "deleted" or memo is None:
            return {"type": "memo_removed", "memo_id": event.entity_id}
        return {"type": "memo", "memo": memo_json(memo), "author_id": memo.author_id}
    if kind == "code":
        return {"type": "codebook"}
    if kind == "assignment":
        return {
            "type": "assignment",
            "coder_id": event.detail.get("coder_id"),
            "status": event.detail.get("status"),
            "blind": event.detail.get("blind"),
        }
    return None


def _is_hidden(
    event: Event, change: dict[str, Any], doc: int | None, hidden_docs: set[int]
) -> bool:
    if doc is None or doc not in hidden_docs or change["type"] == "assignment":
        return False
    owner = change.get("coder_id", change.get("author_id"))
    if change["type"] == "memo_removed":
        owner = event.user_id
    return owner is not None and owner != g.user.id
