"""One engine per app, one session per request (created on first use, closed at teardown)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from qualcode.db.engine import make_engine, make_sessionmaker, read_only_flag
from qualcode.db.migrate import ensure_current


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    if not app.config.get("SKIP_SCHEMA_CHECK"):
        ensure_current(engine)
    app.extensions["qualcode.engine"] = engine
    app.extensions["qualcode.sessionmaker"] = make_sessionmaker(engine)
    app.before_request(_transaction_mode)
    app.teardown_appcontext(close_session)


def _transaction_mode() -> None:
    # Pages that only read start deferred SQLite transactions and never queue behind writers.
    g.read_only_token = read_only_flag.set(request.method in ("GET", "HEAD", "OPTIONS"))


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["qualcode.sessionmaker"]()
    session: Session = g.db_session
    return session


def close_session(exc: BaseException | None = None) -> Any:
    token = g.pop("read_only_token", None)
    if token is not None:
        read_only_flag.reset(token)
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
