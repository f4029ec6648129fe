"""The codebook editor: the page, its JSON API, file import/export and frozen versions.

Reading needs the viewer role; every change needs lead. The page's script
(``static/js/codebook.js``) calls the ``/api/p/<slug>/codebook/...`` endpoints below; imports,
exports and freezing are plain forms and downloads, so they also work without it.
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
from qualcode.models import Code, CodebookVersion, CodeKind, Coding, Role, User
from qualcode.services import codebook as codebook_service
from qualcode.services import codebook_io
from qualcode.services import codebook_proposals as proposals
from qualcode.services.lookup import get_or_raise
from webui.access import can, project_route
from webui.db import get_session
from webui.serializers import memo_json, timestamp

bp = Blueprint("codebook", __name__)

API = "/api/p/<slug>/codebook"
EXPORT_FORMATS = {  # extension -> (label, MIME type)
    "yaml": ("YAML (qualcode)", "application/yaml"),
    "json": ("JSON (qualcode)", "application/json"),
    "qdc": ("REFI-QDA .qdc", "application/xml"),
    "csv": ("CSV", "text/csv"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("Word (for calibration)",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
IMPORT_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".qdc")
UPLOAD_LIMIT = 5 * 1024 * 1024
TEXT_LIMIT = 20_000
TEXT_FIELDS = ("name", "color", "kind", "definition", "inclusion", "exclusion",
               "typical_example", "atypical_example", "chapter", "section")
FLAG_FIELDS = ("active", "codable")


# ------------------------------------------------------------------------ page

@bp.get("/p/<slug>/codebook")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    rows = codebook_service.tree(session, g.project.id)
    open_by_code = _open_proposal_counts()
    versions = codebook_io.list_versions(session, g.project)
    creators = {u.id: u.label for u in session.scalars(select(User).where(
        User.id.in_({v.created_by_id for v in versions if v.created_by_id is not None})))}
    return render_template(
        "codebook/index.html", rows=rows, proposals=open_by_code, can_edit=can(Role.LEAD),
        kinds=[k.value for k in CodeKind], formats=EXPORT_FORMATS, versions=versions,
        creators=creators, version_label=codebook_io.version_label(session, g.project),
        api_base=flask_url_for("codebook.api_tree", slug=slug).rsplit("/", 1)[0],
        import_suffixes=", ".join(IMPORT_SUFFIXES), upload_limit=_upload_limit())


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
        flash(f"Imported {name}{encoding}: {counts['created']} codes created, "
              f"{counts['updated']} updated, {counts['chapters']} chapters.", "ok")
    return redirect(flask_url_for("codebook.index", slug=slug))


def _upload() -> tuple[str, bytes]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InvalidInput("choose a codebook file to import")
    name = Path(file.filename.replace("\\", "/")).name
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        hint = " (Word codebooks are for reading, not for import)" if name.lower().endswith(
            ".docx") else ""
        raise InvalidInput(f"{name}: cannot import this kind of file{hint}; use one of "
                           f"{', '.join(IMPORT_SUFFIXES)}")
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
        raise InvalidImport(exc.reason.replace(str(path), name), path=name,
                            location=exc.location) from None


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
    response = send_file(io.BytesIO(data), mimetype=EXPORT_FORMATS[fmt][1], as_attachment=True,
                         download_name=f"{stem}.{fmt}")
    response.headers["X-Codebook-Version"] = label.encode("ascii", "replace").decode()
    return response


@bp.post("/p/<slug>/codebook/versions")
@project_route(Role.LEAD)
def freeze(slug: str) -> Response:
    session = get_session()
    name = request.form.get("name", "").strip()[:200]
    try:
        codebook_io.freeze_version(session, g.project, name,
                                   note=request.form.get("note", "").strip(), user_id=g.user.id)
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Froze codebook version {name}.", "ok")
    return redirect(flask_url_for("codebook.index", slug=slug) + "#versions")


# ------------------------------------------------------------------------ JSON: reading

@bp.get(f"{API}/tree")
@project_route(Role.VIEWER)
def api_tree(slug: str) -> dict[str, Any]:
    session = get_session()
    open_by_code = _open_proposal_counts()
    by_id = {c.id: c for c in codebook_service.all_codes(session, g.project.id)}
    codes = []
    for row in codebook_service.tree(session, g.project.id):
        item = row.to_dict()
        item["proposals"] = open_by_code.get(row.id, 0)
        item["definition"] = by_id[row.id].definition  # for searching the tree
        item["keywords"] = list(by_id[row.id].keywords)
        codes.append(item)
    return {"version": codebook_io.version_label(session, g.project), "codes": codes,
            "can_edit": can(Role.LEAD)}


@bp.get(f"{API}/codes/<int:code_id>")
@project_route(Role.VIEWER)
def api_code(slug: str, code_id: int) -> dict[str, Any]:
    return _code_json(_code(code_id))


@bp.get(f"{API}/codes/<int:code_id>/codings")
@project_route(Role.VIEWER)
def api_codings(slug: str, code_id: int) -> dict[str, Any]:
    """The code's codings with their quotes, for choosing which go where in a split."""
    session = get_session()
    code = _code(code_id)
    return {"code_id": code.id, "codings": [
        {"id": c.id, "document_id": c.document_id, "document": c.document.title,
         "coder": c.coder.label, "start": c.start, "end": c.end, "quote": c.quote}
        for c in codebook_service.codings_of(session, code)]}


