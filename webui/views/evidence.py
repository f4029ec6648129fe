"""The Evidence page: quotes by code, Boolean code query or words, filtered, with context.

The page is rendered on the server from the query arguments (``webui/views/evidence_query``),
so every search is a link; ``static/js/evidence.js`` adds the code-tree search, the query
builder and "show context". Blind mode applies: a coder blind-coding a document sees only
their own codings of it (``viewer=g.user`` in the services).
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template, request, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Coding, Document, Role, User
from qualcode.reports import tables
from qualcode.reports.evidence import Quote, QuoteResult
from qualcode.services import codebook
from qualcode.services import documents as document_service
from qualcode.services.matrices import tree_order
from qualcode.services.quotes import context, find_quotes
from webui.access import project_route
from webui.db import get_session
from webui.views.coding import workbench_url
from webui.views.evidence_query import filter_args, query_from

bp = Blueprint("evidence", __name__)
PAGE = 100
EXPORTS = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        tables.quotes_docx,
    ),
    "csv": ("text/csv", tables.quotes_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        tables.quotes_xlsx,
    ),
}


@bp.get("/p/<slug>/evidence")
@project_route(Role.VIEWER)
def index(slug: str) -> ResponseReturnValue:
    session = get_session()
    query = query_from(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    result = error = None
    if query is not None:
        try:
            result = find_quotes(
                session, g.project, query, limit=PAGE, offset=(page - 1) * PAGE, viewer=g.user
            )
        except (InvalidInput, NotFound) as exc:
            error = str(exc)
    return render_template(
        "evidence/index.html",
        result=result,
        error=error,
        page=page,
        pages=_pages(result),
        items=[_item(q) for q in result.quotes] if result else [],
        choices=_choices(),
        args=request.args,
        all_args=_all_args(),
        pin_role=_pin_role(),
        exports=list(EXPORTS),
        active=sum(
            len(v) if isinstance(v, list) else 1
            for k, v in filter_args(request.args).items()
            if k != "nodesc"
        ),
    )


def _all_args() -> dict[str, list[str]]:
    """The query arguments (repeated ones as lists), for links to exports and other pages."""
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"}


def _pages(result: QuoteResult | None) -> int:
    return max(1, -(-result.segments // PAGE)) if result else 1


def _pin_role() -> bool:
    """Show pin buttons when the chapters area offers pinning and the user may pin."""
    view = current_app.view_functions.get("chapters.pin")
    if view is None:
        return False
    needed = getattr(view, "required_role", Role.LEAD)
    return bool(g.role.at_least(needed))


def _item(quote: Quote) -> dict[str, Any]:
    workbench = None
    if "coding.workbench" in current_app.view_functions:
        workbench = workbench_url(quote.document_id, quote.start, quote.end, quote.coding_id)
    return {"quote": quote, "pieces": pieces(quote), "workbench": workbench}


def pieces(quote: Quote) -> list[tuple[str, bool]]:
    """The quote's text cut into (text, is a search match) pieces, for ``<mark>``."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for k in sorted(quote.kwic, key=lambda k: k.start):
        start, end = k.start - quote.start, k.end - quote.start
        if start < pos or end > len(quote.text):
            continue
        out += [(quote.text[pos:start], False), (quote.text[start:end], True)]
        pos = end
    out.append((quote.text[pos:], False))
    return [p for p in out if p[0]]


def _choices() -> dict[str, Any]:
    """What the filter form offers: codes as a tree, cases, attribute values, coders."""
    session = get_session()
    codes = codebook.all_codes(session, g.project.id)
    paths = codebook.paths(codes)
    tree = [
        {
            "id": c.id,
            "name": c.name,
            "path": paths[c.id],
            "depth": paths[c.id].count("/"),
            "color": c.color,
            "active": c.active,
        }
        for c in tree_order(codes)
    ]
    by_case, by_doc = document_service.attribute_map(session, g.project)
    attributes: dict[str, set[str]] = {}
    for values in (*by_case.values(), *by_doc.values()):
        for name, value in values.items():
            attributes.setdefault(name, set()).add(value)
    coder_ids = (
        select(Coding.coder_id)
        .join(Document, Document.id == Coding.document_id)
        .where(Document.project_id == g.project.id)
        .distinct()
    )
    coders = session.scalars(
        select(User).where(User.id.in_(coder_ids)).order_by(User.username)
    ).all()
    return {
        "codes": tree,
        "cases": document_service.list_cases(session, g.project),
        "attributes": {k: sorted(v, key=str.lower) for k, v in sorted(attributes.items())},
        "coders": [{"id": u.id, "name": u.label, "system": u.is_system} for u in coders],
    }


@bp.get("/api/p/<slug>/evidence/quotes")
@project_route(Role.VIEWER)
def quotes_api(slug: str) -> ResponseReturnValue:
    """The quotes as ``qualcode quotes --json`` prints them (``limit``/``offset`` to page)."""
    query = query_from(request.args)
    if query is None:
        raise InvalidInput("choose a code, a code query or words to search for")
    limit = request.args.get("limit", type=int)
    result = find_quotes(
        get_session(),
        g.project,
        query,
        limit=limit,
        offset=max(0, request.args.get("offset", 0, type=int) or 0),
        viewer=g.user,
    )
    return jsonify(result.to_dict())


@bp.get("/api/p/<slug>/evidence/documents/<int:document_id>/context")
@project_route(Role.VIEWER)
def context_api(slug: str, document_id: int) -> ResponseReturnValue:
    """The turns around ``[start, end)`` (``turns`` either side, at most 10)."""
    start = request.args.get("start", type=int)
    end = request.args.get("end", type=int)
    if start is None or end is None:
        raise InvalidInput("give start and end")
    turns = min(10, max(0, request.args.get("turns", 1, type=int) or 0))
    found = context(get_session(), document_id, start, end, turns, project_id=g.project.id)
    return jsonify(found.to_dict())


@bp.get("/p/<slug>/evidence/export.<fmt>")
@project_route(Role.VIEWER)
def export(slug: str, fmt: str) -> ResponseReturnValue:
    if fmt not in EXPORTS:
        raise NotFound(f"no export as .{fmt}: use .docx, .csv or .xlsx")
    query = query_from(request.args)
    if query is None:
        raise InvalidInput("choose a code, a code query or words to search for")
    result = find_quotes(get_session(), g.project, query, viewer=g.user)
    mimetype, writer = EXPORTS[fmt]
    buffer = io.BytesIO()
    writer(result, buffer)
    buffer.seek(0)
    name = re.sub(r"[^A-Za-z0-9]+", "-", result.label).strip("-").lower()[:60] or "quotes"
    return send_file(
        buffer,
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{g.project.slug}-{name}.{fmt}",
    )
