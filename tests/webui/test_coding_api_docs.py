"""The API documentation lists every /api/ route, and its workbench examples really work."""

from __future__ import annotations

import functools
import html

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login

from qualcode.models import Role
from qualcode.services import audit
from qualcode.services import memos as memo_service
from qualcode.services import users as user_service
from webui.views.api_docs import EXAMPLES, example_path, filled

_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


def test_coding_api_docs_list_every_api_route(app, client, session):
    make_user(session, "ruth")
    session.commit()
    assert client.get("/api/docs").status_code == 302  # a page for people: sign in first
    login(client, "ruth")
    page = html.unescape(client.get("/api/docs").get_data(as_text=True))
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api_docs.index":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert f'id="{rule.endpoint}-{method.lower()}"' in page, (method, rule.rule)
    assert "Authorization: Bearer $QUALCODE_TOKEN" in page
    assert "-X POST" in page
    assert '"code_id": 5' in page


def test_coding_api_docs_examples_work_against_a_real_app(app, client, session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    member(session, project, Role.CODER, "rokafor")
    document = make_document(session, project)
    code = make_code(session, project, "Staff turnover")
    other = make_code(session, project, "Funding")
    coding = make_coding(session, document, code, owner, quote="staff turnover")
    memo = memo_service.create_memo(
        session, project, author_id=owner.id, text="x", document_id=document.id
    )
    _, token = user_service.create_token(session, owner, "docs")
    ids = {
        "slug": "lpsa",
        "document_id": document.id,
        "code_id": code.id,
        "other_code_id": other.id,
        "coding_id": coding.id,
        "memo_id": memo.id,
        "after": audit.latest_event_id(session, project.id) - 3,
    }
    session.commit()
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    headers = {"Authorization": f"Bearer {token}"}
    order = sorted(EXAMPLES, key=lambda e: e.method == "DELETE")  # deletes last
    for example in order:
        path = example_path(rules[example.endpoint], example, ids)
        body = filled(example.body, ids)
        if body and "start" in body:  # the documented offsets fit the documentation's text
            body.update(start=0, end=11)
        response = client.open(path, method=example.method, headers=headers, json=body)
        assert response.status_code in (200, 201), (example.endpoint, response.get_json())
        answer = response.get_json()
        documented = filled(example.answer, ids)
        assert set(documented) <= set(answer), (example.endpoint, set(documented) - set(answer))
