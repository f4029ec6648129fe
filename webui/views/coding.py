"""The coding workbench: the document page and the JSON API its script (and scripts) use.

Every API route checks the caller's role on the project (``project_route``), finds objects only
within that project (another project's id is a 404), and applies blind mode: while a coder is
blind-coding a document, nothing here shows them another coder's codings or memos of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, NotFound
from qualcode.models import Code, Coding, Document, Role, Turn, User
from qualcode.services import assignments as assignment_service
from qualcode.services import audit, coding_counts
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import users as user_service
from qualcode.services.lookup import get_or_raise
from webui.access import can, project_route
from webui.db import get_session
from webui.forms import AssignmentIn, CodingChange, CodingIn, done_from, utf16_index
from webui.serializers import (
    assignment_json,
    codebook_json,
    coding_json,
    document_codings,
    document_json,
    transcript_blocks,
    transcript_html,
    user_json,
)

bp = Blueprint("coding", __name__)
API = "/api/p/<slug>"


# --- lookups shared by the routes -------------------------------------------------------------


def project_document(session: Session, document_id: int) -> Document:
    return get_or_raise(session, Document, document_id, project_id=g.project.id)


def visible_coding(session: Session, coding_id: int) -> Coding:
    """A coding of this project the user may see; anything else is reported missing."""
    coding = session.get(Coding, coding_id)
    if coding is not None and coding.document.project_id == g.project.id:
        visible = assignment_service.visible_coder_ids(session, coding.document, g.user)
        if visible is None or coding.coder_id in visible:
            return coding
    raise NotFound(f"no coding with id {coding_id}")


def project_code(session: Session, code_id: int) -> Code:
    code = get_or_raise(session, Code, code_id, project_id=g.project.id)
    if not code.codable:
        raise Conflict(f"{code.name} is a heading in the codebook; pick a code under it")
    return code


def coder_filter(session: Session, document: Document, which: str | None) -> set[int] | None:
    """Whose codings to list: ``me``, ``all`` (or nothing) or a user id, within blind mode."""
    visible = assignment_service.visible_coder_ids(session, document, g.user)
    if which == "me":
        return {g.user.id}
    if which and which != "all":
        if not which.isdigit():
            raise NotFound(f"no coder {which}: use me, all or a user id")
        return {int(which)} if visible is None else {int(which)} & visible
    return visible


def codebook_counts(session: Session) -> dict[int, int]:
    counts = coding_counts.counts(session, g.project.id)
    blind_docs = assignment_service.blind_documents(session, g.project.id, g.user)
    for code_id, n in assignment_service.hidden_coding_counts(session, g.user, blind_docs).items():
        counts[code_id] = counts.get(code_id, 0) - n
    return counts


def codebook_payload(session: Session) -> list[dict[str, Any]]:
    codes = codebook_service.all_codes(session, g.project.id)
    return codebook_json(codes, codebook_service.paths(codes), codebook_counts(session))


def coders_payload(session: Session, codings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = {c["coder_id"] for c in codings} | {g.user.id}
    users = session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username))
    return [user_json(u) for u in users]


# --- the page ---------------------------------------------------------------------------------


@bp.app_template_global()
def workbench_url(document_id: int, start: int, end: int, coding_id: int | None = None) -> str:
    """The workbench opened at a span (code points): it scrolls to, selects and flashes it.

    ``at``/``to`` are read by the page's script (static/js/workbench/target.js); the ``#o=``
    fragment says the same for links that keep only the fragment.
    """
    url = url_for(
        "coding.workbench",
        slug=g.project.slug,
        document_id=document_id,
        at=start,
        to=end,
        coding=coding_id,
    )
    return f"{url}#o={start}-{end}"


@bp.get("/p/<slug>/documents/<int:document_id>")
@project_route(Role.VIEWER)
def workbench(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    turns = session.scalars(select(Turn).where(Turn.document_id == document.id)).all()
    blocks = transcript_blocks(document.text, turns, utf16_index(document))
    visible = assignment_service.visible_coder_ids(session, document, g.user)
    codings = document_codings(session, document.id, visible, with_quote=False)
    assignment = assignment_service.get_assignment(session, document.id, g.user.id)
    state = {
        "project": g.project.slug,
        "document": {"id": document.id, "title": document.title},
        "me": user_json(g.user),
        "role": g.role.value,
        "canCode": can(Role.CODER),
        "isLead": can(Role.LEAD),
        "blind": visible is not None,
        "assignment": assignment_json(assignment),
        "codes": codebook_payload(session),
        "coders": coders_payload(session, codings),
        "codings": codings,
        "lastEventId": audit.latest_event_id(session, g.project.id),
        "textLength": len(document.text),
    }
    return render_template(
        "coding/workbench.html", document=document, state=state, transcript=transcript_html(blocks)
    )


# --- documents and codings --------------------------------------------------------------------


@bp.get(f"{API}/documents/<int:document_id>")
@project_route(Role.VIEWER)
def document_api(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    out = document_json(document, with_text=request.args.get("text") != "0")
    out["assignment"] = assignment_json(
        assignment_service.get_assignment(session, document.id, g.user.id)
    )
    out["blind"] = assignment_service.visible_coder_ids(session, document, g.user) is not None
    return jsonify(out)


@bp.get(f"{API}/documents/<int:document_id>/codings")
@project_route(Role.VIEWER)
def list_codings(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    codings = document_codings(
        session, document.id, coder_filter(session, document, request.args.get("coder"))
    )
    blind = assignment_service.visible_coder_ids(session, document, g.user) is not None
    return jsonify(
        {
            "codings": codings,
            "blind": blind,
            "coders": coders_payload(session, codings),
            "last_event_id": audit.latest_event_id(session, g.project.id),
        }
    )


@bp.post(f"{API}/documents/<int:document_id>/codings")
@project_route(Role.CODER)
def create_coding(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    data = CodingIn.from_json(request.get_json(silent=True), document)
    code = project_code(session, data.code_id)
    coding = coding_service.apply_code(
        session,
        document_id=document.id,
        code_id=code.id,
        span=data.span,
        coder_id=g.user.id,
        origin=data.origin,
    )
    assignment_service.mark_in_progress(session, document, g.user.id)
    session.commit()
    return jsonify(coding_json(coding)), 201


@bp.get(f"{API}/codings/<int:coding_id>")
@project_route(Role.VIEWER)
def get_coding(slug: str, coding_id: int) -> ResponseReturnValue:
    return jsonify(coding_json(visible_coding(get_session(), coding_id)))


@bp.patch(f"{API}/codings/<int:coding_id>")
@project_route(Role.CODER)
def update_coding(slug: str, coding_id: int) -> ResponseReturnValue:
    session = get_session()
    coding = visible_coding(session, coding_id)
    change = CodingChange.from_json(request.get_json(silent=True), coding.document)
    if change.code_id is not None:
        project_code(session, change.code_id)
    coding = coding_service.update_coding(
        session,
        coding.id,
        actor_id=g.user.id,
        span=change.span,
        code_id=change.code_id,
        may_edit_others=can(Role.LEAD),
        project_id=g.project.id,
    )
    session.commit()
    return jsonify(coding_json(coding))


@bp.delete(f"{API}/codings/<int:coding_id>")
@project_route(Role.CODER)
def delete_coding(slug: str, coding_id: int) -> ResponseReturnValue:
    """Uncode; the answer holds what was removed, so a client can undo by re-applying it."""
    session = get_session()
    coding = visible_coding(session, coding_id)
    removed = coding_service.remove_coding(
        session,
        coding.id,
        actor_id=g.user.id,
        may_edit_others=can(Role.LEAD),
        project_id=g.project.id,
    )
    session.commit()
    return jsonify({"removed": coding_id, **removed})


# --- the codebook -----------------------------------------------------------------------------


@bp.get(f"{API}/codebook")
@project_route(Role.VIEWER)
def codebook(slug: str) -> ResponseReturnValue:
    return jsonify({"codes": codebook_payload(get_session())})


# --- progress and assignments -----------------------------------------------------------------


@bp.post(f"{API}/documents/<int:document_id>/done")
@project_route(Role.CODER)
def mark_done(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    assignment = assignment_service.mark_done(
        session, document, g.user.id, done=done_from(request.get_json(silent=True))
    )
    session.commit()
    return jsonify(assignment_json(assignment))


@bp.get(f"{API}/documents/<int:document_id>/assignments")
@project_route(Role.VIEWER)
def list_assignments(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    rows = assignment_service.assignments_for_document(session, document.id)
    return jsonify(
        {"assignments": [{**(assignment_json(a) or {}), "coder": a.coder.label} for a in rows]}
    )


@bp.post(f"{API}/documents/<int:document_id>/assignments")
@project_route(Role.LEAD)
def create_assignment(slug: str, document_id: int) -> ResponseReturnValue:
    session = get_session()
    document = project_document(session, document_id)
    data = AssignmentIn.from_json(request.get_json(silent=True))
    coder = user_service.require_user(session, data.username)
    assignment = assignment_service.assign(
        session, document, coder, purpose=data.purpose, blind=data.blind, actor_id=g.user.id
    )
    session.commit()
    return jsonify(assignment_json(assignment)), 201


from webui.views import coding_events, coding_memos  # noqa: E402,F401  (routes on ``bp``)
