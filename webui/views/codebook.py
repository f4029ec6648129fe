"""The codebook editor: the page, file import and export, and frozen versions.

Reading needs the viewer role; every change needs lead. The page's script
(``static/js/codebook.js``) calls the JSON API in ``codebook_api.py`` (a blueprint nested in
this one); imports, exports and freezing are plain forms and downloads, so they work without it.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file
from flask import url_for as flask_url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from qualcode.errors import InvalidImport, InvalidInput, NotFound, QualcodeError
from qualcode.models import CodebookVersion, CodeKind, Role, User
from qualcode.services import codebook as codebook_service
from qualcode.services import codebook_io
from qualcode.services.lookup import get_or_raise
from webui.access import can, project_route
from webui.db import get_session
from webui.views import codebook_api

bp = Blueprint("codebook", __name__)
bp.register_blueprint(codebook_api.bp)

EXPORT_FORMATS = {  # extension -> (label, MIME type)
    "yaml": ("YAML (qualcode)", "application/yaml"),
    "json": ("JSON (qualcode)", "application/json"),
    "qdc": ("REFI-QDA .qdc", "application/xml"),
    "csv": ("CSV", "text/csv"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (
        "Word (for calibration)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
IMPORT_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".qdc")
UPLOAD_LIMIT = 5 * 1024 * 1024


# ------------------------------------------------------------------------ page


@bp.get("/p/<slug>/codebook")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    rows = codebook_service.tree(session, g.project.id)
    open_by_code = codebook_api.open_proposal_counts()
    versions = codebook_io.list_versions(session, g.project)
    creators = {
        u.id: u.label
        for u in session.scalars(
            select(User).where(
                User.id.in_({v.created_by_id for v in versions if v.created_by_id is not None})
            )
        )
    }
    return render_template(
        "codebook/index.html",
        rows=rows,
        proposals=open_by_code,
        can_edit=can(Role.LEAD),
        kinds=[k.value for k in CodeKind],
        formats=EXPORT_FORMATS,
        versions=versions,
        creators=creators,
        version_label=codebook_io.version_label(session, g.project),
        api_base=flask_url_for("codebook.api.tree", slug=slug).rsplit("/", 1)[0],
        import_suffixes=", ".join(IMPORT_SUFFIXES),
        upload_limit=_upload_limit(),
    )


@bp.post("/p/<slug>/codebook/import")
@project_route(Role.LEAD)
def import_file(slug: str) -> Response:
    """Upload a codebook file: parsed by the hardened readers, imported all or nothing."""
    session = get_session()
    try:
        name, data = _upload()
        with tempfile.TemporaryDirectory(prefix="qualcode-codebook-") as tmp:
            path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
            path.write_bytes(data)
            read = _read_codebook(path, name)
        counts = codebook_io.import_spec(session, g.project, read.spec, user_id=g.user.id)
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        flash(f"Nothing was imported. {exc}", "error")
    else:
        encoding = f" (CSV read as {read.encoding})" if read.encoding else ""
        flash(
            f"Imported {name}{encoding}: {counts['created']} codes created, "
            f"{counts['updated']} updated, {counts['chapters']} chapters.",
            "ok",
        )
    return redirect(flask_url_for("codebook.index", slug=slug))


def _upload() -> tuple[str, bytes]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InvalidInput("choose a codebook file to import")
    name = Path(file.filename.replace("\\", "/")).name
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        hint = (
            " (Word codebooks are for reading, not for import)"
            if name.lower().endswith(".docx")
            else ""
        )
        raise InvalidInput(
            f"{name}: cannot import this kind of file{hint}; use one of "
            f"{', '.join(IMPORT_SUFFIXES)}"
        )
    limit = _upload_limit()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{name} is larger than {limit // (1024 * 1024)} MB")
    return name, data


def _upload_limit() -> int:
    return int(current_app.config.get("CODEBOOK_UPLOAD_MAX_BYTES", UPLOAD_LIMIT))


def _read_codebook(path: Path, name: str) -> Any:
    """Read the uploaded copy; errors name the user's file, not the temporary copy."""
    from qualcode.interop.codebook_files import read_codebook_file

    try:
        return read_codebook_file(path)
    except InvalidImport as exc:
        raise InvalidImport(
            exc.reason.replace(str(path), name), path=name, location=exc.location
        ) from None


@bp.get("/p/<slug>/codebook/export/<fmt>")
@project_route(Role.VIEWER)
def export(slug: str, fmt: str) -> Response:
    session = get_session()
    spec = codebook_io.export_spec(session, g.project)
    label = codebook_io.version_label(session, g.project)
    return _download(spec, fmt, f"{slug}-codebook", label)


@bp.get("/p/<slug>/codebook/versions/<int:version_id>/export/<fmt>")
@project_route(Role.VIEWER)
def export_version(slug: str, version_id: int, fmt: str) -> Response:
    version = get_or_raise(get_session(), CodebookVersion, version_id, project_id=g.project.id)
    spec = codebook_io.version_spec(version)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", version.name).strip("-") or str(version.id)
    return _download(spec, fmt, f"{slug}-codebook-{stem}", version.name)


def _download(spec: Any, fmt: str, stem: str, label: str) -> Response:
    from qualcode.interop.codebook_files import write_codebook

    if fmt not in EXPORT_FORMATS:
        raise NotFound(f"no codebook export format {fmt}")
    with tempfile.TemporaryDirectory(prefix="qualcode-codebook-") as tmp:
        path = Path(tmp) / f"codebook.{fmt}"
        write_codebook(spec, path)
        data = path.read_bytes()
    response = send_file(
        io.BytesIO(data),
        mimetype=EXPORT_FORMATS[fmt][1],
        as_attachment=True,
        download_name=f"{stem}.{fmt}",
    )
    response.headers["X-Codebook-Version"] = label.encode("ascii", "replace").decode()
    return response


@bp.post("/p/<slug>/codebook/versions")
@project_route(Role.LEAD)
def freeze(slug: str) -> Response:
    session = get_session()
    name = request.form.get("name", "").strip()[:200]
    try:
        codebook_io.freeze_version(
            session, g.project, name, note=request.form.get("note", "").strip(), user_id=g.user.id
        )
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Froze codebook version {name}.", "ok")
    return redirect(flask_url_for("codebook.index", slug=slug) + "#versions")
