"""The qualcode web app: ``create_app()`` reads like a table of contents."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from qualcode.db.engine import default_database_url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("QUALCODE_SECRET_KEY") or secrets.token_hex(32),
        DATABASE_URL=default_database_url(),
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,   # whole request; each file is capped separately
        UPLOAD_MAX_BYTES=50 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REQUIRE_PASSWORDS=False,
        LOGIN_RATE_LIMIT=10,                    # failed sign-ins per 5 minutes per user and address
    )
    app.config.from_prefixed_env("QUALCODE")
    if test_config:
        app.config.update(test_config)

    from webui import auth, db, errors, security
    from webui.views import register_views

    db.init_app(app)
    errors.init_app(app)
    auth.init_app(app)          # loads g.user before the CSRF check needs it
    security.init_app(app)
    register_views(app)
    return app
