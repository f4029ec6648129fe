"""Suggestions: the review queue page and the JSON API the workbench's suggestion panel uses.

Every route checks the caller's role on the project and finds documents and suggestions only
within it (another project's id, or another user's suggestion, is a 404). Suggestions are the
caller's own: computed against their codings only, so blind mode holds.

No request waits for a model fit: the project's :class:`~qualcode.services.training.Trainer`
(one per app, made on first use) fits in the background; until the first model is ready the
document endpoint answers ``"pending": true`` and the page polls the model status.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.db.engine import read_only_flag, read_only_transactions
from qualcode.errors import InvalidInput
from qualcode.models import Document, Role, Suggestion
from qualcode.services import assignments as assignment_service
from qualcode.services import codebook as codebook_service
from qualcode.services import suggestions as suggestion_service
from qualcode.services import training
from qualcode.services.lookup import get_or_raise
from qualcode.services.suggestion_models import Model
from qualcode.text.spans import Span
from webui.access import project_route
from webui.db import get_session
from webui.forms import body, span_from, utf16_index
from webui.serializers import coding_json

bp = Blueprint("suggestions", __name__)
API = "/api/p/<slug>"
_trainer_lock = threading.Lock()


def trainer() -> training.Trainer:
    """The app's background trainer (made on first use, so start-up loads no model)."""
    extensions = current_app.extensions
    with _trainer_lock:
        if "qualcode.trainer" not in extensions:
            extensions["qualcode.trainer"] = training.Trainer(extensions["qualcode.sessionmaker"])
        found: training.Trainer = extensions["qualcode.trainer"]
        return found


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """Let a GET write: end its read-only transaction and open one that takes the write lock
    up front (SQLite), so storing freshly computed suggestions never fails half-way."""
    session.commit()
    token = read_only_flag.set(False)
    try:
        yield
    finally:
        read_only_flag.reset(token)


def project_document(session: Session, document_id: int) -> Document:
    return get_or_raise(session, Document, document_id, project_id=g.project.id)


# --- JSON -------------------------------------------------------------------------------------


class Labels:
    """Code paths and colours, document titles, for the suggestions of one answer."""

    def __init__(self, session: Session, rows: Sequence[Suggestion]) -> None:
        codes = codebook_service.all_codes(session, g.project.id)
        self.paths = codebook_service.paths(codes)
        self.codes = {c.id: c for c in codes}
        wanted = {r.document_id for r in rows} | {
            n for r in rows for n in _rationale_documents(r.rationale)
        }
        self.titles = (
            {
                doc_id: title
                for doc_id, title in session.execute(
                    select(Document.id, Document.title).where(
                        Document.id.in_(wanted), Document.project_id == g.project.id
                    )
                )
            }
            if wanted
            else {}
        )


def _rationale_documents(rationale: dict[str, Any]) -> set[int]:
    nearest = rationale.get("nearest") if isinstance(rationale, dict) else None
    value = nearest.get("document_id") if isinstance(nearest, dict) else None
    return {value} if isinstance(value, int) else set()


def _rationale(rationale: dict[str, Any], labels: Labels) -> dict[str, Any]:
    """The stored rationale, with the nearest example's document title added."""
    out = dict(rationale or {})
    nearest = out.get("nearest")
    if isinstance(nearest, dict) and isinstance(nearest.get("document_id"), int):
        out["nearest"] = {**nearest, "document": labels.titles.get(nearest["document_id"], "")}
    return out


def suggestion_json(
    row: Suggestion, labels: Labels, *, with_utf16: bool = True, document: Document | None = None
) -> dict[str, Any]:
    code = labels.codes.get(row.code_id)
    out: dict[str, Any] = {
        "id": row.id,
        "document_id": row.document_id,
        "document": labels.titles.get(row.document_id, ""),
        "code_id": row.code_id,
        "code": labels.paths.get(row.code_id, ""),
        "code_name": code.name if code else "",
        "color": code.color if code else "#888888",
        "start": row.start,
        "end": row.end,
        "text": row.text,
        "score": round(row.score, 4),
        "confidence": row.confidence,
        "method": row.method,
        "model_version": row.model_version,
        "rationale": _rationale(row.rationale, labels),
        "status": row.status.value,
    }
    if with_utf16:
        doc = document or row.document
        out["start16"], out["end16"] = utf16_index(doc).span_to_utf16(Span(row.start, row.end))
    return out


def _status(session: Session) -> dict[str, Any]:
    status = training.status(session, g.project, trainer()).to_dict()
    status["threshold"] = suggestion_service.threshold(g.project)
    return status


def _document_answer(
    session: Session, document: Document, rows: Sequence[Suggestion], *, pending: bool
) -> ResponseReturnValue:
    labels = Labels(session, rows)
    return jsonify(
        {
            "document_id": document.id,
            "pending": pending,
            "model": _status(session),
            "threshold": suggestion_service.threshold(g.project),
            "suggestions": [suggestion_json(r, labels, document=document) for r in rows],
        }
    )


def _recompute(session: Session, document: Document, model: Model) -> list[Suggestion]:
    rows = suggestion_service.compute(session, g.project, document, g.user, model)
    with writing(session):
        suggestion_service.store(session, g.project, document, g.user, rows, model)
        session.commit()
    return list(suggestion_service.open_suggestions(session, document, g.user))


