"""Transcript upload, on the ``documents`` blueprint: the page, and one file per request.

The page's script (``static/js/upload.js``) sends the chosen files one at a time to
:func:`import_file`, so each has its own upload progress and its own result. A file is
size-capped (``UPLOAD_MAX_BYTES``), sniffed and read by the pure readers
(:func:`qualcode.ingest.read_transcript_bytes`: nothing touches the disk), then stored in its
own transaction by :func:`qualcode.services.importing.store_transcript` — the same rules as
``qualcode import``: exact duplicates are skipped, a known title becomes a new version with its
codings re-anchored. The answer is the CLI's per-file result as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, g, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response

from qualcode.errors import InvalidImport, InvalidInput, QualcodeError
from qualcode.ingest import SUPPORTED_SUFFIXES, read_transcript_bytes
from qualcode.models import Role
from qualcode.services import documents as document_service
from qualcode.services.importing import FileResult, interviewer_labels, store_transcript
from webui.access import can, project_route
from webui.db import get_session
from webui.views.documents import bp

FORM_OVERHEAD = 64 * 1024  # multipart headers and the small fields around the file
CASE_NAME_MAX = 200


@bp.get("/p/<slug>/import")
@project_route(Role.CODER)
def upload(slug: str) -> str:
    cases = document_service.list_cases(get_session(), g.project)
    return render_template(
        "documents/upload.html",
        cases=cases,
        max_bytes=_max_bytes(),
        max_label=_size(_max_bytes()),
        suffixes=SUPPORTED_SUFFIXES,
        can_import_sheet=can(Role.LEAD),
    )


@bp.post("/api/p/<slug>/documents/import")
@project_route(Role.CODER)
def import_file(slug: str) -> tuple[Response, int]:
    """Import one uploaded transcript (form fields ``file``, optional ``path`` and ``case``).

    201 with ``{"result": ...}`` when imported, 200 when skipped as a duplicate, 413 when over
    the size cap, 422 with ``{"error", "result"}`` when the file cannot be imported.
    """
    limit = _max_bytes()
    if (request.content_length or 0) > limit + FORM_OVERHEAD:  # refused before reading it
        return _too_large(request.args.get("name", "the file"), request.content_length, limit)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("no file in the upload (send it as the form field 'file')")
    filename = Path(upload.filename.replace("\\", "/")).name
    shown = (request.form.get("path") or filename).strip()[:500]
    if Path(filename).suffix.lower() == ".qdpx":
        return _failed(
            shown,
            "a .qdpx file is a whole project: import it on the Import / export page",
            link=url_for("exchange.index", slug=slug)
            if "exchange.index" in current_app.view_functions
            else None,
        )
    case = request.form.get("case", "").strip() or None
    if case and len(case) > CASE_NAME_MAX:
        raise InvalidInput(f"a case name has at most {CASE_NAME_MAX} characters")
    size = upload.stream.seek(0, 2)
    if size > limit:
        return _too_large(shown, size, limit)
    upload.stream.seek(0)
    data = upload.stream.read()
    session = get_session()
    try:
        transcript = read_transcript_bytes(
            filename, data, max_bytes=limit, interviewer_labels=interviewer_labels(g.project)
        )
        result = store_transcript(
            session,
            g.project,
            transcript,
            title=Path(filename).stem,
            filename=filename,
            case=case,
            user_id=g.user.id,
            display_path=shown,
        )
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        reason = exc.reason if isinstance(exc, InvalidImport) else str(exc)
        return _failed(shown, reason)
    return jsonify({"result": result.to_dict()}), 201 if result.status == "imported" else 200


def _failed(shown: str, reason: str, *, link: str | None = None) -> tuple[Response, int]:
    result: dict[str, Any] = FileResult(shown, "failed", reason).to_dict()
    if link:
        result["link"] = link
    return jsonify({"error": f"{shown}: {reason}", "status": 422, "result": result}), 422


def _too_large(shown: str, size: int | None, limit: int) -> tuple[Response, int]:
    reason = f"the file is {_size(size or 0)}, over the {_size(limit)} limit"
    result = FileResult(shown, "failed", reason).to_dict()
    return jsonify({"error": f"{shown}: {reason}", "status": 413, "result": result}), 413


def _size(count: int) -> str:
    """``61.2 MB``, ``50 MB``, ``12 KB``."""
    if count >= 1024 * 1024 // 10:
        return f"{count / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{count / 1024:.1f}".removesuffix(".0") + " KB"


def _max_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_BYTES"])
