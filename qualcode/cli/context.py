"""What every command shares: the database, a session factory, and error reporting."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.engine import default_database_url, make_engine, make_sessionmaker, safe_url
from qualcode.db.faults import describe
from qualcode.errors import QualcodeError


class CliContext:
    def __init__(self, database: str | None) -> None:
        self.url = database or default_database_url()
        self._engine: Engine | None = None
        self._sessionmaker: sessionmaker[Session] | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def connect(self, *, migrate: bool = True) -> sessionmaker[Session]:
        """The session factory, after making sure the schema is current."""
        if self._sessionmaker is None:
            if migrate:
                from qualcode.db.migrate import ensure_current

                ensure_current(self.engine)
            self._sessionmaker = make_sessionmaker(self.engine)
        return self._sessionmaker

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        return self.connect()

    def close(self) -> None:
        """Release the pool's connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._sessionmaker = None


@contextmanager
def handle_errors(get_ctx: Callable[[], CliContext | None]) -> Iterator[None]:
    """Turn domain and connection errors into one line on stderr and exit status 1."""
    try:
        yield
    except QualcodeError as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        ctx = get_ctx()
        where = safe_url(ctx.url) if ctx else "the database"
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        reason = reason.replace("connection failed: ", "")
        fault = describe(exc, f"the database at {where}")
        if fault:
            raise click.ClickException(fault) from None
        raise click.ClickException(f"cannot use the database at {where}: {reason}") from None
    except ProgrammingError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise click.ClickException(f"database error: {reason} (run qualcode db upgrade?)") from None


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
