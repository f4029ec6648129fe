"""CSRF protection, security headers, and the sign-in rate limit."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from flask import Flask, Response, abort, current_app, g, request, session
from markupsafe import Markup

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_field() -> Markup:
    return Markup(f'<input type="hidden" name="csrf_token" value="{csrf_token()}">')


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or g.get("token_auth"):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        abort(
            400,
            description="the form has expired or did not come from this site (CSRF check "
            "failed); reload the page and try again",
        )


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or request.endpoint == "static":
        return response
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class RateLimiter:
    """Failed attempts per key within a sliding window (in-process; per worker)."""

    def __init__(self, limit: int, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            hits = self._prune(key)
            return len(hits) >= self.limit

    def hit(self, key: str) -> None:
        with self._lock:
            self._prune(key).append(time.monotonic())

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        cutoff = time.monotonic() - self.window
        while hits and hits[0] < cutoff:
            hits.popleft()
        return hits


def init_app(app: Flask) -> None:
    app.extensions["qualcode.login_limiter"] = RateLimiter(app.config["LOGIN_RATE_LIMIT"])
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals.update(
        csrf_token=csrf_token, csrf_field=csrf_field, current_app=current_app
    )
