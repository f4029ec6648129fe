"""Every workbench route refuses the anonymous, the wrong role, other projects' objects and
writes without the CSRF token; the table below must name every route of the blueprint."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import csrf, login

from qualcode.models import Role, User
from qualcode.services import memos as memo_service
from qualcode.services import users as user_service

_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    """Hash the shared test password once, not once per user (argon2 is slow on purpose)."""
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


@dataclass
class World:
    ids: dict[str, int]

    def fill(self, template: str) -> str:
        return template.format(**self.ids)


@pytest.fixture
def world(session) -> World:
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    coder = member(session, project, Role.CODER, "cora")
    member(session, project, Role.VIEWER, "vic")
    make_user(session, "stranger")
    document = make_document(session, project)
    code = make_code(session, project, "Staff turnover")
    coding = make_coding(session, document, code, coder, quote="staff turnover")
    memo = memo_service.create_memo(
        session, project, author_id=coder.id, text="note", document_id=document.id
    )
    other = make_project(session, "other", owner=owner)
    other_document = make_document(session, other)
    other_code = make_code(session, other, "Elsewhere")
    other_coding = make_coding(session, other_document, other_code, owner, quote="staff turnover")
    other_memo = memo_service.create_memo(session, other, author_id=owner.id, text="theirs")
    session.commit()
    return World(
        {
            "doc": document.id,
            "code": code.id,
            "coding": coding.id,
            "memo": memo.id,
            "other_doc": other_document.id,
            "other_code": other_code.id,
            "other_coding": other_coding.id,
            "other_memo": other_memo.id,
        }
    )


# (endpoint, method, path, role needed, JSON body, the same call aimed at another project's object)
ROUTES: list[tuple[str, str, str, Role, dict[str, Any] | None, str | None]] = [
    (
        "coding.workbench",
        "get",
        "/p/lpsa/documents/{doc}",
        Role.VIEWER,
        None,
        "/p/lpsa/documents/{other_doc}",
    ),
    (
        "coding.document_api",
        "get",
        "/api/p/lpsa/documents/{doc}",
        Role.VIEWER,
        None,
        "/api/p/lpsa/documents/{other_doc}",
    ),
    (
        "coding.list_codings",
        "get",
        "/api/p/lpsa/documents/{doc}/codings",
        Role.VIEWER,
        None,
        "/api/p/lpsa/documents/{other_doc}/codings",
    ),
    (
        "coding.create_coding",
        "post",
        "/api/p/lpsa/documents/{doc}/codings",
        Role.CODER,
        {"code_id": "{code}", "start": 0, "end": 11},
        "/api/p/lpsa/documents/{other_doc}/codings",
    ),
    (
        "coding.get_coding",
        "get",
        "/api/p/lpsa/codings/{coding}",
        Role.VIEWER,
        None,
        "/api/p/lpsa/codings/{other_coding}",
    ),
    (
        "coding.update_coding",
        "patch",
        "/api/p/lpsa/codings/{coding}",
        Role.CODER,
        {"start": 0, "end": 11},
        "/api/p/lpsa/codings/{other_coding}",
    ),
    (
        "coding.delete_coding",
        "delete",
        "/api/p/lpsa/codings/{coding}",
        Role.CODER,
        None,
        "/api/p/lpsa/codings/{other_coding}",
    ),
    ("coding.codebook", "get", "/api/p/lpsa/codebook", Role.VIEWER, None, None),
    (
        "coding.mark_done",
        "post",
        "/api/p/lpsa/documents/{doc}/done",
        Role.CODER,
        {"done": True},
        "/api/p/lpsa/documents/{other_doc}/done",
    ),
    (
        "coding.list_assignments",
        "get",
        "/api/p/lpsa/documents/{doc}/assignments",
        Role.VIEWER,
        None,
        "/api/p/lpsa/documents/{other_doc}/assignments",
    ),
    (
        "coding.create_assignment",
        "post",
        "/api/p/lpsa/documents/{doc}/assignments",
        Role.LEAD,
        {"coder": "cora", "blind": True},
        "/api/p/lpsa/documents/{other_doc}/assignments",
    ),
    (
        "coding.list_memos",
        "get",
        "/api/p/lpsa/memos",
        Role.VIEWER,
        None,
        "/api/p/lpsa/memos?document_id={other_doc}",
    ),
    (
        "coding.create_memo",
        "post",
        "/api/p/lpsa/memos",
        Role.CODER,
        {"text": "a memo", "document_id": "{doc}"},
        None,
    ),
    (
        "coding.get_memo",
        "get",
        "/api/p/lpsa/memos/{memo}",
        Role.VIEWER,
        None,
        "/api/p/lpsa/memos/{other_memo}",
    ),
    (
        "coding.update_memo",
        "patch",
        "/api/p/lpsa/memos/{memo}",
        Role.CODER,
        {"text": "new"},
        "/api/p/lpsa/memos/{other_memo}",
    ),
    (
        "coding.delete_memo",
        "delete",
        "/api/p/lpsa/memos/{memo}",
        Role.CODER,
        None,
        "/api/p/lpsa/memos/{other_memo}",
    ),
    (
        "coding.events",
        "get",
        "/api/p/lpsa/events?after=0",
        Role.VIEWER,
        None,
        "/api/p/lpsa/events?document_id={other_doc}",
    ),
]
WHO = {Role.VIEWER: "vic", Role.CODER: "cora", Role.LEAD: "olive", Role.OWNER: "olive"}
BELOW = {Role.VIEWER: "stranger", Role.CODER: "vic", Role.LEAD: "cora"}


def _body(world: World, body: dict[str, Any] | None) -> dict[str, Any] | None:
    if body is None:
        return None
    return {
        k: int(world.fill(v)) if isinstance(v, str) and v.startswith("{") else v
        for k, v in body.items()
    }


def _call(client, method: str, path: str, body: dict[str, Any] | None, token: str | None):
    headers = {"X-CSRF-Token": token} if token else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(path, **kwargs)


def _check(
    client, world: World, routes, who, expected, *, path_index: int = 2, with_csrf: bool = True
) -> list[str]:
    """Call each route as ``who(role)`` (None: anonymous); list the unexpected answers."""
    failures, signed_in = [], None
    for route in routes:
        endpoint, method, _path, role, body, _other = route
        user = who(role)
        if user != signed_in:
            client.post("/logout", data={"csrf_token": csrf(client)})
            if user:
                login(client, user)
            signed_in = user
        token = csrf(client) if (user and with_csrf) else None
        response = _call(client, method, world.fill(route[path_index]), _body(world, body), token)
        want = expected(route)
        if response.status_code not in want:
            failures.append(
                f"{endpoint} as {user}: {response.status_code} (wanted {want}) "
                f"{response.get_data(as_text=True)[:200]}"
            )
    return failures


def test_coding_access_table_names_every_route(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("coding.")
    }
    assert endpoints == {row[0] for row in ROUTES}


def test_coding_access_anonymous_is_refused(client, world):
    def expected(route):
        if not route[2].startswith("/api/"):
            return {302}
        return {401} if route[1] == "get" else {400}  # writes fail the CSRF check first

    assert not _check(client, world, ROUTES, lambda role: None, expected)
    response = client.get(world.fill("/api/p/lpsa/documents/{doc}/codings"))
    assert "sign in" in response.get_json()["error"]


def test_coding_access_role_below_is_refused(client, world):
    # a non-member does not even learn that the project exists
    routes = sorted(ROUTES, key=lambda r: BELOW[r[3]])
    failures = _check(
        client,
        world,
        routes,
        lambda role: BELOW[role],
        lambda r: {404} if r[3] is Role.VIEWER else {403},
    )
    assert not failures, "\n".join(failures)


def test_coding_access_other_projects_objects_are_not_found(client, world):
    routes = sorted((r for r in ROUTES if r[5]), key=lambda r: WHO[r[3]])
    failures = _check(client, world, routes, lambda role: WHO[role], lambda r: {404}, path_index=5)
    assert not failures, "\n".join(failures)


def test_coding_access_writes_without_csrf_token_are_refused(client, world):
    routes = sorted((r for r in ROUTES if r[1] != "get"), key=lambda r: WHO[r[3]])
    failures = _check(
        client, world, routes, lambda role: WHO[role], lambda r: {400}, with_csrf=False
    )
    assert not failures, "\n".join(failures)
    assert "CSRF" in client.delete(world.fill("/api/p/lpsa/codings/{coding}")).get_json()["error"]


def test_coding_access_the_right_role_succeeds(client, world):
    routes = sorted(ROUTES, key=lambda r: r[3].rank)  # stable: reads, then updates, then deletes
    failures = _check(client, world, routes, lambda role: WHO[role], lambda r: {200, 201})
    assert not failures, "\n".join(failures)


def test_coding_access_api_token_works_without_csrf(client, session, world):
    from qualcode.services.users import create_token, get_user

    user = get_user(session, "cora")
    assert isinstance(user, User)
    _, token = create_token(session, user, "script")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        world.fill("/api/p/lpsa/documents/{doc}/codings"),
        headers=headers,
        json={"code_id": world.ids["code"], "start": 0, "end": 11},
    )
    assert response.status_code == 201
    assert response.get_json()["coder"] == "cora"
