"""Case and document attributes, and speakers: see them all, and (lead) edit them.

The page lists each attribute with its scope and type (inferred when a sheet was imported),
lets a lead rename it, change its type or choices, and edit the values of every case and
document in a table; a row is saved by its own form. The speakers section marks a speaker
label as the interviewer's across the project. An attribute sheet (.csv / .xlsx) can be
uploaded here or from the transcript upload page (``POST /api/p/<slug>/attributes/import``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request
from flask import url_for as flask_url_for
from werkzeug.wrappers import Response

from qualcode.errors import InvalidImport, InvalidInput, QualcodeError
from qualcode.models import AttributeDef, AttributeScope, AttributeType, Case, Document, Role
from qualcode.services import attributes as attribute_service
from qualcode.services import documents as document_service
from qualcode.services.lookup import get_or_raise
from qualcode.services.speakers import list_speakers
from webui.access import can, project_route
from webui.db import get_session

bp = Blueprint("attributes", __name__)

SHEET_SUFFIXES = (".csv", ".xlsx")


@bp.get("/p/<slug>/attributes")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    summaries = attribute_service.summaries(session, g.project)
    by_scope = {
        scope: [s.attribute for s in summaries if s.attribute.scope is scope]
        for scope in AttributeScope
    }
    return render_template(
        "attributes/index.html",
        summaries=summaries,
        case_attributes=by_scope[AttributeScope.CASE],
        document_attributes=by_scope[AttributeScope.DOCUMENT],
        case_rows=attribute_service.value_rows(session, g.project, AttributeScope.CASE),
        document_rows=attribute_service.value_rows(session, g.project, AttributeScope.DOCUMENT),
        speakers=list_speakers(session, g.project),
        types=[t.value for t in AttributeType],
        can_edit=can(Role.LEAD),
    )


@bp.post("/p/<slug>/attributes")
@project_route(Role.LEAD)
def define(slug: str) -> Response:
    """A new attribute (name, scope, type, choices one per line or comma-separated)."""

    def change() -> str:
        attr = attribute_service.new_attribute(
            get_session(), g.project, request.form.get("name", ""), _scope(), _type(),
            _choices(), user_id=g.user.id,
        )  # fmt: skip
        return f"Attribute {attr.name} ({attr.scope.value}, {attr.type.value}) added."

    return _apply(slug, change, anchor="definitions")


@bp.post("/p/<slug>/attributes/<int:attribute_id>")
@project_route(Role.LEAD)
def edit(slug: str, attribute_id: int) -> Response:
    """Rename an attribute and set its type and choices (its values must fit)."""
    session = get_session()
    attr = attribute_service.get_attribute(session, g.project, attribute_id)

    def change() -> str:
        old = attr.name
        attribute_service.rename_attribute(
            session, attr, request.form.get("name", attr.name), user_id=g.user.id
        )
        attribute_service.retype_attribute(
            session, attr, _type(attr.type.value), _choices(), user_id=g.user.id
        )
        renamed = f" (was {old})" if old != attr.name else ""
        return f"Attribute {attr.name}{renamed} is {attr.type.value}."

    return _apply(slug, change, anchor="definitions")


@bp.post("/p/<slug>/attributes/cases/<int:case_id>")
@project_route(Role.LEAD)
def case_values(slug: str, case_id: int) -> Response:
    case = get_or_raise(get_session(), Case, case_id, project_id=g.project.id)
    return _apply(slug, lambda: _save_values(case, AttributeScope.CASE, case.name), "cases")


@bp.post("/p/<slug>/attributes/documents/<int:document_id>")
@project_route(Role.LEAD)
def document_values(slug: str, document_id: int) -> Response:
    doc = get_or_raise(get_session(), Document, document_id, project_id=g.project.id)
    return _apply(slug, lambda: _save_values(doc, AttributeScope.DOCUMENT, doc.title), "documents")


@bp.post("/p/<slug>/speakers")
@project_route(Role.LEAD)
def speaker_role(slug: str) -> Response:
    """Mark a speaker label as the interviewer's (``interviewer=1``) or not, everywhere."""

    def change() -> str:
        speaker = request.form.get("speaker", "")
        known = {s.name for s in list_speakers(get_session(), g.project)}
        if speaker not in known:
            raise InvalidInput(f"no speaker named {speaker!r} in this project")
        interviewer = request.form.get("interviewer") == "1"
        turns = document_service.mark_interviewer(
            get_session(), g.project, speaker, interviewer=interviewer, user_id=g.user.id
        )
        role = "the interviewer" if interviewer else "a respondent"
        return f"{speaker} is now {role} ({turns} turns)."

    return _apply(slug, change, anchor="speakers")