def _open_proposal_counts() -> dict[int, int]:
    counts: dict[int, int] = {}
    for memo in proposals.open_proposals(get_session(), g.project):
        if memo.code_id is not None:
            counts[memo.code_id] = counts.get(memo.code_id, 0) + 1
    return counts


def _code(code_id: int) -> Code:
    return get_or_raise(get_session(), Code, code_id, project_id=g.project.id)


def _code_json(code: Code) -> dict[str, Any]:
    session = get_session()
    count = codebook_service.coding_counts(session, g.project.id).get(code.id, 0)
    open_memos = proposals.open_proposals(session, g.project, code.id)
    return {
        "id": code.id, "guid": code.guid, "parent_id": code.parent_id,
        "path": codebook_service.code_path(session, code), "name": code.name,
        "color": code.color, "kind": code.kind.value, "definition": code.definition,
        "inclusion": code.inclusion, "exclusion": code.exclusion,
        "typical_example": code.typical_example, "atypical_example": code.atypical_example,
        "keywords": list(code.keywords), "chapter": code.chapter, "section": code.section,
        "active": code.active, "codable": code.codable, "lock_version": code.lock_version,
        "codings": count, "created": timestamp(code.created_at),
        "proposals": [memo_json(m) for m in open_memos],
    }


# ------------------------------------------------------------------------ JSON: editing

