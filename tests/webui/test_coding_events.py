"""Live updates: the events a workbench page polls, shaped as the changes it must apply."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.models import Role, User
from qualcode.services import assignments, audit
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import memos as memo_service
from qualcode.services import users as user_service
from qualcode.text.spans import Span

_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


def token_client(client, session, user: User):
    _, token = user_service.create_token(session, user, "tests")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def call(path: str) -> Any:
        return client.get(f"/api/p/lpsa{path}", headers=headers)

    return call


@pytest.fixture
def lpsa(session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    ann = member(session, project, Role.CODER, "ann")
    bob = member(session, project, Role.CODER, "bob")
    document = make_document(session, project)
    elsewhere = make_document(session, project)
    code = make_code(session, project, "Staff turnover")
    session.commit()
    start = audit.latest_event_id(session, project.id)
    session.commit()
    return {
        "owner": owner,
        "project": project,
        "ann": ann,
        "bob": bob,
        "doc": document,
        "elsewhere": elsewhere,
        "code": code,
        "start": start,
    }


def poll(call, lpsa, after: int | None = None) -> dict[str, Any]:
    after = lpsa["start"] if after is None else after
    response = call(f"/events?after={after}&document_id={lpsa['doc'].id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_coding_events_carry_codings_added_changed_and_removed(client, session, lpsa):
    ann = token_client(client, session, lpsa["ann"])
    coding = make_coding(session, lpsa["doc"], lpsa["code"], lpsa["bob"], quote="staff turnover")
    coding_id = coding.id
    make_coding(session, lpsa["elsewhere"], lpsa["code"], lpsa["bob"], quote="staff turnover")
    session.commit()
    data = poll(ann, lpsa)
    assert [e["type"] for e in data["events"]] == ["coding"]  # the other document's is left out
    event = data["events"][0]
    assert (event["user"], event["coding"]["id"], event["coding"]["coder"]) == (
        "bob",
        coding_id,
        "bob",
    )
    coding_service.update_coding(session, coding_id, actor_id=lpsa["bob"].id, span=Span(0, 11))
    session.commit()
    changed = poll(ann, lpsa, data["last_id"])
    assert changed["events"][0]["action"] == "coding.changed"
    assert changed["events"][0]["coding"]["quote"] == "Interviewer"
    coding_service.remove_coding(session, coding_id, actor_id=lpsa["bob"].id)
    session.commit()
    removed = poll(ann, lpsa, changed["last_id"])
    assert [(e["type"], e["coding_id"]) for e in removed["events"]] == [
        ("coding_removed", coding_id)
    ]
    # polled from the start again, the coding that no longer exists is only reported removed
    replay = poll(ann, lpsa)
    assert [e["type"] for e in replay["events"]] == ["coding_removed"]
    assert poll(ann, lpsa, removed["last_id"]) == {
        "events": [],
        "last_id": removed["last_id"],
        "more": False,
    }


def test_coding_events_memos_codebook_and_assignments(client, session, lpsa):
    ann = token_client(client, session, lpsa["ann"])
    memo = memo_service.create_memo(
        session, lpsa["project"], author_id=lpsa["bob"].id, text="hm", document_id=lpsa["doc"].id
    )
    memo_id = memo.id
    codebook_service.update_code(
        session, lpsa["code"], user_id=lpsa["owner"].id, definition="Key people leaving"
    )
    assignments.mark_done(session, lpsa["doc"], lpsa["bob"].id)
    memo_service.delete_memo(session, memo, actor_id=lpsa["bob"].id)
    session.commit()
    events = poll(ann, lpsa)["events"]
    assert [e["type"] for e in events] == ["memo_removed", "codebook", "assignment", "memo_removed"]
    assert events[2]["status"] == "done"
    assert events[2]["coder_id"] == lpsa["bob"].id
    assert events[3]["memo_id"] == memo_id


def test_coding_events_page_through_a_long_log(client, session, lpsa, monkeypatch):
    from webui.views import coding_events

    monkeypatch.setattr(coding_events, "PAGE", 2)
    ann = token_client(client, session, lpsa["ann"])
    for quote in ("Interviewer", "barriers", "targets"):
        make_coding(session, lpsa["doc"], lpsa["code"], lpsa["bob"], quote=quote)
    session.commit()
    first = poll(ann, lpsa)
    assert first["more"] is True
    assert len(first["events"]) == 2
    rest = poll(ann, lpsa, first["last_id"])
    assert rest["more"] is False
    assert len(rest["events"]) == 1


def test_coding_events_refuse_a_bad_cursor(client, session, lpsa):
    ann = token_client(client, session, lpsa["ann"])
    assert ann("/events?after=-1").status_code == 400
    assert ann("/events?document_id=x").status_code == 400


def test_coding_events_other_projects_do_not_leak(client, session, lpsa):
    ann = token_client(client, session, lpsa["ann"])
    other = make_project(session, "other", owner=lpsa["owner"])
    doc = make_document(session, other)
    make_coding(session, doc, make_code(session, other, "X"), lpsa["owner"], quote="targets")
    session.commit()
    assert ann(f"/events?after={lpsa['start']}").get_json()["events"] == []
