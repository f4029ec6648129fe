"""Walk every route in the URL map: anonymous requests are refused, non-members see nothing,
roles below a route's minimum are refused, and ids of another project's objects are not found."""

from __future__ import annotations

import re

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login

from qualcode.models import Memo, Role

PUBLIC = {"static", "auth.login", "auth.setup", "auth.logout"}
ROLE_BELOW = {
    Role.VIEWER: None,
    Role.CODER: Role.VIEWER,
    Role.LEAD: Role.CODER,
    Role.OWNER: Role.LEAD,
}


@pytest.fixture
def world(session):
    owner = make_user(session, "owner")
    project = make_project(session, "mine", owner=owner)
    users = {
        role: member(session, project, role, f"{role.value}-user")
        for role in (Role.LEAD, Role.CODER, Role.VIEWER)
    }
    doc = make_document(session, project, case="Case A")
    code = make_code(session, project, "Mine")
    make_coding(session, doc, code, owner, quote="staff turnover")
    # another project's objects, for the IDOR checks
    other_owner = make_user(session, "intruder-target")
    other = make_project(session, "theirs", owner=other_owner)
    odoc = make_document(session, other, case="Case B")
    ocode = make_code(session, other, "Theirs")
    ocoding = make_coding(session, odoc, ocode, other_owner, quote="staff turnover")
    memo = Memo(project_id=other.id, author_id=other_owner.id, text="theirs", document_id=odoc.id)
    session.add(memo)
    make_user(session, "stranger")
    session.commit()
    foreign = {
        "document_id": odoc.id,
        "code_id": ocode.id,
        "coding_id": ocoding.id,
        "memo_id": memo.id,
        "case_id": odoc.case_id,
    }
    return {"users": users, "foreign": foreign}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, values) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(values.get(arg, 999999)), url)
    return url


def _call(client, method, url, token=None):
    headers = {"X-CSRF-Token": token} if token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, json={}, headers=headers)


def test_routes_anonymous_requests_are_refused(app, client, world):
    for rule, method in _routes(app):
        url = _url(rule, {"slug": "mine"})
        response = _call(client, method, url)
        assert response.status_code in (302, 400, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], (method, url)


def test_routes_non_members_see_nothing_of_a_project(app, client, world):
    token = login(client, "stranger")
    for rule, method in _routes(app):
        if "slug" not in rule.arguments:
            continue
        url = _url(rule, {"slug": "mine"})
        response = _call(client, method, url, token)
        assert response.status_code == 404, (method, url, response.status_code)


def test_routes_roles_below_the_minimum_are_refused(app, world):
    clients = {}
    for rule, method in _routes(app):
        needed = getattr(app.view_functions[rule.endpoint], "required_role", None)
        below = ROLE_BELOW.get(needed) if needed else None
        if below is None:
            continue
        if below not in clients:
            client = app.test_client()
            clients[below] = (client, login(client, f"{below.value}-user"))
        client, token = clients[below]
        url = _url(rule, {"slug": "mine"})
        response = _call(client, method, url, token)
        assert response.status_code == 403, (method, url, below, response.status_code)


def test_routes_ids_of_another_project_are_not_found(app, client, world):
    token = login(client, "owner")
    for rule, method in _routes(app):
        ids = [a for a in rule.arguments if a.endswith("_id")]
        if "slug" not in rule.arguments or not ids:
            continue
        url = _url(rule, {"slug": "mine", **world["foreign"]})
        response = _call(client, method, url, token)
        assert response.status_code in (400, 404), (method, url, response.status_code)
        assert b"theirs" not in response.data, (method, url)