def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The code fields of a request body, type-checked; the service checks the values."""
    out: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or len(value) > TEXT_LIMIT:
                raise InvalidInput(f"{key} must be text of at most {TEXT_LIMIT} characters")
            out[key] = value if key in ("definition", "inclusion", "exclusion",
                                        "typical_example", "atypical_example") else value.strip()
    for key in FLAG_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise InvalidInput(f"{key} must be true or false")
            out[key] = data[key]
    if "keywords" in data:
        keywords = data["keywords"]
        if isinstance(keywords, str):
            keywords = keywords.split(";")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise InvalidInput("keywords must be a list of text")
        out["keywords"] = keywords
    return out


def _optional_id(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} must be a code id or null")
    return value


def _required_id(data: dict[str, Any], key: str) -> int:
    value = _optional_id(data, key)
    if value is None:
        raise InvalidInput(f"{key} is required")
    return value


@bp.post(f"{API}/codes")
@project_route(Role.LEAD)
def api_create(slug: str) -> tuple[dict[str, Any], int]:
    session = get_session()
    data = _body()
    parent_id = _optional_id(data, "parent_id")
    parent = _code(parent_id) if parent_id is not None else None
    fields = _fields(data)
    name = fields.pop("name", "")
    code = codebook_service.create_code(session, g.project, name, parent=parent,
                                        user_id=g.user.id, **fields)
    session.commit()
    return _code_json(code), 201


@bp.patch(f"{API}/codes/<int:code_id>")
@project_route(Role.LEAD)
def api_update(slug: str, code_id: int) -> dict[str, Any]:
    """Edit fields; ``lock_version`` (from when the editor loaded the code) is required, so an
    edit someone else made in between is reported (409) rather than overwritten."""
    session = get_session()
    data = _body()
    code = _code(code_id)
    lock_version = _required_id(data, "lock_version")
    codebook_service.update_code(session, code, user_id=g.user.id, lock_version=lock_version,
                                 **_fields(data))
    session.commit()
    return _code_json(code)


@bp.post(f"{API}/codes/<int:code_id>/move")
@project_route(Role.LEAD)
def api_move(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    data = _body()
    code = _code(code_id)
    if "parent_id" not in data:
        raise InvalidInput("parent_id is required (null for the top level)")
    parent_id = _optional_id(data, "parent_id")
    parent = _code(parent_id) if parent_id is not None else None
    codebook_service.move_code(session, code, parent, user_id=g.user.id)
    session.commit()
    return _code_json(code)


@bp.get(f"{API}/codes/<int:code_id>/merge-preview")
@project_route(Role.LEAD)
def api_merge_preview(slug: str, code_id: int) -> dict[str, Any]:
    source = _code(code_id)
    into = request.args.get("into", type=int)
    if into is None:
        raise InvalidInput("say which code to merge into (?into=ID)")
    target = _code(into)
    preview = codebook_service.merge_preview(get_session(), source, target)
    return {"source": source.name, "target": target.name, **preview}


@bp.post(f"{API}/codes/<int:code_id>/merge")
@project_route(Role.LEAD)
def api_merge(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    source = _code(code_id)
    target = _code(_required_id(_body(), "into"))
    moved = codebook_service.merge_codes(session, source, target, user_id=g.user.id)
    session.commit()
    return {"moved": moved, "target": _code_json(target)}


@bp.post(f"{API}/codes/<int:code_id>/split")
@project_route(Role.LEAD)
def api_split(slug: str, code_id: int) -> tuple[dict[str, Any], int]:
    session = get_session()
    data = _body()
    code = _code(code_id)
    ids = data.get("coding_ids")
    if not isinstance(ids, list) or not ids or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidInput("choose at least one coding to move to the new code")
    for coding_id in ids:  # another project's codings are not found, not refused
        if get_or_raise(session, Coding, coding_id).document.project_id != g.project.id:
            raise NotFound(f"no coding with id {coding_id}")
    name = data.get("name")
    if not isinstance(name, str):
        raise InvalidInput("the new code needs a name")
    new = codebook_service.split_code(session, code, name, ids, user_id=g.user.id)
    session.commit()
    return {"moved": len(set(ids)), "code": _code_json(new)}, 201


@bp.delete(f"{API}/codes/<int:code_id>")
@project_route(Role.LEAD)
def api_delete(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    code = _code(code_id)
    codebook_service.delete_code(session, code, user_id=g.user.id)
    session.commit()
    return {"deleted": code_id}


@bp.post(f"{API}/proposals/<int:memo_id>/accept")
@project_route(Role.LEAD)
def api_accept_proposal(slug: str, memo_id: int) -> dict[str, Any]:
    session = get_session()
    memo = proposals.get_proposal(session, g.project, memo_id)
    data = request.get_json(silent=True)
    lock_version = _optional_id(data, "lock_version") if isinstance(data, dict) else None
    code = proposals.accept_proposal(session, memo, user_id=g.user.id,
                                     lock_version=lock_version)
    session.commit()
    return _code_json(code)


@bp.post(f"{API}/proposals/<int:memo_id>/dismiss")
@project_route(Role.LEAD)
def api_dismiss_proposal(slug: str, memo_id: int) -> dict[str, Any]:
    session = get_session()
    memo = proposals.get_proposal(session, g.project, memo_id)
    proposals.dismiss_proposal(session, memo, user_id=g.user.id)
    session.commit()
    return _code_json(_code(memo.code_id))  # type: ignore[arg-type]
