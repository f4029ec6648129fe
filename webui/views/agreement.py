"""The Agreement area: the per-code table, the coder-pair matrix and the drill-down by code.

Everything here reads coders' work side by side, so it is for leads, except the drill-down
pages, which coders may open for documents whose blind double-coding is finished (the check is
in ``services.agreement.require_review_access``/``reviewable_documents``, so the JSON API
enforces it too). The review of one document, adjudication and definition proposals are in
``agreement_review``; samples and calibration rounds in ``agreement_rounds``.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from flask import Blueprint, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from qualcode.errors import InvalidInput
from qualcode.models import Code, Role
from qualcode.services import adjudication, calibration
from qualcode.services import agreement as agreement_service
from qualcode.services.lookup import get_or_raise
from qualcode.stats import CodeAgreement
from webui.access import can, project_route
from webui.db import get_session

bp = Blueprint("agreement", __name__)
PAGE = "/p/<slug>/agreement"
API = "/api/p/<slug>/agreement"
UNITS = ("character", "paragraph")
PSEUDO = (agreement_service.CONSENSUS, agreement_service.MACHINE)


def chosen_coders(default: list[str]) -> list[str]:
    """Coders from ``?coder=a&coder=b`` (the form) or ``?coders=a,b`` (links and scripts)."""
    names = request.args.getlist("coder")
    if not names:
        names = request.args.get("coders", "").split(",")
    names = [name.strip() for name in names if name.strip()]
    return names or default


def chosen_unit() -> str:
    unit = request.args.get("unit", "character")
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}: use character or paragraph")
    return unit


def default_pair(session: Any) -> list[str]:
    people = agreement_service.candidate_coders(session, g.project)
    return [c.name for c in people if c.name not in PSEUDO][:2]


def code_row(row: CodeAgreement) -> dict[str, Any]:
    """A code's row for the table, with the reason when a value is not computable."""
    missing = row.krippendorff_alpha is None or row.cohen_kappa is None
    prevalence = row.prevalence
    return {
        "code_id": int(row.key),
        "path": row.code,
        "prevalence": prevalence,
        "percent_agreement": row.percent_agreement,
        "cohen_kappa": row.cohen_kappa,
        "krippendorff_alpha": row.krippendorff_alpha,
        "gwet_ac1": row.gwet_ac1,
        "units": row.units,
        "not_computable": agreement_service.not_computable_reason(row) if missing else None,
        "extreme_prevalence": prevalence is not None
        and row.coded_by_any is not None
        and row.coded_by_any > 0
        and not 0.1 <= prevalence <= 0.9,
        "flags": [flag for flag in row.flags if not flag.startswith("prevalence")],
    }


def pair_matrix(
    codes: tuple[CodeAgreement, ...], coders: tuple[str, ...]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Mean Cohen's kappa over codes for each coder pair (both orders), with how many codes."""
    matrix: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b in combinations(coders, 2):
        values = [code.pairwise.get((a, b)) for code in codes]
        defined = [v for v in values if v is not None]
        cell = {"kappa": sum(defined) / len(defined) if defined else None, "codes": len(defined)}
        matrix[a, b] = matrix[b, a] = cell
    return matrix


@bp.get(PAGE)
@project_route(Role.LEAD)
def index(slug: str) -> ResponseReturnValue:
    session = get_session()
    candidates = agreement_service.candidate_coders(session, g.project)
    names = chosen_coders(default_pair(session))
    unit = chosen_unit()
    sample = request.args.get("sample", "").strip()
    documents = calibration.sample_documents(session, g.project, sample) if sample else None
    comparison = None
    if len(names) >= 2:
        comparison = agreement_service.agreement(
            session, g.project, names, unit=unit, document_ids=documents
        )
    rows = []
    matrix: dict[tuple[str, str], dict[str, Any]] = {}
    if comparison is not None:
        rows = [code_row(r) for r in agreement_service.worst_first(comparison.report.codes)]
        if len(names) >= 3:
            matrix = pair_matrix(comparison.report.codes, comparison.report.coders)
    return render_template(
        "agreement/index.html",
        candidates=candidates,
        names=names,
        unit=unit,
        comparison=comparison,
        rows=rows,
        matrix=matrix,
        sample=sample,
    )


@bp.get(API)
@project_route(Role.LEAD)
def index_json(slug: str) -> ResponseReturnValue:
    session = get_session()
    names = chosen_coders(default_pair(session))
    bootstrap = request.args.get("bootstrap", "0")
    if not bootstrap.isdigit() or int(bootstrap) > 10_000:
        raise InvalidInput("bootstrap must be a whole number of replicates up to 10000")
    code = None
    if request.args.get("code_id", "").isdigit():
        code = get_or_raise(session, Code, int(request.args["code_id"]), project_id=g.project.id)
    comparison = agreement_service.agreement(
        session, g.project, names, unit=chosen_unit(), code=code, bootstrap=int(bootstrap)
    )
    return jsonify(comparison.to_dict())


def compared_pair(session: Any) -> tuple[list[str], list[str]]:
    """The pair under review (the first two chosen coders) and every chosen coder."""
    names = chosen_coders(default_pair(session))
    if len(names) < 2:
        raise InvalidInput("choose two coders to compare, e.g. ?coders=alice,bob")
    return names[:2], names


@bp.get(f"{PAGE}/codes/<int:code_id>")
@project_route(Role.CODER)
def code(slug: str, code_id: int) -> ResponseReturnValue:
    session = get_session()
    code_row_ = get_or_raise(session, Code, code_id, project_id=g.project.id)
    pair, names = compared_pair(session)
    unit = chosen_unit()
    comparison = agreement_service.agreement(session, g.project, pair, unit=unit, code=code_row_)
    visible = agreement_service.reviewable_documents(
        session, g.project, g.user, [int(i) for i in comparison.report.document_ids]
    )
    hidden = len(comparison.report.document_ids) - len(visible)
    if hidden:
        comparison = agreement_service.agreement(
            session, g.project, pair, unit=unit, code=code_row_, document_ids=visible
        )
    key = str(code_row_.id)
    kappas = {row.document: row.cohen_kappa for row in comparison.report.codes[0].documents}
    documents: list[dict[str, Any]] = []
    for layers in comparison.corpus.documents:
        items = adjudication.review_items(layers, key, pair[0], pair[1], None)
        only = {name: 0 for name in pair}
        for item in items:
            for region in item.regions:
                only[region.coder] += region.end - region.start
        coded = any(layers.layers[name].get(key) for name in pair)
        if items or coded:
            documents.append(
                {
                    "id": layers.document_id,
                    "title": comparison.corpus.titles[int(layers.document_id)],
                    "items": len(items),
                    "only": only,
                    "kappa": kappas.get(layers.document_id),
                }
            )
    documents.sort(key=lambda d: (-d["items"], d["title"].lower()))
    return render_template(
        "agreement/code.html",
        code=code_row_,
        path=comparison.corpus.code_paths[code_row_.id],
        row=code_row(comparison.report.codes[0]),
        pair=pair,
        names=names,
        unit=unit,
        comparison=comparison,
        documents=documents,
        hidden=hidden,
        proposals=adjudication.definition_proposals(session, g.project, code_row_),
        is_lead=can(Role.LEAD),
    )


from webui.views import agreement_review, agreement_rounds  # noqa: E402,F401  (routes on ``bp``)
