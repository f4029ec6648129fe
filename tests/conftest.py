"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
``QUALCODE_TEST_DATABASE_URL`` names one), the Flask app and client, the CLI runner."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py and tests/helpers.py

from qualcode.db import (  # noqa: E402
    Base,
    make_engine,
    migrate,  # noqa: E402
)
from qualcode.db.engine import read_only_transactions  # noqa: E402

PG_URL = os.environ.get("QUALCODE_TEST_DATABASE_URL")


@pytest.fixture(autouse=True, scope="session")
def _private_model_cache(tmp_path_factory: pytest.TempPathFactory):
    """Fitted suggestion models go to a temporary folder, never the user's home."""
    previous = os.environ.get("QUALCODE_DATA_DIR")
    os.environ["QUALCODE_DATA_DIR"] = str(tmp_path_factory.mktemp("qualcode-data"))
    yield
    if previous is None:
        os.environ.pop("QUALCODE_DATA_DIR", None)
    else:
        os.environ["QUALCODE_DATA_DIR"] = previous


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """argon2id with test-sized cost: the scheme is the same, each hash takes a millisecond
    instead of a tenth of a second (hundreds of test users are made)."""
    from argon2 import PasswordHasher

    from qualcode.services import users

    production = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = production


@pytest.fixture(autouse=True)
def _deferred_transactions_in_the_test_thread():
    """The test's own sessions read and write one at a time, so they start deferred SQLite
    transactions: a test can hold a read open while a request (which sets its own mode, as in
    production) writes. Worker threads and subprocesses keep the production default."""
    with read_only_transactions():
        yield


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """Migrate once per test session: a template SQLite file, or the PostgreSQL database."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(_template_db: Path | str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        engine = make_engine(PG_URL)
        _truncate_all(engine)
        engine.dispose()
        yield PG_URL
        return
    target = tmp_path / "qc.db"
    shutil.copyfile(_template_db, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(database_url: str):  # type: ignore[no-untyped-def]
    from webui import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    yield app
    app.extensions["qualcode.engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(database_url: str):  # type: ignore[no-untyped-def]
    """Invoke ``qualcode`` against the test database: ``runner(["project", "list"])``."""
    from click.testing import CliRunner

    from qualcode.cli import cli

    cli_runner = CliRunner()

    def run(args: list[str], input: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        return cli_runner.invoke(
            cli, ["--database", database_url, *args], input=input, catch_exceptions=False, **kwargs
        )

    return run
