"""Matrices: codes × cases / attribute values / codes, and the editable framework matrix.

Each count links to the Evidence page with the same filters plus the cell's row and column,
so the quotes listed there are exactly the ones counted. Framework cells are edited by leads
through the JSON API (``static/js/matrices.js``); everyone in the project may read them.
"""

from __future__ import annotations

import io
import math
from typing import Any

from flask import Blueprint, g, jsonify, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Case, Code, Role
from qualcode.reports import tables
from qualcode.reports.evidence import FrameworkEntry, Header, Matrix
from qualcode.services import codebook
from qualcode.services import documents as document_service
from qualcode.services.evidence_scope import Filters
from qualcode.services.framework import framework_matrix, set_framework_cell
from qualcode.services.lookup import get_or_raise
from qualcode.services.matrices import code_matrix, tree_order
from qualcode.services.quotes import QuoteQuery, find_quotes, quotes_by_id
from webui.access import can, project_route
from webui.db import get_session
from webui.views.evidence_query import filter_args, filters_from, ints

bp = Blueprint("matrices", __name__)
API = "/api/p/<slug>/matrices"
SHADES = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"xlsx": XLSX, "csv": "text/csv"}


def _matrix() -> Matrix:
    args = request.args
    root = args.get("root", type=int)
    code_ids = None
    if root:
        codes = codebook.all_codes(get_session(), g.project.id)
        if root not in {c.id for c in codes}:
            raise NotFound(f"no code with id {root} in {g.project.slug}")
        members = set(codebook.descendants(codes, root))
        code_ids = [c.id for c in tree_order(codes) if c.id in members]
    return code_matrix(
        get_session(),
        g.project,
        cols=args.get("cols", "cases"),
        count=args.get("count", "segments"),
        code_ids=code_ids,
        descendants=args.get("nodesc") != "1",
        filters=filters_from(args),
        viewer=g.user,
        with_ids=False,
    )


@bp.get("/p/<slug>/matrices")
@project_route(Role.VIEWER)
def index(slug: str) -> ResponseReturnValue:
    error, matrix = None, None
    try:
        matrix = _matrix()
    except (InvalidInput, NotFound) as exc:
        error = str(exc)
    session = get_session()
    return render_template(
        "matrices/index.html",
        matrix=matrix,
        error=error,
        grid=_grid(matrix) if matrix else [],
        args=request.args,
        all_args=request.args.to_dict(flat=False),
        attributes=sorted({a.name for a in document_service.list_attributes(session, g.project)}),
        parents=_parents(),
        cases=document_service.list_cases(session, g.project),
    )


def _parents() -> list[tuple[int, str]]:
    """(id, path) of the codes with sub-codes, in codebook order."""
    codes = codebook.all_codes(get_session(), g.project.id)
    paths = codebook.paths(codes)
    with_children = {c.parent_id for c in codes}
    return [(c.id, paths[c.id]) for c in tree_order(codes) if c.id in with_children]


def _grid(matrix: Matrix) -> list[dict[str, Any]]:
    """Rows for the template: label, depth, and per cell its value, shade class and link."""
    top = matrix.max_value
    keep = filter_args(request.args)
    out = []
    for header, row, total in zip(matrix.rows, matrix.cells, matrix.row_totals, strict=True):
        cells = []
        for col, cell in zip(matrix.cols, row, strict=True):
            shade = math.ceil(SHADES * cell.value / top) if top and cell.value else 0
            cells.append(
                {
                    "value": cell.value,
                    "shade": shade,
                    "link": _drill_down(matrix, header, col, keep),
                }
            )
        out.append(
            {
                "label": header.label,
                "name": header.label.rsplit("/", 1)[-1],
                "depth": header.label.count("/"),
                "cells": cells,
                "total": total,
            }
        )
    return out


def _drill_down(matrix: Matrix, row: Header, col: Header, keep: dict[str, Any]) -> str | None:
    """The Evidence page listing this cell's quotes (none for "(no case)"-style columns)."""
    if col.key == "none":
        return None
    args = dict(keep)
    if matrix.kind == "codes":
        args["q"] = f'"{row.label}" AND "{col.label}"'
    else:
        args["code"] = row.key
        if matrix.kind == "cases":
            args["case"] = col.key
        else:
            args[f"a.{matrix.kind[5:]}"] = col.key
    return url_for("evidence.index", slug=g.project.slug, **args)


