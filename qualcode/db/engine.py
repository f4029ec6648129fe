"""Engines and sessions: SQLite with foreign keys, WAL and a busy timeout; PostgreSQL (psycopg)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_FILE = "qualcode.db"
BUSY_TIMEOUT_MS = 15_000


def default_database_url() -> str:
    return os.environ.get("QUALCODE_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_FILE}"


def normalise_url(url: str) -> str:
    """Accept a bare file path or ``postgresql://`` and return a SQLAlchemy URL."""
    if "://" not in url:
        return f"sqlite:///{Path(url)}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def safe_url(url: str) -> str:
    """The URL as it may be shown to a user: never with its password."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as the user typed it, minus secrets
        return url.split("@")[-1]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3 opens transactions lazily; take control so BEGIN is explicit and pragmas apply.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


read_only_flag: ContextVar[bool] = ContextVar("qualcode_sqlite_read_only", default=False)


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Within this block SQLite transactions start deferred (``BEGIN``): for pages that only
    read, so they never wait for a writer."""
    token = read_only_flag.set(True)
    try:
        yield
    finally:
        read_only_flag.reset(token)


def _sqlite_begin(conn: Any) -> None:
    # A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    # answers "database is locked" at once. So transactions that may write start with
    # BEGIN IMMEDIATE, which takes the write lock up front and *waits* (busy timeout) for it.
    # In WAL mode readers are never blocked by it; read-only work opts into a plain BEGIN.
    conn.exec_driver_sql("BEGIN" if read_only_flag.get() else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = normalise_url(url or default_database_url())
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
