"""The suggestions API and review queue: roles, other projects' and users' ids, CSRF, UTF-16
spans on accept, and the background model (the first request never waits for a fit)."""

from __future__ import annotations

import functools
import re

import pytest
from factories import make_code, make_document, make_project, make_user
from helpers import login, post_json
from sqlalchemy import select
from suggestion_world import GRANT, build_world

from qualcode.models import Coding, Origin, Suggestion, SuggestionStatus
from qualcode.services import suggestion_models
from qualcode.services import suggestions as suggestion_service
from qualcode.services import users as user_service

pytestmark = pytest.mark.slow
_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _quick(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


@pytest.fixture
def world(session):
    world = build_world(session)
    make_user(session, "stranger")
    other = make_project(session, "theirs", owner=world.owner)
    world.foreign_document = make_document(session, other)
    make_code(session, other, "Theirs")
    world.emoji = make_document(
        session,
        world.project,
        title="Emoji",
        turns=[
            ("Interviewer", "What about money? 💷"),
            ("Sam Ode", "😀 The pump priming grant 💷 meant we could start early."),
        ],
    )
    suggestion_models.train(session, world.project)
    session.commit()
    return world


def _api(world, path):
    return f"/api/p/lpsa{path}"


def _suggestions(client, world, document):
    response = client.get(_api(world, f"/documents/{document.id}/suggestions"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_document_suggestions_are_computed_for_the_caller(client, world, session):
    login(client, "cora")
    data = _suggestions(client, world, world.target)
    assert data["pending"] is False
    assert data["model"]["version"]
    rows = data["suggestions"]
    assert rows
    assert {r["status"] for r in rows} == {"open"}
    grant = [r for r in rows if r["code"] == f"Enablers/{GRANT}"]
    assert grant
    assert grant[0]["color"].startswith("#")
    assert grant[0]["rationale"] is not None
    again = _suggestions(client, world, world.target)
    assert {r["id"] for r in again["suggestions"]} == {r["id"] for r in rows}  # not recomputed
    stored = session.scalars(select(Suggestion).where(Suggestion.for_user_id == world.coder.id))
    assert {s.id for s in stored} == {r["id"] for r in rows}


def test_accept_with_a_utf16_span_codes_the_code_point_span(client, world, session):
    token = login(client, "cora")
    rows = _suggestions(client, world, world.emoji)["suggestions"]
    chosen = next(
        r for r in rows if "grant 💷 meant" in r["text"] and r["code"] == f"Enablers/{GRANT}"
    )
    text = world.emoji.text
    start = text.index("pump priming grant 💷")
    end = start + len("pump priming grant 💷")
    start16 = len(text[:start].encode("utf-16-le")) // 2
    end16 = len(text[:end].encode("utf-16-le")) // 2
    assert (start16, end16) != (start, end)
    response = post_json(
        client,
        _api(world, f"/suggestions/{chosen['id']}/accept"),
        token,
        {"start16": start16, "end16": end16},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    coding = response.get_json()["coding"]
    assert (coding["start"], coding["end"]) == (start, end)
    assert coding["origin"] == "suggestion"
    assert coding["suggestion_id"] == chosen["id"]
    stored = session.get(Coding, coding["id"])
    assert stored.origin is Origin.SUGGESTION
    assert stored.model_version == chosen["model_version"]
    assert stored.quote == "pump priming grant 💷"
    again = post_json(client, _api(world, f"/suggestions/{chosen['id']}/accept"), token)
    assert again.status_code == 409


def test_reject_marks_the_suggestion_rejected(client, world, session):
    token = login(client, "cora")
    rows = _suggestions(client, world, world.target)["suggestions"]
    response = post_json(client, _api(world, f"/suggestions/{rows[0]['id']}/reject"), token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    session.expire_all()
    assert session.get(Suggestion, rows[0]["id"]).status is SuggestionStatus.REJECTED


def test_suggestions_of_another_user_or_project_are_not_found(client, world, session):
    model = suggestion_models.current(session, world.project)
    bobs = suggestion_service.suggest_for_document(
        session, world.project, world.target, world.other, model
    )
    session.commit()
    token = login(client, "cora")
    for act in ("accept", "reject"):
        response = post_json(client, _api(world, f"/suggestions/{bobs[0].id}/{act}"), token)
        assert response.status_code == 404
    foreign = client.get(_api(world, f"/documents/{world.foreign_document.id}/suggestions"))
    assert foreign.status_code == 404
    assert session.get(Suggestion, bobs[0].id).status is SuggestionStatus.OPEN


def test_roles_and_csrf(client, world):
    login(client, "vic")  # a viewer gets no suggestions and decides nothing
    assert client.get(_api(world, f"/documents/{world.target.id}/suggestions")).status_code == 403
    assert client.get("/p/lpsa/suggestions").status_code == 403
    assert client.get(_api(world, "/suggestions/model")).status_code == 200
    client.post("/logout", data={})
    login(client, "stranger")
    assert client.get(_api(world, "/suggestions/model")).status_code == 404
    outsider = client.get(_api(world, f"/documents/{world.target.id}/suggestions"))
    assert outsider.status_code == 404


def test_writes_need_the_csrf_token(client, world):
    login(client, "cora")
    rows = _suggestions(client, world, world.target)["suggestions"]
    response = client.post(_api(world, f"/suggestions/{rows[0]['id']}/accept"), json={})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]


def test_the_first_request_does_not_wait_for_a_fit(client, world, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "fresh"))  # no model stored here
    suggestion_models.forget(world.project)
    login(client, "cora")
    first = _suggestions(client, world, world.target)
    assert first["pending"] is True
    assert first["suggestions"] == []
    trainer = client.application.extensions["qualcode.trainer"]
    trainer.wait(world.project.id, timeout=120)
    status = client.get(_api(world, "/suggestions/model")).get_json()
    assert status["version"]
    assert not status["training"]
    assert _suggestions(client, world, world.target)["suggestions"]


def test_queue_page_lists_open_suggestions_by_uncertainty(client, world):
    token = login(client, "cora")
    _suggestions(client, world, world.target)
    page = client.get("/p/lpsa/suggestions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "queue-item" in html
    assert "Pump-priming grant" in html
    by_code = client.get("/p/lpsa/suggestions?order=code").get_data(as_text=True)
    codes = re.findall(r'class="qi-code">([^<]+)<', by_code)
    tree = [
        "Barriers/Staff turnover",
        "Enablers/Pump-priming grant",
        "Enablers/Political leadership",
    ]
    assert codes
    assert [tree.index(c) for c in codes] == sorted(tree.index(c) for c in codes)
    assert client.get("/p/lpsa/suggestions?order=sideways").status_code == 400
    data = client.get(_api(world, "/suggestions?order=uncertainty")).get_json()
    threshold = data["model"]["threshold"]
    gaps = [abs(r["score"] - threshold) for r in data["suggestions"]]
    assert gaps == sorted(gaps)
    retrain = post_json(client, _api(world, "/suggestions/model/retrain"), token)
    assert retrain.status_code == 202
    client.application.extensions["qualcode.trainer"].wait(world.project.id, timeout=120)
