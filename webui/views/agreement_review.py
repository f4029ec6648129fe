"""Reviewing one document's disagreements on a code side by side, and deciding them.

Part of the ``agreement`` blueprint (``webui/views/agreement.py`` imports this module). Each
disagreement item is shown as the same excerpt of the text three times: coder A's codings
highlighted, coder B's, and the consensus layer, with the disputed stretch underlined. Leads
adjudicate an item (take A, take B, both, neither, or an edited span, with a reason) and can
turn it into a proposal to change the code's definition; both are plain forms (JSON twins under
``/api/``), so the page works without its script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.models import Code, Document, Role
from qualcode.services import adjudication
from qualcode.services import agreement as agreement_service
from qualcode.services import codebook as codebook_service
from qualcode.services import users as user_service
from qualcode.services.lookup import get_or_raise
from qualcode.text.spans import Span
from webui.access import can, project_route
from webui.db import get_session
from webui.views.agreement import API, PAGE, bp, compared_pair

CONTEXT = 160  # characters of context shown around an item
DOCUMENT = "/codes/<int:code_id>/documents/<int:document_id>"


@dataclass(frozen=True)
class Piece:
    """A run of the excerpt: ``start`` in code points, whether this layer coded it, disputed."""

    start: int
    text: str
    marked: bool
    disputed: bool


def _context(text: str, window: Span) -> Span:
    start = max(0, window.start - CONTEXT)
    while start > 0 and not text[start - 1].isspace() and window.start - start < CONTEXT + 40:
        start -= 1
    end = min(len(text), window.end + CONTEXT)
    while end < len(text) and not text[end].isspace() and end - window.end < CONTEXT + 40:
        end += 1
    return Span(start, end)


def excerpt(
    text: str, context: Span, spans: Sequence[Span], disputed: Sequence[Span]
) -> list[Piece]:
    """``text[context]`` cut where ``spans`` (this layer) or ``disputed`` begin or end."""
    cuts = {context.start, context.end}
    for span in [*spans, *disputed]:
        cuts.update(p for p in (span.start, span.end) if context.start < p < context.end)
    points = sorted(cuts)
    pieces = []
    for start, end in zip(points, points[1:], strict=False):
        piece = Span(start, end)
        pieces.append(
            Piece(
                start,
                text[start:end],
                any(s.contains(piece) for s in spans),
                any(d.contains(piece) for d in disputed),
            )
        )
    return pieces


def _lookups(session: Session, code_id: int, document_id: int) -> tuple[Code, Document]:
    code = get_or_raise(session, Code, code_id, project_id=g.project.id)
    document = get_or_raise(session, Document, document_id, project_id=g.project.id)
    return code, document


def review(
    session: Session, code: Code, document: Document, pair: Sequence[str]
) -> tuple[list[agreement_service.Coder], list[adjudication.Item]]:
    """The pair's coders and the document's items, with the consensus and past decisions."""
    agreement_service.require_review_access(session, g.project, g.user, document)
    coders = agreement_service.resolve_coders(session, g.project, pair)
    layers_of = list(coders)
    if agreement_service.CONSENSUS not in pair:
        consensus = user_service.get_user(session, agreement_service.CONSENSUS, missing_ok=True)
        layers_of.append(
            agreement_service.Coder(
                agreement_service.CONSENSUS, "Consensus", consensus.id if consensus else None
            )
        )
    layers = agreement_service.document_layers(session, g.project, document, code, layers_of)
    items = adjudication.review_items(
        layers, str(code.id), pair[0], pair[1], agreement_service.CONSENSUS
    )
    events = adjudication.adjudication_events(session, g.project, document.id, code.id)
    return coders, adjudication.with_decisions(items, events)


def _columns(
    text: str, item: adjudication.Item, coders: Sequence[agreement_service.Coder]
) -> list[dict[str, Any]]:
    context = _context(text, item.window)
    disputed = [Span(r.start, r.end) for r in item.regions]
    layers = [(coders[0].label, "a", item.spans_a), (coders[1].label, "b", item.spans_b)]
    layers.append(("Consensus", "consensus", item.consensus))
    return [
        {"label": label, "layer": layer, "pieces": excerpt(text, context, spans, disputed)}
        for label, layer, spans in layers
    ]


@bp.get(f"{PAGE}{DOCUMENT}")
@project_route(Role.CODER)
def document(slug: str, code_id: int, document_id: int) -> ResponseReturnValue:
    session = get_session()
    code, doc = _lookups(session, code_id, document_id)
    pair, names = compared_pair(session)
    coders, items = review(session, code, doc, pair)
    paths = codebook_service.paths(codebook_service.all_codes(session, g.project.id))
    return render_template(
        "agreement/document.html",
        code=code,
        path=paths[code.id],
        document=doc,
        coders=coders,
        pair=pair,
        names=names,
        unit=request.args.get("unit", "character"),
        items=[{"item": item, "columns": _columns(doc.text, item, coders)} for item in items],
        decisions=[d.value for d in adjudication.Decision],
        is_lead=can(Role.LEAD),
    )


@bp.get(f"{API}{DOCUMENT}")
@project_route(Role.CODER)
def document_json(slug: str, code_id: int, document_id: int) -> ResponseReturnValue:
    session = get_session()
    code, doc = _lookups(session, code_id, document_id)
    pair, _ = compared_pair(session)
    _, items = review(session, code, doc, pair)
    return jsonify(
        {
            "document_id": doc.id,
            "code_id": code.id,
            "coders": pair,
            "items": [item.to_dict() for item in items],
        }
    )


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise InvalidInput(f"{key} must be a whole number")


def _span(data: Mapping[str, Any], start: str, end: str) -> Span:
    first, last = _int(data, start), _int(data, end)
    if last < first:
        raise InvalidInput(f"{start} ({first}) is after {end} ({last})")
    return Span(first, last)


def _coders_from(data: Mapping[str, Any]) -> list[str]:
    value = data.get("coders", "")
    names = value if isinstance(value, list) else str(value).split(",")
    names = [str(name).strip() for name in names if str(name).strip()]
    if len(names) != 2:
        raise InvalidInput("name the two coders whose disagreement is decided (coders=a,b)")
    return names


def _adjudicate(code_id: int, document_id: int, data: Mapping[str, Any]) -> Any:
    session = get_session()
    code, doc = _lookups(session, code_id, document_id)
    pair = _coders_from(data)
    coders = agreement_service.resolve_coders(session, g.project, pair)
    decision = adjudication.Decision.parse(str(data.get("decision", "")))
    edited = None
    if decision is adjudication.Decision.EDIT:
        edited = _span(data, "edit_start", "edit_end")
    result = adjudication.adjudicate(
        session,
        g.project,
        document=doc,
        code=code,
        coder_a=coders[0],
        coder_b=coders[1],
        window=_span(data, "start", "end"),
        decision=decision,
        reason=str(data.get("reason", "")),
        actor=g.user,
        edited=edited,
    )
    session.commit()
    return result, pair


@bp.post(f"{PAGE}{DOCUMENT}/adjudicate")
@project_route(Role.LEAD)
def adjudicate(slug: str, code_id: int, document_id: int) -> ResponseReturnValue:
    result, pair = _adjudicate(code_id, document_id, request.form)
    spans = ", ".join(f"[{s.start}, {s.end})" for s in result.consensus) or "nothing"
    flash(f"Decided ({result.decision.value.replace('_', ' ')}): the consensus now codes {spans}.")
    return redirect(
        url_for(
            "agreement.document",
            slug=slug,
            code_id=code_id,
            document_id=document_id,
            coders=",".join(pair),
            _anchor=f"item-{result.window.start}",
        )
    )


@bp.post(f"{API}{DOCUMENT}/adjudicate")
@project_route(Role.LEAD)
def adjudicate_json(slug: str, code_id: int, document_id: int) -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    result, pair = _adjudicate(code_id, document_id, data)
    return jsonify(
        {
            "decision": result.decision.value,
            "coders": pair,
            "window": [result.window.start, result.window.end],
            "consensus": [[s.start, s.end] for s in result.consensus],
            "added": result.added,
            "removed": result.removed,
            "event_id": result.event.id,
        }
    )


def _propose(code_id: int, data: Mapping[str, Any]) -> Any:
    session = get_session()
    code = get_or_raise(session, Code, code_id, project_id=g.project.id)
    doc, window = None, None
    if data.get("document_id") not in (None, ""):
        doc = get_or_raise(session, Document, _int(data, "document_id"), project_id=g.project.id)
        if data.get("start") not in (None, ""):
            window = _span(data, "start", "end")
    memo = adjudication.propose_definition_change(
        session,
        g.project,
        code=code,
        text=str(data.get("text", "")),
        why=str(data.get("why", ""))[:300],
        actor=g.user,
        document=doc,
        window=window,
    )
    session.commit()
    return memo


@bp.post(f"{PAGE}/codes/<int:code_id>/proposals")
@project_route(Role.LEAD)
def propose(slug: str, code_id: int) -> ResponseReturnValue:
    memo = _propose(code_id, request.form)
    flash("Your proposal to change the definition is on the code; the codebook editor shows it.")
    target = request.form.get("next", "")
    if target.startswith(f"/p/{slug}/agreement") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("agreement.code", slug=slug, code_id=memo.code_id))


@bp.post(f"{API}/codes/<int:code_id>/proposals")
@project_route(Role.LEAD)
def propose_json(slug: str, code_id: int) -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    memo = _propose(code_id, data)
    return jsonify(
        {
            "id": memo.id,
            "kind": memo.kind,
            "code_id": memo.code_id,
            "document_id": memo.document_id,
            "start": memo.start,
            "end": memo.end,
            "quote": memo.quote,
            "title": memo.title,
            "text": memo.text,
        }
    ), 201
