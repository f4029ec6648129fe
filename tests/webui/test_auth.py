"""Sign-in, first-run setup, sessions, CSRF, rate limit and security headers over real HTTP."""

from __future__ import annotations

from factories import PASSWORD, make_project, make_user
from helpers import csrf, login

from qualcode.models import Role
from qualcode.services import projects as project_service


def test_auth_fresh_install_asks_for_first_account(client, session):
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")
    token = csrf(client, "/setup")
    response = client.post(
        "/setup",
        data={
            "username": "ada",
            "password": "long-enough-1",
            "confirm": "long-enough-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    from qualcode.services.users import get_user

    session.expire_all()
    assert get_user(session, "ada").is_admin
    assert client.get("/setup").status_code == 302  # only once


def test_auth_sign_in_shows_projects_and_documents(client, session):
    user = make_user(session, "ruth")
    project = make_project(session, "lpsa", title="LPSA evaluation", owner=user)
    session.commit()
    assert client.get("/").status_code == 302  # anonymous → login
    login(client, "ruth")
    page = client.get("/").get_data(as_text=True)
    assert "LPSA evaluation" in page
    assert client.get(f"/p/{project.slug}/").status_code == 200


def test_auth_wrong_password_and_rate_limit(app, client, session):
    make_user(session, "ruth")
    session.commit()
    token = csrf(client)
    for _ in range(app.config["LOGIN_RATE_LIMIT"]):
        r = client.post(
            "/login", data={"username": "ruth", "password": "nope", "csrf_token": token}
        )
        assert r.status_code == 200
        assert "Wrong user name or password" in r.get_data(as_text=True)
    r = client.post("/login", data={"username": "ruth", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429


def test_auth_session_is_renewed_on_sign_in(client, session):
    make_user(session, "ruth")
    session.commit()
    before = csrf(client)
    after = login(client, "ruth")
    assert before != after  # the pre-login session (and its token) is discarded


def test_auth_post_without_csrf_is_refused(client, session):
    make_user(session, "ruth")
    session.commit()
    login(client, "ruth")
    r = client.post("/projects", data={"slug": "x"})
    assert r.status_code == 400
    assert "CSRF" in r.get_data(as_text=True)


def test_auth_non_member_gets_404_viewer_cannot_manage_members(client, session):
    owner, viewer, stranger = (make_user(session, n) for n in ("own", "view", "other"))
    project = make_project(session, "lpsa", owner=owner)
    project_service.add_member(session, project, viewer, Role.VIEWER)
    session.commit()
    login(client, "other")
    assert client.get("/p/lpsa/").status_code == 404
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    token = login(client, "view")
    r = client.post(
        "/p/lpsa/members", data={"username": "other", "role": "lead", "csrf_token": token}
    )
    assert r.status_code == 403


def test_auth_security_headers_and_cookie_flags(client, session):
    make_user(session, "ruth")
    session.commit()
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_auth_api_token_authenticates_without_csrf(client, session):
    from qualcode.services.users import create_token, revoke_token

    user = make_user(session, "ruth")
    make_project(session, "lpsa", owner=user)
    row, token = create_token(session, user, "script")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/p/lpsa/", headers=headers).status_code == 200
    revoke_token(session, user, row.id)
    session.commit()
    assert client.get("/p/lpsa/", headers=headers).status_code == 302
