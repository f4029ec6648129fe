"""A full disk or a read-only database: a clear 503 in the browser's API and one line in the
CLI, never a traceback, and nothing half-saved. SQLite's page limit stands in for a full disk
(SQLite answers "database or disk is full" either way)."""

from __future__ import annotations

import os
import random

import pytest
from click.testing import CliRunner
from factories import make_code, make_document, make_project, make_user
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from qualcode.cli import cli
from qualcode.db import engine as engine_module
from qualcode.models import Coding, Document
from qualcode.services import users as user_service

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("QUALCODE_TEST_DATABASE_URL")), reason="SQLite's page limit"
)


def _fill_up(engine: Engine) -> None:
    """From now on the file may not grow by a single page (its free pages vacuumed away)."""
    raw = engine.raw_connection()  # outside SQLAlchemy's transaction: VACUUM needs none
    try:
        raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
    finally:
        raw.close()

    def no_more_pages(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    event.listen(engine, "connect", no_more_pages)
    engine.dispose()


def test_a_full_disk_is_a_clear_503_and_saves_nothing(app, client, session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    document = make_document(session, project)
    code = make_code(session, project, "Barriers")
    _, token = user_service.create_token(session, owner, "tests")
    session.commit()
    engine = app.extensions["qualcode.engine"]
    _fill_up(engine)
    length = len(document.text)
    # keep adding (distinct spans) until the file would have to grow: the first refusal
    # must be clean
    for i in range(1000):
        body = {"code_id": code.id, "start": i % 30, "end": length - i // 30}
        response = client.post(
            f"/api/p/lpsa/documents/{document.id}/codings",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 201:
            break
    assert response.status_code == 503
    message = response.get_json()["error"]
    assert "is full" in message
    assert "nothing was saved" in message
    assert "Traceback" not in response.get_data(as_text=True)
    with engine.connect() as connection:  # every coding saved has its audit event: none half-way
        codings = connection.scalar(select(func.count()).select_from(Coding))
        events = connection.scalar(text("SELECT count(*) FROM event WHERE action='coding.added'"))
    assert codings == events


def test_a_full_disk_during_import_is_one_line_in_the_cli(database_url, tmp_path, monkeypatch):
    real = engine_module.make_engine

    def full_engine(url=None, **kwargs):  # type: ignore[no-untyped-def]
        made = real(url, **kwargs)
        _fill_up(made)
        return made

    runner = CliRunner()
    assert (
        runner.invoke(cli, ["--database", database_url, "project", "create", "lpsa"]).exit_code == 0
    )
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(7)
    words = ["partnership", "target", "reward", "grant", "data", "staff", "delivery", "council"]
    for n in range(3):  # varied words: compressed, each document still needs pages of its own
        answers = [" ".join(rng.choice(words) + str(rng.randrange(999)) for _ in range(400))]
        lines = [f"Interviewer: Question {n} {i}?\nJo: {answers[0]}" for i in range(5)]
        (folder / f"site-{n}.txt").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr("qualcode.cli.context.make_engine", full_engine)

    result = runner.invoke(cli, ["--database", database_url, "import", "lpsa", str(folder)])

    assert result.exit_code == 1
    assert "is full" in result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    check = real(database_url)
    with check.connect() as connection:
        documents = connection.scalar(select(func.count()).select_from(Document))
        turns = connection.scalar(text("SELECT count(*) FROM turn"))
    check.dispose()
    assert turns == 10 * documents  # whole documents only
