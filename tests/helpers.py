"""Test helpers: signing in through the real login form, CSRF-aware requests."""

from __future__ import annotations

import re
from typing import Any

from factories import PASSWORD


def csrf(client: Any, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token for later writes."""
    token = csrf(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf(client, "/")


def post_json(
    client: Any, path: str, token: str, payload: dict[str, Any] | None = None, method: str = "post"
) -> Any:
    return getattr(client, method)(path, json=payload or {}, headers={"X-CSRF-Token": token})
