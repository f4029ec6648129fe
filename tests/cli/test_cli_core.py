"""The core commands on a real database file: exit codes, messages, and the database after."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from factories import make_document, make_project
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.models import Membership, Project, User


def test_cli_user_add_and_project_create_write_rows(runner, engine):
    result = runner(
        ["user", "add", "ruth", "--password-stdin", "--display-name", "Ruth Okafor"],
        input="s3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    result = runner(["project", "create", "lpsa", "--title", "LPSA evaluation", "--owner", "ruth"])
    assert result.exit_code == 0
    assert "created project lpsa" in result.output
    with Session(engine) as s:
        project = s.scalars(select(Project)).one()
        assert project.title == "LPSA evaluation"
        membership = s.scalars(select(Membership)).one()
        assert membership.role.value == "owner"
        assert s.scalars(select(User)).one().password_hash.startswith("$argon2id$")


def test_cli_project_list_json_shape(runner, session):
    project = make_project(session, "alpha", title="Alpha")
    make_document(session, project)
    session.commit()
    result = runner(["project", "list", "--json"])
    assert json.loads(result.output) == [{"slug": "alpha", "title": "Alpha", "documents": 1}]


def test_cli_documents_json_contract(runner, session):
    project = make_project(session, "alpha")
    doc = make_document(session, project, title="W1", case="Wexborough")
    session.commit()
    rows = json.loads(runner(["documents", "alpha", "--json"]).output)
    assert rows == [
        {
            "id": doc.id,
            "title": "W1",
            "case": "Wexborough",
            "words": doc.word_count,
            "turns": 4,
            "speakers": ["Interviewer", "Jane Smith"],
            "attributes": {},
        }
    ]


def test_cli_unknown_project_is_one_line_exit_1(database_url):
    result = CliRunner().invoke(cli, ["--database", database_url, "documents", "nope"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no project named nope"


def test_cli_duplicate_user_is_a_user_error(database_url):
    args = ["--database", database_url, "user", "add", "ruth", "--password-stdin"]
    assert CliRunner().invoke(cli, args, input="s3cret-pass\n").exit_code == 0
    result = CliRunner().invoke(cli, args, input="other-pass\n")
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_cli_unreachable_database_names_url_without_password():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualcode",
            "--database",
            "postgresql+psycopg://bob:hunter2@127.0.0.1:1/none",
            "project",
            "list",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "hunter2" not in result.stderr
    assert "127.0.0.1:1/none" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_db_upgrade_creates_schema_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = CliRunner().invoke(cli, ["--database", url, "db", "upgrade"])
    assert first.exit_code == 0
    assert "upgraded from empty" in first.output
    second = CliRunner().invoke(cli, ["--database", url, "db", "upgrade"])
    assert "already current" in second.output


def test_cli_db_check_agrees_with_models(tmp_path):
    result = CliRunner().invoke(
        cli, ["--database", f"sqlite:///{tmp_path / 'c.db'}", "db", "check"]
    )
    assert result.exit_code == 0, result.output


def test_cli_old_postgres_schema_asks_for_upgrade(tmp_path):
    """An unversioned schema with tables cannot be upgraded blindly."""
    import sqlite3

    path = tmp_path / "old.db"
    sqlite3.connect(path).execute(
        "CREATE TABLE project (id INTEGER PRIMARY KEY)"
    ).connection.commit()
    result = CliRunner().invoke(cli, ["--database", f"sqlite:///{path}", "project", "list"])
    assert result.exit_code == 1
    assert "run qualcode db upgrade" in result.output


def test_cli_help_imports_neither_flask_nor_spacy():
    code = (
        "import sys; from qualcode.cli import cli; "
        "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); "
        "print('flask' in sys.modules, 'spacy' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False False", out.stderr
