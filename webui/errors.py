"""Domain exceptions → HTTP, in one place; JSON for the API, a page for browsers."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from qualcode.db.faults import describe
from qualcode.errors import (
    Conflict,
    InvalidImport,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QualcodeError,
    SchemaOutdated,
)

STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    InvalidInput: 400,
    InvalidImport: 422,
    SchemaOutdated: 503,
}
log = logging.getLogger("qualcode.web")


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def respond(status: int, message: str):  # type: ignore[no-untyped-def]
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(QualcodeError)
    def domain_error(exc: QualcodeError):  # type: ignore[no-untyped-def]
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return respond(status, str(exc))

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):  # type: ignore[no-untyped-def]
        return respond(409, "someone else changed this in the meantime; reload and try again")

    @app.errorhandler(OperationalError)
    def database_error(exc: OperationalError):  # type: ignore[no-untyped-def]
        log.exception("database error")
        return respond(503, describe(exc) or "the database is not available")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            return respond(413, f"the upload is over the server's {_size(limit)} limit")
        return respond(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise exc
        log.exception("unexpected error")
        return respond(500, "something went wrong on the server; the error has been logged")


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{count / 1024:.1f}".removesuffix(".0") + " KB"
