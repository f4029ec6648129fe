"""The project's audit log for its owners: every change, who made it and when, filtered and
paged, and exported as CSV or JSON (the export streams, so a log of millions of events is fine).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, g, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from qualcode.errors import InvalidInput
from qualcode.models import Role
from qualcode.services import audit_log
from webui.access import project_route
from webui.db import get_session

bp = Blueprint("audit", __name__)
PER_PAGE = 100


def _filter() -> audit_log.AuditFilter:
    args = request.args
    return audit_log.AuditFilter.parse(args.get("user"), args.get("action"), args.get("from"),
                                       args.get("to"))  # fmt: skip


@bp.get("/p/<slug>/audit")
@project_route(Role.OWNER)
def index(slug: str) -> ResponseReturnValue:
    session = get_session()
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise InvalidInput("page must be a whole number from 1")
    where = _filter()
    result = audit_log.audit_page(session, g.project, where, page=int(page), per_page=PER_PAGE)
    users, actions = audit_log.filter_choices(session, g.project)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/index.html", result=result, users=users, actions=actions,
                           args=args)  # fmt: skip


def _download(body: Iterator[str], mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"{g.project.slug}-audit.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/p/<slug>/audit/export.csv")
@project_route(Role.OWNER)
def export_csv(slug: str) -> ResponseReturnValue:
    rows = audit_log.iter_events(get_session(), g.project, _filter())
    first = next(rows, None)  # a bad filter fails here, before the download starts
    chunks = audit_log.csv_lines(_chain(first, rows))
    return _download(stream_with_context(chunks), "text/csv; charset=utf-8", "csv")


@bp.get("/p/<slug>/audit/export.json")
@project_route(Role.OWNER)
def export_json(slug: str) -> ResponseReturnValue:
    where = _filter()
    rows = audit_log.iter_events(get_session(), g.project, where)
    first = next(rows, None)
    chunks = audit_log.json_chunks(g.project, where, _chain(first, rows))
    return _download(stream_with_context(chunks), "application/json", "json")


def _chain(
    first: audit_log.AuditRow | None, rest: Iterator[audit_log.AuditRow]
) -> Iterator[audit_log.AuditRow]:
    if first is not None:
        yield first
        yield from rest
