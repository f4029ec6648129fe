"""REFI-QDA exchange in the browser: upload a ``.qdpx`` into the project, download the project
(``.qdpx``) or its codebook (``.qdc``), and read the report of every past import.

Importing needs the lead role; downloading and reading reports, the viewer role. An upload is
size-capped, written to a private temporary folder, read by the hardened reader (nothing is
extracted) and imported in one transaction: if anything fails, nothing is written. The import
report is kept in the audit log, so the page after an upload (and later visits) can show it.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file
from flask import url_for as flask_url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from qualcode.errors import InvalidImport, InvalidInput, NotFound, QualcodeError
from qualcode.models import Event, Role, User
from qualcode.services.interchange import IMPORTED_ACTION, import_snapshot
from webui.access import can, project_route
from webui.db import get_session

bp = Blueprint("exchange", __name__)

UPLOAD_LIMIT = 50 * 1024 * 1024
EXPANSION = 10  # a .qdpx may expand to this many times the upload limit
HISTORY = 20


@bp.get("/p/<slug>/exchange")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    imports = session.scalars(
        select(Event)
        .where(Event.project_id == g.project.id, Event.action == IMPORTED_ACTION)
        .order_by(Event.id.desc())
        .limit(HISTORY)
    ).all()
    return render_template(
        "exchange/index.html", imports=imports, users=_names({e.user_id for e in imports}),
        can_import=can(Role.LEAD), upload_limit=_upload_limit(),
    )  # fmt: skip


@bp.post("/p/<slug>/exchange/import")
@project_route(Role.LEAD)
def upload(slug: str) -> Response:
    """Import an uploaded ``.qdpx`` into this project, all or nothing."""
    from qualcode.interop.refi_qda import read_qdpx

    session = get_session()
    try:
        name, data = _upload()
        limit = _upload_limit()
        with tempfile.TemporaryDirectory(prefix="qualcode-qdpx-") as tmp:
            path = Path(tmp) / "upload.qdpx"
            path.write_bytes(data)
            try:
                snapshot = read_qdpx(path, max_total_bytes=EXPANSION * limit)
            except InvalidImport as exc:
                raise InvalidImport(
                    exc.reason.replace(str(path), name), path=name, location=exc.location
                ) from None
        result = import_snapshot(session, g.project, snapshot, user_id=g.user.id, file_name=name)
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        flash(f"Nothing was imported. {exc}", "error")
        return redirect(flask_url_for("exchange.index", slug=slug))
    return redirect(flask_url_for("exchange.report", slug=slug, event_id=result.event_id))


@bp.get("/p/<slug>/exchange/imports/<int:event_id>")
@project_route(Role.VIEWER)
def report(slug: str, event_id: int) -> str:
    session = get_session()
    event = session.get(Event, event_id)
    if event is None or event.project_id != g.project.id or event.action != IMPORTED_ACTION:
        raise NotFound(f"no import with id {event_id}")
    detail: dict[str, Any] = event.detail or {}
    return render_template(
        "exchange/report.html", event=event, detail=detail,
        who=_names({event.user_id}).get(event.user_id or 0),
    )  # fmt: skip


@bp.get("/p/<slug>/exchange/export.qdpx")
@project_route(Role.VIEWER)
def export_qdpx(slug: str) -> Response:
    from qualcode.interop.refi_qda import write_qdpx
    from qualcode.services.interchange_export import export_snapshot

    snapshot = export_snapshot(get_session(), g.project)
    with tempfile.TemporaryDirectory(prefix="qualcode-qdpx-") as tmp:
        path = Path(tmp) / f"{slug}.qdpx"
        write_qdpx(snapshot, path)
        data = path.read_bytes()
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True,
        download_name=f"{slug}.qdpx",
    )  # fmt: skip


@bp.get("/p/<slug>/exchange/export.qdc")
@project_route(Role.VIEWER)
def export_qdc(slug: str) -> Response:
    from qualcode.interop.refi_qda import write_qdc
    from qualcode.services.codebook_io import export_spec

    spec = export_spec(get_session(), g.project)
    with tempfile.TemporaryDirectory(prefix="qualcode-qdc-") as tmp:
        path = Path(tmp) / f"{slug}.qdc"
        write_qdc(spec, path)
        data = path.read_bytes()
    return send_file(
        io.BytesIO(data), mimetype="application/xml", as_attachment=True,
        download_name=f"{slug}-codebook.qdc",
    )  # fmt: skip


def _upload() -> tuple[str, bytes]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InvalidInput("choose a .qdpx project file to import")
    name = Path(file.filename.replace("\\", "/")).name
    if Path(name).suffix.lower() != ".qdpx":
        raise InvalidInput(f"{name}: not a REFI-QDA project (.qdpx) file")
    limit = _upload_limit()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{name} is larger than {limit // (1024 * 1024)} MB")
    return name, data


def _upload_limit() -> int:
    return int(current_app.config.get("QDPX_UPLOAD_MAX_BYTES", UPLOAD_LIMIT))


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    users = get_session().scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user.label for user in users}
