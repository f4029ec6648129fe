"""Migrations: a new database gets exactly the models' schema, a populated one upgrades revision by
revision keeping its rows, the chain runs down and up again, and ``qualcode db check`` notices a
model change that has no migration.

Each test runs on its own blank database: a SQLite file, and, when
``QUALCODE_TEST_DATABASE_URL`` names a PostgreSQL server, also a scratch database created beside
the test database (the shared one is never downgraded).

When a revision is added, add a function to ``SEEDS`` under its id that inserts rows with SQL
valid at that revision (tables are reflected, never the current models): the walk from ``base``
then checks that every row inserted along the way is still there at ``head``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, create_engine, func, select
from sqlalchemy import inspect as inspect_db
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.db import Base, make_engine, migrate
from qualcode.models import Coding, Document, Project
from qualcode.services import documents as document_service
from qualcode.services.quotes import QuoteQuery, find_quotes

PG_URL = os.environ.get("QUALCODE_TEST_DATABASE_URL")
AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
TEXT = "Interviewer: Why?\nJane Smith: Staff turnover hurt delivery."


def _seed_0001(conn: Connection) -> None:
    """Rows of the initial schema: a user, a project with a case, a document with turns, a
    code, a coding and an audit event."""
    t = MetaData()
    t.reflect(conn)

    def add(table: str, **values: object) -> int:
        key = conn.execute(t.tables[table].insert().values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    user = add(
        "user",
        username="ana",
        display_name="Ana",
        active=True,
        is_admin=False,
        is_system=False,
        created_at=AT,
        guid="u-0001",
    )
    project = add(
        "project",
        slug="lpsa",
        title="LPSA",
        description="",
        settings={},
        created_at=AT,
        guid="p-0001",
    )
    add("membership", project_id=project, user_id=user, role="owner")
    case = add("case", project_id=project, name="Kingsford", description="", guid="k-0001")
    doc = add(
        "document",
        project_id=project,
        case_id=case,
        title="Interview 1",
        source_filename="i1.txt",
        source_type="txt",
        text=TEXT,
        sha256="0" * 64,
        word_count=8,
        turn_count=2,
        imported_at=AT,
        version=1,
        is_current=True,
        guid="d-0001",
    )
    for index, (start, end, speaker) in enumerate(
        [(13, 17, "Interviewer"), (30, len(TEXT), "Jane Smith")]
    ):
        add(
            "turn",
            document_id=doc,
            index=index,
            start=start,
            end=end,
            speaker=speaker,
            is_interviewer=index == 0,
        )
    code = add(
        "code",
        project_id=project,
        name="Staff turnover",
        color="#D62728",
        kind="barrier",
        definition="",
        inclusion="",
        exclusion="",
        typical_example="",
        atypical_example="",
        keywords=[],
        chapter="",
        section="",
        active=True,
        codable=True,
        position=0,
        lock_version=1,
        created_at=AT,
        guid="c-0001",
    )
    start = TEXT.index("Staff turnover")
    coding = add(
        "coding",
        document_id=doc,
        code_id=code,
        coder_id=user,
        start=start,
        end=start + 14,
        quote="Staff turnover",
        origin="manual",
        created_at=AT,
        guid="g-0001",
    )
    add(
        "event",
        project_id=project,
        user_id=user,
        at=AT,
        action="coding.added",
        entity_type="coding",
        entity_id=coding,
        detail={"document_id": doc},
    )


SEEDS: dict[str, Callable[[Connection], None]] = {"0001": _seed_0001}


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request, tmp_path) -> Iterator[Engine]:
    """An empty database of its own."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("QUALCODE_TEST_DATABASE_URL names no PostgreSQL server")
    name = f"qualcode_migrations_{os.getpid()}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sql(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_URL).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(engine: Engine, metadata: MetaData | None = None) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata or Base.metadata))


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _revisions(engine: Engine) -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _counts(engine: Engine) -> dict[str, int]:
    tables = [t for t in inspect_db(engine).get_table_names() if t != "alembic_version"]
    meta = MetaData()
    meta.reflect(engine, only=tables)
    with engine.connect() as conn:
        return {
            name: conn.scalar(select(func.count()).select_from(meta.tables[name])) or 0
            for name in tables
        }


def test_upgrade_head_on_an_empty_database_gives_exactly_the_models(blank: Engine):
    migrate.upgrade(blank)
    assert migrate.current_revision(blank) == migrate.head_revision(blank)
    assert _differences(blank) == []
    migrate.check(blank)  # alembic check: nothing to autogenerate


def test_a_populated_database_upgrades_from_base_keeping_every_row(blank: Engine):
    revisions = _revisions(blank)
    assert revisions[-1] == migrate.head_revision(blank)
    expected: dict[str, int] = {}
    for revision in revisions:
        migrate.upgrade(blank, revision)
        counts = _counts(blank)
        for table, rows in expected.items():  # rows inserted at earlier revisions survive
            assert counts.get(table) == rows, (revision, table)
        if revision in SEEDS:
            with blank.begin() as conn:
                SEEDS[revision](conn)
        expected = _counts(blank)
    assert expected["coding"] >= 1
    assert _differences(blank) == []
    with Session(blank) as session:  # the services read the carried rows at head
        doc = session.scalars(select(Document)).one()
        coding = session.scalars(select(Coding)).one()
        assert doc.text[coding.start : coding.end] == coding.quote == "Staff turnover"
        project = session.scalars(select(Project)).one()
        [summary] = document_service.summaries(session, project)
        assert summary.title == "Interview 1"
        result = find_quotes(session, project, QuoteQuery(code_ids=(coding.code_id,)))
        assert [(q.text, q.speaker, q.case) for q in result.quotes] == [
            ("Staff turnover", "Jane Smith", "Kingsford")
        ]


def test_downgrade_to_base_and_upgrade_again(blank: Engine):
    migrate.upgrade(blank)
    _downgrade(blank, "base")
    assert set(inspect_db(blank).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(blank) is None
    migrate.upgrade(blank)
    assert _differences(blank) == []


def test_a_database_filled_through_the_services_stays_current_and_checks(blank: Engine):
    migrate.upgrade(blank)
    with Session(blank, expire_on_commit=False) as session:
        owner = make_user(session, "owner")
        project = make_project(session, "lpsa", owner=owner)
        doc = make_document(session, project, case="Kingsford")
        make_coding(
            session, doc, make_code(session, project, "Barriers"), owner, quote="staff turnover"
        )
        session.commit()
    before = _counts(blank)
    migrate.upgrade(blank)  # already at head: a no-op that keeps everything
    assert _counts(blank) == before
    migrate.check(blank)
    if blank.dialect.name == "sqlite":  # the command itself (it leaves its engine to the GC)
        url = blank.url.render_as_string(hide_password=False)
        result = CliRunner().invoke(cli, ["--database", url, "db", "check"])
        assert result.exit_code == 0, result.output
        assert "models and migrations agree" in result.output


def test_db_check_reports_a_model_change_without_a_migration(tmp_path, monkeypatch):
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["document"].append_column(Column("reading_level", Integer, nullable=True))
    monkeypatch.setattr(Base, "metadata", changed)  # what env.py compares the schema with
    url = f"sqlite:///{tmp_path / 'check.db'}"
    result = CliRunner().invoke(cli, ["--database", url, "db", "check"])
    assert result.exit_code == 1
    assert "models and migrations differ" in result.output
    assert "reading_level" in result.output