@bp.get("/p/<slug>/matrices/export.<fmt>")
@project_route(Role.VIEWER)
def export(slug: str, fmt: str) -> ResponseReturnValue:
    if fmt not in MIMETYPES:
        raise NotFound(f"no export as .{fmt}: use .xlsx or .csv")
    matrix = _matrix()
    buffer = io.BytesIO()
    (tables.matrix_xlsx if fmt == "xlsx" else tables.matrix_csv)(matrix, buffer)
    buffer.seek(0)
    cols = matrix.kind.replace(":", "-")
    return send_file(
        buffer,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{g.project.slug}-codes-by-{cols}.{fmt}",
    )


# --- the framework matrix ---------------------------------------------------------------------


def _framework() -> Any:
    parent = request.args.get("theme", type=int)
    theme_ids = None
    if parent:
        code = get_or_raise(get_session(), Code, parent, project_id=g.project.id)
        theme_ids = [c.id for c in code.children] or [code.id]
    return framework_matrix(
        get_session(),
        g.project,
        theme_ids=theme_ids,
        case_ids=ints(request.args, "case") or None,
        viewer=g.user,
    )


@bp.get("/p/<slug>/matrices/framework")
@project_route(Role.VIEWER)
def framework(slug: str) -> ResponseReturnValue:
    return render_template(
        "matrices/framework.html",
        fm=_framework(),
        parents=_parents(),
        args=request.args,
        all_args=request.args.to_dict(flat=False),
        can_edit=can(Role.LEAD),
    )


@bp.get("/p/<slug>/matrices/framework/export.<fmt>")
@project_route(Role.VIEWER)
def framework_export(slug: str, fmt: str) -> ResponseReturnValue:
    if fmt not in MIMETYPES:
        raise NotFound(f"no export as .{fmt}: use .xlsx or .csv")
    buffer = io.BytesIO()
    tables.FRAMEWORK_WRITERS[f".{fmt}"](_framework(), buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{g.project.slug}-framework.{fmt}",
    )


def _cell_json(case: Case, code: Code, entry: FrameworkEntry) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "case": case.name,
        "code_id": code.id,
        "summary": entry.summary,
        "coding_ids": entry.coding_ids,
        "quotes": [q.to_dict() for q in entry.quotes],
        "evidence": entry.evidence,
        "updated_by": entry.updated_by,
    }


@bp.get(f"{API}/framework/<int:case_id>/<int:code_id>")
@project_route(Role.VIEWER)
def framework_cell(slug: str, case_id: int, code_id: int) -> ResponseReturnValue:
    """A cell with the quotes it may link to: the theme's quotes from that case."""
    session = get_session()
    case = get_or_raise(session, Case, case_id, project_id=g.project.id)
    code = get_or_raise(session, Code, code_id, project_id=g.project.id)
    fm = framework_matrix(
        session, g.project, theme_ids=[code.id], case_ids=[case.id], viewer=g.user
    )
    candidates = find_quotes(
        session,
        g.project,
        QuoteQuery(code_ids=(code.id,), filters=Filters(case_ids=(case.id,))),
        limit=500,
        viewer=g.user,
    )
    out = _cell_json(case, code, fm.cells[0][0])
    out["theme"] = fm.themes[0].label
    out["candidates"] = [q.to_dict() for q in candidates.quotes]
    out["evidence"] = candidates.segments
    return jsonify(out)


@bp.post(f"{API}/framework/<int:case_id>/<int:code_id>")
@project_route(Role.LEAD)
def save_framework_cell(slug: str, case_id: int, code_id: int) -> ResponseReturnValue:
    """Set a cell's summary and linked codings: JSON ``{"summary", "coding_ids"}``."""
    session = get_session()
    case = get_or_raise(session, Case, case_id, project_id=g.project.id)
    code = get_or_raise(session, Code, code_id, project_id=g.project.id)
    data = request.get_json(silent=True) or {}
    summary, coding_ids = data.get("summary", ""), data.get("coding_ids", [])
    if (
        not isinstance(summary, str)
        or not isinstance(coding_ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in coding_ids)
    ):
        raise InvalidInput('send {"summary": text, "coding_ids": [numbers]}')
    set_framework_cell(session, g.project, case.id, code.id, summary, coding_ids, g.user.id)
    session.commit()
    quotes = quotes_by_id(session, g.project, coding_ids, viewer=g.user)
    entry = FrameworkEntry(summary.strip(), quotes, updated_by=g.user.label)
    return jsonify(_cell_json(case, code, entry))
