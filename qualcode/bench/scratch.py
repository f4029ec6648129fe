"""Scratch databases for benchmarks: a SQLite file in a temporary folder, or a PostgreSQL
database created for the run (``qualcode_bench_<pid>``) and dropped afterwards.

The PostgreSQL server is the local one (``postgres@127.0.0.1:5432``, trust authentication)
unless ``QUALCODE_BENCH_POSTGRES`` names another maintenance-database URL to connect through.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from qualcode.db.engine import normalise_url, safe_url
from qualcode.errors import InvalidInput, QualcodeError

BACKENDS = ("sqlite", "postgres")
POSTGRES_ENV = "QUALCODE_BENCH_POSTGRES"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class ScratchUnavailable(QualcodeError):
    """The benchmark cannot get a scratch database (no PostgreSQL server, no permission...)."""


@contextmanager
def scratch_database(backend: str, directory: Path, *, keep: bool = False) -> Iterator[str]:
    """Yield the URL of a new, empty database; it is removed when the block ends unless
    ``keep`` (a SQLite file is then left to the caller, who owns ``directory``)."""
    if backend == "sqlite":
        path = directory / "bench.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in [] if keep else directory.glob("bench.db*"):
                leftover.unlink(missing_ok=True)
        return
    if backend != "postgres":
        raise InvalidInput(f"unknown backend {backend!r}: use {' or '.join(BACKENDS)}")
    admin_url = normalise_url(os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES)
    name = f"qualcode_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        raise ScratchUnavailable(
            f"cannot create a scratch database on {safe_url(admin_url)}: {reason} "
            f"(set {POSTGRES_ENV} to a PostgreSQL URL)"
        ) from None
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_bytes(engine: Engine) -> int:
    """The database's size on disk: the SQLite file (after a WAL checkpoint) or the PostgreSQL
    database (tables, TOAST and indexes)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database, "a scratch SQLite database is a file"
        raw = sqlite3.connect(database)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return sum(p.stat().st_size for p in Path(database).parent.glob(Path(database).name + "*"))
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
