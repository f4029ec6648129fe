"""Sign-in, sign-out, first-run setup, the account page and API tokens; ``g.user``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from qualcode.models import User
from qualcode.services import users as user_service
from webui.db import get_session

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    app.before_request(load_user)
    app.register_blueprint(bp)


def load_user() -> None:
    g.user = None
    g.token_auth = False
    header = request.headers.get("Authorization", "")
    db = get_session()
    if header.startswith("Bearer "):
        user = user_service.user_for_token(db, header[7:].strip())
        if user is not None:
            try:
                db.commit()  # last_used_at; best effort, never worth failing a request over
            except OperationalError:
                db.rollback()
                user = user_service.user_for_token(db, header[7:].strip())
            g.user, g.token_auth = user, True
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = db.get(User, user_id)
        if user is not None and user.active and session.get("pw") == _pw_marker(user):
            g.user = user
        else:
            session.clear()


def _pw_marker(user: User) -> str:
    # Changing the password invalidates every other session of that user.
    return (user.password_hash or "")[-16:]


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user is None:
            if request.path.startswith("/api/"):
                return {"error": "sign in or send an API token", "status": 401}, 401
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("projects.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    db = get_session()
    if user_service.count_users(db) == 0:
        return redirect(url_for("auth.setup"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        limiter = current_app.extensions["qualcode.login_limiter"]
        key = f"{request.remote_addr}|{username.lower()}"
        if limiter.blocked(key):
            error = "Too many failed attempts. Wait a few minutes and try again."
        else:
            user = user_service.authenticate(db, username, password)
            if user is None:
                limiter.hit(key)
                error = "Wrong user name or password."
            else:
                limiter.reset(key)
                db.commit()
                _start_session(user)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), (
        429 if error and "Too many" in error else 200
    )


def _start_session(user: User) -> None:
    session.clear()  # a fresh session on sign-in: no fixation
    session["user_id"] = user.id
    session["pw"] = _pw_marker(user)
    session.permanent = False


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str:
    """First run: no accounts yet, so ask for the first (administrator) account."""
    db = get_session()
    if user_service.count_users(db) > 0:
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            error = "The passwords do not match."
        else:
            from qualcode.errors import QualcodeError

            try:
                user = user_service.create_user(
                    db,
                    request.form.get("username", "").strip(),
                    password=password,
                    display_name=request.form.get("display_name", ""),
                    is_admin=True,
                )
                db.commit()
            except QualcodeError as exc:
                db.rollback()
                error = str(exc)
            else:
                _start_session(user)
                return redirect(url_for("projects.index"))
    return render_template("auth/setup.html", error=error)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    db = get_session()
    new_token = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "token":
            _, new_token = user_service.create_token(db, g.user, request.form.get("name", ""))
            db.commit()
        elif action == "revoke":
            user_service.revoke_token(db, g.user, int(request.form.get("token_id", "0")))
            db.commit()
            flash("Token revoked.")
            return redirect(url_for("auth.account"))
        elif action == "password":
            if (
                user_service.authenticate(db, g.user.username, request.form.get("current", ""))
                is None
            ):
                flash("The current password is wrong.")
            else:
                user_service.set_password(db, g.user, request.form.get("password", ""))
                db.commit()
                _start_session(g.user)
                flash("Password changed.")
            return redirect(url_for("auth.account"))
    tokens = [t for t in g.user.tokens if t.revoked_at is None]
    return render_template("auth/account.html", tokens=tokens, new_token=new_token)
