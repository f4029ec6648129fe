"""The qualcode web app: ``create_app()`` reads like a table of contents."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from qualcode.db.engine import default_database_url


def _stored_secret_key() -> str:
    """A secret key kept in a private file, so sessions survive restarts and every worker of a
    multi-process server signs cookies alike (``QUALCODE_SECRET_KEY`` overrides it)."""
    path = Path(
        os.environ.get("QUALCODE_SECRET_FILE")
        or Path.home() / ".config" / "qualcode" / "secret_key"
    )
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("QUALCODE_SECRET_KEY") or _stored_secret_key(),
        DATABASE_URL=default_database_url(),
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,  # whole request; each file is capped separately
        UPLOAD_MAX_BYTES=50 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REQUIRE_PASSWORDS=False,
        LOGIN_RATE_LIMIT=10,  # failed sign-ins per 5 minutes per user and address
    )
    app.config.from_prefixed_env("QUALCODE")
    if test_config:
        app.config.update(test_config)

    from webui import auth, db, errors, security
    from webui.views import register_views

    db.init_app(app)
    errors.init_app(app)
    auth.init_app(app)  # loads g.user before the CSRF check needs it
    security.init_app(app)
    register_views(app)
    return app