@bp.post("/api/p/<slug>/attributes/import")
@project_route(Role.LEAD)
def import_sheet(slug: str) -> tuple[Response, int]:
    """Import an uploaded attribute sheet (form field ``file``), all or nothing."""
    from qualcode.ingest.attributes import read_attribute_sheet

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("no attribute sheet in the upload (form field 'file')")
    name = Path(upload.filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        raise InvalidImport("an attribute sheet is a .csv or .xlsx file", path=name)
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    if upload.stream.seek(0, 2) > limit:
        raise InvalidImport(f"the sheet is over the {limit // (1024 * 1024)} MB limit", path=name)
    upload.stream.seek(0)
    session = get_session()
    with tempfile.TemporaryDirectory(prefix="qualcode-sheet-") as tmp:
        path = Path(tmp) / f"sheet{suffix}"
        upload.save(path)
        try:
            sheet = read_attribute_sheet(path)
        except InvalidImport as exc:
            raise InvalidImport(exc.reason, path=name, location=exc.location) from None
    try:
        report = attribute_service.import_sheet(session, g.project, sheet, user_id=g.user.id)
        session.commit()
    except QualcodeError:
        session.rollback()
        raise
    return jsonify(
        {
            "file": name,
            "scope": report.scope,
            "rows": report.rows,
            "case_attributes": report.case_attributes,
            "document_attributes": report.document_attributes,
            "unknown": report.unknown,
            "encoding": report.encoding,
            "lines": report.lines(),
        }
    ), 200


def _save_values(owner: Case | Document, scope: AttributeScope, label: str) -> str:
    """Set every attribute of ``scope`` sent as ``a<attribute id>``; checks them all first."""
    session = get_session()
    defs = {a.id: a for a in document_service.list_attributes(session, g.project)}
    sent: list[tuple[AttributeDef, str]] = []
    for key, value in request.form.items():
        if not key.startswith("a") or not key[1:].isdigit():
            continue
        attr = defs.get(int(key[1:]))
        if attr is None or attr.scope is not scope:
            raise InvalidInput(f"no {scope.value} attribute with id {key[1:]} in this project")
        sent.append((attr, attribute_service.check_value(attr, value)))
    changed = sum(
        attribute_service.set_value(session, attr, owner, value, user_id=g.user.id)
        for attr, value in sent
    )
    return f"{label}: {changed} value{'s' if changed != 1 else ''} changed."


def _apply(slug: str, change: Callable[[], str], anchor: str) -> Response:
    """Run ``change`` (returns the message), commit, and go back to the page with a flash."""
    session = get_session()
    try:
        message = change()
        session.commit()
        flash(message)
    except QualcodeError as exc:
        session.rollback()
        flash(f"Not saved. {exc}", "error")
    return redirect(flask_url_for("attributes.index", slug=slug) + f"#{anchor}")


def _scope() -> AttributeScope:
    try:
        return AttributeScope(request.form.get("scope", ""))
    except ValueError:
        raise InvalidInput("the scope is case or document") from None


def _type(default: str = "text") -> AttributeType:
    try:
        return AttributeType(request.form.get("type", default))
    except ValueError:
        raise InvalidInput("the type is text, number, date or choice") from None


def _choices() -> list[str]:
    raw = request.form.get("choices", "")
    separator = "\n" if "\n" in raw else ","
    return [c.strip() for c in raw.split(separator) if c.strip()]
