"""Drawing double-coding samples and agreement by calibration round (leads only).

Part of the ``agreement`` blueprint (``webui/views/agreement.py`` imports this module).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, QualcodeError
from qualcode.models import Role, User
from qualcode.services import calibration, sampling
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from webui.access import project_route
from webui.db import get_session
from webui.views.agreement import API, PAGE, bp, chosen_unit


def _coders(session: Session) -> list[User]:
    return [
        m.user
        for m in project_service.members(session, g.project)
        if m.role.at_least(Role.CODER) and not m.user.is_system
    ]


def _number(data: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = data.get(key)
    if value is None or value == "":
        if default is not None:
            return default
        raise InvalidInput(f"{key} is required")
    if isinstance(value, bool):
        raise InvalidInput(f"{key} must be a number, not {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number, not {value!r}") from None


def _draw(session: Session, data: Mapping[str, Any], names: list[str]) -> sampling.Sample:
    seed = _number(data, "seed", 0)
    if seed != int(seed):
        raise InvalidInput("seed must be a whole number")
    users = [user_service.require_user(session, name) for name in names]
    sample = sampling.draw_sample(
        session,
        g.project,
        percent=_number(data, "percent"),
        coders=users,
        label=str(data.get("label", "")),
        seed=int(seed),
        actor_id=g.user.id,
    )
    session.commit()
    return sample


@bp.route(f"{PAGE}/sample", methods=["GET", "POST"])
@project_route(Role.LEAD)
def sample(slug: str) -> ResponseReturnValue:
    session = get_session()
    coders = _coders(session)
    form: Mapping[str, Any] = request.form if request.method == "POST" else {}
    chosen = request.form.getlist("coder") if request.method == "POST" else []
    error = None
    if request.method == "POST":
        try:
            drawn = _draw(session, form, chosen)
        except QualcodeError as exc:
            session.rollback()
            error = str(exc)
        else:
            flash(
                f"{drawn.label}: {len(drawn.document_ids)} documents assigned blind to "
                f"{', '.join(drawn.coders)}."
            )
            return redirect(url_for("agreement.rounds", slug=slug))
    used = len(calibration.rounds(session, g.project)) if request.method == "GET" else 0
    return render_template(
        "agreement/sample.html",
        coders=coders,
        chosen=chosen,
        form=form,
        error=error,
        suggested_label=f"calibration round {used + 1}",
    ), (400 if error else 200)


@bp.post(f"{API}/samples")
@project_route(Role.LEAD)
def sample_json(slug: str) -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    coders = data.get("coders", [])
    if not isinstance(coders, list):
        raise InvalidInput("coders must be a list of user names")
    drawn = _draw(get_session(), data, [str(name) for name in coders])
    return jsonify(drawn.to_dict()), 201


@bp.get(f"{PAGE}/rounds")
@project_route(Role.LEAD)
def rounds(slug: str) -> ResponseReturnValue:
    unit = chosen_unit()
    found = calibration.rounds(get_session(), g.project, unit=unit)
    return render_template("agreement/rounds.html", rounds=found, unit=unit)


@bp.get(f"{API}/rounds")
@project_route(Role.LEAD)
def rounds_json(slug: str) -> ResponseReturnValue:
    found = calibration.rounds(get_session(), g.project, unit=chosen_unit())
    return jsonify({"rounds": [r.to_dict() for r in found]})
