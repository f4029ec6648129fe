"""Blind mode is enforced by the API, not only by the page: while two coders double-code a
document blind, neither can reach the other's codings or memos of it by any route."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.models import Role, User
from qualcode.services import assignments, audit
from qualcode.services import memos as memo_service
from qualcode.services import users as user_service

_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


def token_client(client, session, user: User):
    _, token = user_service.create_token(session, user, "tests")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        return getattr(client, method)(path, **kwargs)

    return call


@pytest.fixture
def blind(session, client):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    ann, bob, carl = (member(session, project, Role.CODER, n) for n in ("ann", "bob", "carl"))
    document = make_document(session, project)
    code = make_code(session, project, "Staff turnover")
    for coder in (ann, bob):
        assignments.assign(session, document, coder, blind=True)
    ann_coding = make_coding(session, document, code, ann, quote="staff turnover")
    bob_coding = make_coding(session, document, code, bob, quote="The champion left")
    bob_memo = memo_service.create_memo(
        session,
        project,
        author_id=bob.id,
        document_id=document.id,
        text="Bob thinks this is turnover",
    )
    session.commit()
    return {
        "doc": document.id,
        "code": code.id,
        "ann_coding": ann_coding.id,
        "bob_coding": bob_coding.id,
        "bob_memo": bob_memo.id,
        "document": document,
        "users": {"ann": ann, "bob": bob},
        "as": {
            name: token_client(client, session, user)
            for name, user in (("ann", ann), ("bob", bob), ("carl", carl), ("olive", owner))
        },
    }


def coders_seen(call, doc: int) -> list[str]:
    data = call("get", f"/api/p/lpsa/documents/{doc}/codings").get_json()
    return sorted(c["coder"] for c in data["codings"])


def test_coding_blind_lists_only_the_coders_own_codings(blind):
    ann = blind["as"]["ann"]
    data = ann("get", f"/api/p/lpsa/documents/{blind['doc']}/codings").get_json()
    assert data["blind"] is True
    assert [c["coder"] for c in data["codings"]] == ["ann"]
    assert {u["username"] for u in data["coders"]} == {"ann"}
    bob_id = blind["users"]["bob"].id
    asked = ann("get", f"/api/p/lpsa/documents/{blind['doc']}/codings?coder={bob_id}")
    assert asked.get_json()["codings"] == []
    assert coders_seen(blind["as"]["bob"], blind["doc"]) == ["bob"]
    assert coders_seen(blind["as"]["olive"], blind["doc"]) == ["ann", "bob"]  # owners see all
    assert coders_seen(blind["as"]["carl"], blind["doc"]) == ["ann", "bob"]  # not blind-assigned


def test_coding_blind_other_coders_codings_cannot_be_reached_by_id(blind):
    ann, bob_coding = blind["as"]["ann"], blind["bob_coding"]
    assert ann("get", f"/api/p/lpsa/codings/{bob_coding}").status_code == 404
    assert (
        ann("patch", f"/api/p/lpsa/codings/{bob_coding}", {"start": 0, "end": 11}).status_code
        == 404
    )
    assert ann("delete", f"/api/p/lpsa/codings/{bob_coding}").status_code == 404
    assert (
        ann("post", "/api/p/lpsa/memos", {"coding_id": bob_coding, "text": "x"}).status_code == 404
    )
    assert ann("get", f"/api/p/lpsa/codings/{blind['ann_coding']}").status_code == 200


def test_coding_blind_memos_of_the_other_coder_stay_hidden(blind):
    ann = blind["as"]["ann"]
    listed = ann("get", f"/api/p/lpsa/memos?document_id={blind['doc']}").get_json()["memos"]
    assert listed == []
    assert ann("get", "/api/p/lpsa/memos?q=turnover").get_json()["memos"] == []
    assert ann("get", f"/api/p/lpsa/memos/{blind['bob_memo']}").status_code == 404
    carl = blind["as"]["carl"]
    assert len(carl("get", "/api/p/lpsa/memos?q=turnover").get_json()["memos"]) == 1


def test_coding_blind_counts_do_not_give_the_other_coder_away(blind):
    def count(name: str) -> int:
        codes = blind["as"][name]("get", "/api/p/lpsa/codebook").get_json()["codes"]
        return next(c["count"] for c in codes if c["id"] == blind["code"])

    assert (count("ann"), count("bob"), count("olive")) == (1, 1, 2)


def test_coding_blind_events_leave_out_the_other_coders_changes(blind, session):
    ann = blind["as"]["ann"]
    start = audit.latest_event_id(session, blind["document"].project_id)
    session.commit()
    bob = blind["as"]["bob"]
    bob(
        "post",
        f"/api/p/lpsa/documents/{blind['doc']}/codings",
        {"code_id": blind["code"], "start": 0, "end": 11},
    )
    bob("delete", f"/api/p/lpsa/codings/{blind['bob_coding']}")
    bob("post", "/api/p/lpsa/memos", {"document_id": blind["doc"], "text": "secret"})
    ann(
        "post",
        f"/api/p/lpsa/documents/{blind['doc']}/codings",
        {"code_id": blind["code"], "start": 0, "end": 11},
    )
    events = ann("get", f"/api/p/lpsa/events?after={start}&document_id={blind['doc']}").get_json()[
        "events"
    ]
    changes = [(e["type"], e["user"]) for e in events if e["type"] != "assignment"]
    assert changes == [("coding", "ann")]
    # progress is no secret: the page learns when the blind lifts
    assert {e["user"] for e in events if e["type"] == "assignment"} == {"ann", "bob"}
    # without naming the document, the same rule holds
    unnamed = ann("get", f"/api/p/lpsa/events?after={start}").get_json()["events"]
    assert [e["user"] for e in unnamed if e["type"] != "assignment"] == ["ann"]


def test_coding_blind_page_embeds_only_the_coders_own_codings(blind, client):
    from helpers import login

    login(client, "ann")
    html = client.get(f"/p/lpsa/documents/{blind['doc']}").get_data(as_text=True)
    state = json.loads(
        re.search(
            r'<script type="application/json" id="workbench-state">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert state["blind"] is True
    assert [c["coder"] for c in state["codings"]] == ["ann"]
    assert "Blind" in html


def test_coding_blind_lifts_when_every_blind_coder_is_done(blind):
    ann, bob = blind["as"]["ann"], blind["as"]["bob"]
    ann("post", f"/api/p/lpsa/documents/{blind['doc']}/done", {"done": True})
    assert coders_seen(ann, blind["doc"]) == ["ann"]  # bob is still coding
    bob("post", f"/api/p/lpsa/documents/{blind['doc']}/done", {"done": True})
    assert coders_seen(ann, blind["doc"]) == ["ann", "bob"]
    data = ann("get", f"/api/p/lpsa/documents/{blind['doc']}/codings").get_json()
    assert data["blind"] is False
