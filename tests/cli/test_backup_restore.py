"""``qualcode backup`` and ``restore`` give back the same project; bad targets are clear errors."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner
from factories import make_code, make_coding, make_document, make_project, make_user

from qualcode.cli import cli

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("QUALCODE_TEST_DATABASE_URL")) and not shutil.which("pg_dump"),
    reason="needs pg_dump",
)


def _snapshot(runner) -> str:
    return runner(["documents", "lpsa", "--json"]).output


def test_backup_then_restore_gives_the_same_project(runner, session, tmp_path, database_url):
    owner = make_user(session, "ruth")
    project = make_project(session, "lpsa", owner=owner)
    doc = make_document(session, project, case="Wexborough")
    make_coding(
        session, doc, make_code(session, project, "Barriers"), owner, quote="staff turnover"
    )
    session.commit()
    before = _snapshot(runner)
    backup = tmp_path / "copy.qcbak"
    result = runner(["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0
    runner(["project", "create", "scratch"])  # a change after the backup
    result = runner(["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert _snapshot(runner) == before
    assert "scratch" not in runner(["project", "list"]).output


def test_backup_refuses_to_overwrite_and_restore_refuses_garbage(runner, tmp_path):
    existing = tmp_path / "exists.bak"
    existing.write_text("keep me")
    result = CliRunner().invoke(
        cli, ["--database", f"sqlite:///{tmp_path / 'a.db'}", "backup", str(existing)]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_text() == "keep me"
    garbage = tmp_path / "garbage.bak"
    garbage.write_bytes(b"not a database at all" * 100)
    if os.environ.get("QUALCODE_TEST_DATABASE_URL"):
        return
    result = runner(["restore", str(garbage), "--yes"])
    assert result.exit_code == 1
    assert "not a qualcode SQLite backup" in result.output


def test_read_only_database_is_a_clear_error(tmp_path):
    path = tmp_path / "ro.db"
    assert (
        CliRunner().invoke(cli, ["--database", f"sqlite:///{path}", "db", "upgrade"]).exit_code == 0
    )
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = CliRunner().invoke(cli, ["--database", read_only, "project", "create", "x"])
    assert result.exit_code == 1
    assert "read-only" in result.output
    assert "Traceback" not in result.output
