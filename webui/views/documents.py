"""Document list with case and attribute filters and coder progress; case pages."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from qualcode.models import Role
from qualcode.services import documents as document_service
from qualcode.services.lookup import get_or_raise
from webui.access import project_route
from webui.db import get_session

bp = Blueprint("documents", __name__)


@bp.get("/p/<slug>/")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    rows = document_service.summaries(session, g.project)
    cases = document_service.list_cases(session, g.project)
    case_filter = request.args.get("case", "")
    attr_filters = {k[2:]: v for k, v in request.args.items() if k.startswith("a.") and v}
    if case_filter:
        rows = [r for r in rows if r.case == case_filter]
    for name, value in attr_filters.items():
        rows = [r for r in rows if r.attributes.get(name) == value]
    attributes: dict[str, set[str]] = {}
    for r in document_service.summaries(session, g.project):
        for k, v in r.attributes.items():
            attributes.setdefault(k, set()).add(v)
    progress = _progress(session)
    return render_template(
        "documents/index.html",
        rows=rows,
        cases=cases,
        case_ids={c.name: c.id for c in cases},
        case_filter=case_filter,
        attr_filters=attr_filters,
        attributes={k: sorted(v) for k, v in sorted(attributes.items())},
        progress=progress,
    )


def _progress(session) -> dict[int, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    try:
        from qualcode.services.progress import coder_progress
    except ModuleNotFoundError:
        return {}
    return coder_progress(session, g.project)


@bp.get("/p/<slug>/cases/<int:case_id>")
@project_route(Role.VIEWER)
def case(slug: str, case_id: int) -> str:
    from qualcode.models import Case

    session = get_session()
    case_row = get_or_raise(session, Case, case_id, project_id=g.project.id)
    by_case, _ = document_service.attribute_map(session, g.project)
    docs = [r for r in document_service.summaries(session, g.project) if r.case == case_row.name]
    return render_template(
        "documents/case.html", case=case_row, docs=docs, attributes=by_case.get(case_row.id, {})
    )


# Transcript upload (its page and JSON endpoint) lives in its own module, on this blueprint.
from webui.views import documents_import  # noqa: E402, F401
