"""Memos in the workbench API: on a span, a document, a code or a coding; listed and searched.

Part of the ``coding`` blueprint (``webui/views/coding.py`` imports this module). In blind
mode a coder sees only their own memos on the documents they are blind-coding.
"""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Memo, Role
from qualcode.services import assignments as assignment_service
from qualcode.services import memos as memo_service
from qualcode.services.lookup import get_or_raise
from webui.access import can, project_route
from webui.db import get_session
from webui.forms import MemoChange, MemoIn, span_from
from webui.serializers import memo_json
from webui.views.coding import API, bp, project_document, visible_coding


def _visible(session: Session, memos: list[Memo]) -> list[Memo]:
    hidden_docs = assignment_service.blind_documents(session, g.project.id, g.user)
    return [m for m in memos if m.document_id not in hidden_docs or m.author_id == g.user.id]


def _memo(session: Session, memo_id: int) -> Memo:
    memo = get_or_raise(session, Memo, memo_id, project_id=g.project.id)
    if not _visible(session, [memo]):
        raise NotFound(f"no memo with id {memo_id}")
    return memo


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise InvalidInput(f"{name} must be a whole number")
    return int(value)


@bp.get(f"{API}/memos")
@project_route(Role.VIEWER)
def list_memos(slug: str) -> ResponseReturnValue:
    """Memos of the project, optionally of one document or code, matching ``q``."""
    session = get_session()
    document_id, code_id = _int_arg("document_id"), _int_arg("code_id")
    if document_id is not None:
        project_document(session, document_id)
    memos = memo_service.list_memos(
        session,
        g.project,
        document_id=document_id,
        code_id=code_id,
        search=request.args.get("q") or None,
    )
    return jsonify({"memos": [memo_json(m) for m in _visible(session, list(memos))]})


@bp.post(f"{API}/memos")
@project_route(Role.CODER)
def create_memo(slug: str) -> ResponseReturnValue:
    session = get_session()
    data = MemoIn.from_json(request.get_json(silent=True))
    document_id = data.document_id
    if data.coding_id is not None:
        document_id = visible_coding(session, data.coding_id).document_id
    span = None
    if data.span_data:
        if document_id is None:
            raise InvalidInput("a memo on a span needs its document_id")
        span = span_from(data.span_data, project_document(session, document_id))
    memo = memo_service.create_memo(
        session,
        g.project,
        author_id=g.user.id,
        text=data.text,
        title=data.title,
        document_id=document_id,
        code_id=data.code_id,
        coding_id=data.coding_id,
        span=span,
    )
    session.commit()
    return jsonify(memo_json(memo)), 201


@bp.get(f"{API}/memos/<int:memo_id>")
@project_route(Role.VIEWER)
def get_memo(slug: str, memo_id: int) -> ResponseReturnValue:
    return jsonify(memo_json(_memo(get_session(), memo_id)))


@bp.patch(f"{API}/memos/<int:memo_id>")
@project_route(Role.CODER)
def update_memo(slug: str, memo_id: int) -> ResponseReturnValue:
    session = get_session()
    memo = _memo(session, memo_id)
    change = MemoChange.from_json(request.get_json(silent=True))
    memo_service.update_memo(
        session,
        memo,
        actor_id=g.user.id,
        text=change.text,
        title=change.title,
        may_edit_others=can(Role.LEAD),
    )
    session.commit()
    return jsonify(memo_json(memo))


@bp.delete(f"{API}/memos/<int:memo_id>")
@project_route(Role.CODER)
def delete_memo(slug: str, memo_id: int) -> ResponseReturnValue:
    session = get_session()
    memo = _memo(session, memo_id)
    memo_service.delete_memo(session, memo, actor_id=g.user.id, may_edit_others=can(Role.LEAD))
    session.commit()
    return jsonify({"removed": memo_id})