@bp.get(f"{API}/documents/<int:document_id>/suggestions")
@project_route(Role.CODER)
def document_suggestions(slug: str, document_id: int) -> ResponseReturnValue:
    """The caller's open suggestions for the document, computed first when there are none or
    they came from an older model."""
    session = get_session()
    document = project_document(session, document_id)
    model = trainer().model_for(session, g.project)
    if model is None:
        return _document_answer(session, document, [], pending=True)
    rows = list(suggestion_service.open_suggestions(session, document, g.user))
    if not rows or any(r.model_version != model.version for r in rows):
        rows = _recompute(session, document, model)
    return _document_answer(session, document, rows, pending=False)


@bp.post(f"{API}/documents/<int:document_id>/suggestions")
@project_route(Role.CODER)
def refresh_suggestions(slug: str, document_id: int) -> ResponseReturnValue:
    """Recompute the caller's suggestions for the document now (with the current model)."""
    session = get_session()
    document = project_document(session, document_id)
    model = trainer().model_for(session, g.project)
    if model is None:
        return _document_answer(session, document, [], pending=True)
    return _document_answer(session, document, _recompute(session, document, model), pending=False)


def _span(document: Document) -> Any:
    data = request.get_json(silent=True)
    return span_from(body(data), document, required=False) if data else None


@bp.post(f"{API}/suggestions/<int:suggestion_id>/accept")
@project_route(Role.CODER)
def accept(slug: str, suggestion_id: int) -> ResponseReturnValue:
    """Accept, optionally on a widened or narrowed span (``start16``/``end16`` in UTF-16 units,
    or ``start``/``end`` in code points)."""
    session = get_session()
    suggestion = suggestion_service.own_open(session, suggestion_id, g.user, g.project.id)
    coding = suggestion_service.accept(
        session, suggestion.id, g.user, _span(suggestion.document), project_id=g.project.id
    )
    assignment_service.mark_in_progress(session, suggestion.document, g.user.id)
    session.commit()
    with read_only_transactions():
        retraining = trainer().after_decisions(session, g.project)
    return jsonify(
        {
            "suggestion_id": suggestion.id,
            "status": "accepted",
            "coding": coding_json(coding),
            "retraining": retraining,
        }
    )


@bp.post(f"{API}/suggestions/<int:suggestion_id>/reject")
@project_route(Role.CODER)
def reject(slug: str, suggestion_id: int) -> ResponseReturnValue:
    session = get_session()
    suggestion = suggestion_service.own_open(session, suggestion_id, g.user, g.project.id)
    suggestion_service.reject(session, suggestion.id, g.user, project_id=g.project.id)
    session.commit()
    with read_only_transactions():
        retraining = trainer().after_decisions(session, g.project)
    return jsonify({"suggestion_id": suggestion.id, "status": "rejected", "retraining": retraining})


@bp.get(f"{API}/suggestions/model")
@project_route(Role.VIEWER)
def model_status(slug: str) -> ResponseReturnValue:
    return jsonify(_status(get_session()))


@bp.post(f"{API}/suggestions/model/retrain")
@project_route(Role.CODER)
def retrain(slug: str) -> ResponseReturnValue:
    """Refit the model now, in the background; answers at once."""
    session = get_session()
    trainer().schedule(g.project.id)
    return jsonify(_status(session)), 202


def _queue_args() -> tuple[str, int | None]:
    order = request.args.get("order") or "uncertainty"
    if order not in suggestion_service.ORDERS:
        raise InvalidInput(
            f"unknown order {order!r}: use one of {', '.join(suggestion_service.ORDERS)}"
        )
    code = request.args.get("code") or None
    if code is not None and not code.isdigit():
        raise InvalidInput("code must be a code id")
    return order, int(code) if code else None


@bp.get(f"{API}/suggestions")
@project_route(Role.CODER)
def queue_api(slug: str) -> ResponseReturnValue:
    """The caller's review queue as JSON (``order``: uncertainty, code or document)."""
    session = get_session()
    order, code_id = _queue_args()
    rows = suggestion_service.review_queue(session, g.project, g.user, order, code_id)
    labels = Labels(session, rows)
    return jsonify(
        {
            "order": order,
            "code_id": code_id,
            "model": _status(session),
            "suggestions": [suggestion_json(r, labels) for r in rows],
        }
    )


# --- the review queue page --------------------------------------------------------------------


@bp.get("/p/<slug>/suggestions")
@project_route(Role.CODER)
def queue(slug: str) -> ResponseReturnValue:
    session = get_session()
    order, code_id = _queue_args()
    rows = suggestion_service.review_queue(session, g.project, g.user, order, code_id)
    labels = Labels(session, rows)
    items = [suggestion_json(r, labels, with_utf16=False) for r in rows]
    counts = suggestion_service.queue_counts(session, g.project, g.user)
    codes = [
        (row.id, row.path, counts.get(row.id, 0))
        for row in codebook_service.tree(session, g.project.id)
        if counts.get(row.id)
    ]
    documents = session.execute(
        select(Document.id, Document.title)
        .where(Document.project_id == g.project.id, Document.is_current.is_(True))
        .order_by(Document.title)
    ).all()
    state = {
        "project": g.project.slug,
        "order": order,
        "codeId": code_id,
        "documents": [{"id": d.id, "title": d.title} for d in documents],
    }
    return render_template(
        "suggestions/queue.html",
        items=items,
        order=order,
        code_id=code_id,
        codes=codes,
        orders=suggestion_service.ORDERS,
        state=state,
        status=_status(session),
        total=sum(counts.values()),
    )
