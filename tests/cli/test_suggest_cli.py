"""``qualcode suggest`` and ``qualcode train``: the JSON contract of DESIGN.md, offsets in code
points, storage as a coder's open suggestions or the machine's layer, one-line errors."""

from __future__ import annotations

import json

import pytest
from factories import make_coding, make_document
from sqlalchemy import select
from suggestion_world import GRANT, TURNOVER, build_world

from qualcode.models import Suggestion, SuggestionStatus

pytestmark = pytest.mark.slow

KEYS = {
    "document_id",
    "document",
    "code",
    "code_guid",
    "start",
    "end",
    "text",
    "score",
    "method",
    "rationale",
}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def world(session):
    world = build_world(session)
    # an astral character before the answers, so code points and UTF-16 units differ
    world.emoji = make_document(
        session,
        world.project,
        title="Emoji",
        turns=[
            ("Interviewer", "What about money? 💷💷"),
            ("Sam 😀 Ode", "The pump priming grant 💷 meant we could start early."),
        ],
    )
    session.commit()
    return world


def test_suggest_json_follows_the_design_contract(runner, world):
    result = runner(["suggest", "lpsa", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["project"] == "lpsa"
    assert data["model"]["version"]
    assert data["model"]["examples"] == 9
    assert 0 < data["model"]["threshold"] < 1
    rows = data["suggestions"]
    assert rows
    assert all(set(row) >= KEYS for row in rows)
    texts = {d.id: d.text for d in [*world.training, world.target, world.emoji]}
    for row in rows:
        assert texts[row["document_id"]][row["start"] : row["end"]] == row["text"]
        assert 0.0 <= row["score"] <= 1.0
        assert isinstance(row["rationale"], dict)
    grant = [r for r in rows if r["code"] == f"Enablers/{GRANT}" and r["document"] == "Emoji"]
    assert grant
    assert grant[0]["code_guid"] == world.codes[GRANT].guid
    assert "💷 meant" in grant[0]["text"]


def test_suggest_without_user_stores_the_machine_layer_but_lists_uncoded_units(
    runner, session, world
):
    quote = "Staff turnover hurt us badly."
    make_coding(session, world.target, world.codes[TURNOVER], world.coder, quote=quote)
    session.commit()
    result = runner(["suggest", "lpsa", "--document", str(world.target.id), "--json"])
    rows = json.loads(result.stdout)["suggestions"]
    assert {r["document_id"] for r in rows} == {world.target.id}
    assert not [r for r in rows if r["text"] == quote and r["code"].endswith(TURNOVER)]
    stored = session.scalars(select(Suggestion).where(Suggestion.document_id == world.target.id))
    machine = [s for s in stored if s.for_user_id is None]
    assert [s for s in machine if s.text == quote and s.code_id == world.codes[TURNOVER].id]


def test_suggest_for_a_user_stores_their_open_suggestions(runner, session, world):
    result = runner(["suggest", "lpsa", "--user", "cora", "--min-score", "0.2", "--json"])
    rows = json.loads(result.stdout)["suggestions"]
    assert rows
    assert min(r["score"] for r in rows) >= 0.2
    stored = session.scalars(
        select(Suggestion).where(
            Suggestion.for_user_id == world.coder.id, Suggestion.status == SuggestionStatus.OPEN
        )
    )
    assert {s.id for s in stored} == {r["id"] for r in rows}


def test_suggest_table_and_errors(runner, world):
    result = runner(["suggest", "lpsa", "--document", str(world.target.id)])
    assert result.exit_code == 0
    assert "Staff turnover" in result.stdout
    assert "suggestions." in result.stdout
    missing = runner(["suggest", "lpsa", "--document", "999999"])
    assert missing.exit_code == 1
    assert "no document with id 999999" in missing.output
    assert "Traceback" not in missing.output
    nobody = runner(["suggest", "lpsa", "--user", "nobody"])
    assert nobody.exit_code == 1
    assert "nobody" in nobody.output
    viewer = runner(["suggest", "lpsa", "--user", "vic"])
    assert viewer.exit_code == 1
    assert "coder role" in viewer.output


def test_train_refits_and_reports(runner, world):
    result = runner(["train", "lpsa", "--json"])
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)["model"]
    assert model["examples"] == 9
    assert model["positives"] == 9
    assert model["codes"] == 3
    text = runner(["train", "lpsa"])
    assert "9 examples (9 positive, 0 negative)" in text.stdout
