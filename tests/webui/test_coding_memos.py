"""Memos through the workbench API: on a span, a document, a code or a coding; listed,
searched, edited and deleted by their author (or a lead)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.models import Memo, Role, User
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
        return getattr(client, method)(f"/api/p/lpsa{path}", **kwargs)

    return call


@pytest.fixture
def lpsa(session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    coder = member(session, project, Role.CODER, "cora")
    colleague = member(session, project, Role.CODER, "cole")
    document = make_document(
        session,
        project,
        turns=[
            ("Interviewer", "Why 🙂 did it stall?"),
            ("Jane Smith", "The champion left in May."),
        ],
    )
    code = make_code(session, project, "Staff turnover")
    session.commit()
    return {
        "owner": owner,
        "coder": coder,
        "colleague": colleague,
        "doc": document,
        "code": code,
        "project": project,
    }


@pytest.fixture
def cora(client, session, lpsa):
    return token_client(client, session, lpsa["coder"])


def test_coding_memos_on_a_span_measured_in_utf16(cora, lpsa):
    text = lpsa["doc"].text
    start = text.index("did it stall")
    start16 = len(text[:start].encode("utf-16-le")) // 2
    memo = cora(
        "post",
        "/memos",
        {
            "text": "Stalling theme",
            "document_id": lpsa["doc"].id,
            "start16": start16,
            "end16": start16 + 12,
        },
    ).get_json()
    assert (memo["start"], memo["end"], memo["quote"]) == (start, start + 12, "did it stall")
    assert memo["author"] == "cora"
    assert memo["created"].endswith("Z")


def test_coding_memos_on_a_document_a_code_and_a_coding(cora, lpsa, session):
    coding = make_coding(session, lpsa["doc"], lpsa["code"], lpsa["coder"], quote="champion")
    session.commit()
    on_doc = cora(
        "post",
        "/memos",
        {"text": "Good interview", "title": "Overall", "document_id": lpsa["doc"].id},
    ).get_json()
    on_code = cora(
        "post", "/memos", {"text": "Definition too wide?", "code_id": lpsa["code"].id}
    ).get_json()
    on_coding = cora("post", "/memos", {"text": "Borderline", "coding_id": coding.id}).get_json()
    assert on_doc["title"] == "Overall"
    assert on_doc["start"] is None
    assert on_code["code_id"] == lpsa["code"].id
    assert on_code["document_id"] is None
    assert on_coding["document_id"] == lpsa["doc"].id  # found through the coding
    listed = cora("get", f"/memos?document_id={lpsa['doc'].id}").get_json()["memos"]
    assert {m["id"] for m in listed} == {on_doc["id"], on_coding["id"]}
    by_code = cora("get", f"/memos?code_id={lpsa['code'].id}").get_json()["memos"]
    assert [m["id"] for m in by_code] == [on_code["id"]]


def test_coding_memos_search_the_project(cora, lpsa):
    cora("post", "/memos", {"text": "Pump-priming grant mattered", "document_id": lpsa["doc"].id})
    cora("post", "/memos", {"text": "Nothing here", "title": "Misc"})
    found = cora("get", "/memos?q=PUMP").get_json()["memos"]
    assert [m["text"] for m in found] == ["Pump-priming grant mattered"]
    assert cora("get", "/memos?q=misc").get_json()["memos"][0]["title"] == "Misc"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": "  "}, 400, "needs some text"),
        ({"text": 5}, 400, "text must be text"),
        ({"text": "x", "start": 0, "end": 3}, 400, "needs its document_id"),
        ({"text": "x", "document_id": 9999}, 404, "no document"),
        ({"text": "x" * 100_001}, 400, "too long"),
    ],
)
def test_coding_memos_refuse_bad_input(cora, body, status, message):
    response = cora("post", "/memos", body)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_coding_memos_other_projects_code_is_not_found(cora, lpsa, session):
    other = make_project(session, "other", owner=lpsa["owner"])
    elsewhere_code = make_code(session, other, "Elsewhere")
    elsewhere_doc = make_document(session, other)
    session.commit()
    assert cora("post", "/memos", {"text": "x", "code_id": elsewhere_code.id}).status_code == 404
    assert cora("post", "/memos", {"text": "x", "document_id": elsewhere_doc.id}).status_code == 404


def test_coding_memos_edit_and_delete_own_only_leads_any(client, cora, lpsa, session):
    memo = cora("post", "/memos", {"text": "first draft", "document_id": lpsa["doc"].id}).get_json()
    edited = cora("patch", f"/memos/{memo['id']}", {"text": "second draft", "title": "T"})
    assert (edited.get_json()["text"], edited.get_json()["title"]) == ("second draft", "T")
    assert cora("patch", f"/memos/{memo['id']}", {}).status_code == 400
    cole = token_client(client, session, lpsa["colleague"])
    assert cole("patch", f"/memos/{memo['id']}", {"text": "mine now"}).status_code == 403
    assert cole("delete", f"/memos/{memo['id']}").status_code == 403
    olive = token_client(client, session, lpsa["owner"])
    assert olive("delete", f"/memos/{memo['id']}").get_json() == {"removed": memo["id"]}
    assert session.get(Memo, memo["id"]) is None
    session.commit()  # end the read: SQLite writers (and the app) start BEGIN IMMEDIATE
    assert cora("get", f"/memos/{memo['id']}").status_code == 404
