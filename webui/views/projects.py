"""Project list, creation, overview and members."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from qualcode.errors import QualcodeError
from qualcode.models import Role
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from webui.access import project_route
from webui.auth import login_required
from webui.db import get_session

bp = Blueprint("projects", __name__)


@bp.get("/")
@login_required
def index() -> str:
    session = get_session()
    projects = project_service.list_projects(session, g.user)
    counts = project_service.document_counts(session)
    return render_template("projects/index.html", projects=projects, counts=counts)


@bp.post("/projects")
@login_required
def create() -> Response:
    session = get_session()
    try:
        project = project_service.create_project(
            session,
            request.form.get("slug", "").strip(),
            title=request.form.get("title"),
            description=request.form.get("description", ""),
            owner=g.user,
        )
        if request.form.get("codebook") == "default":
            from qualcode.interop.codebook_files import default_codebook_path, read_codebook
            from qualcode.services.codebook_io import import_spec

            import_spec(session, project, read_codebook(default_codebook_path()), user_id=g.user.id)
        session.commit()
    except QualcodeError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("projects.index"))
    return redirect(url_for("documents.index", slug=project.slug))


@bp.route("/p/<slug>/members", methods=["GET", "POST"])
@project_route(Role.VIEWER)
def members(slug: str) -> Response | str:
    session = get_session()
    if request.method == "POST":
        project_service.require_role(session, g.project, g.user, Role.OWNER)
        username = request.form.get("username", "").strip()
        try:
            user = user_service.require_user(session, username)
            if request.form.get("action") == "remove":
                project_service.remove_member(session, g.project, user, actor_id=g.user.id)
            else:
                project_service.add_member(
                    session,
                    g.project,
                    user,
                    Role(request.form.get("role", "coder")),
                    actor_id=g.user.id,
                )
            session.commit()
        except (QualcodeError, ValueError) as exc:
            session.rollback()
            flash(str(exc), "error")
        return redirect(url_for("projects.members", slug=slug))
    rows = project_service.members(session, g.project)
    return render_template(
        "projects/members.html",
        members=rows,
        roles=[r.value for r in Role],
        cases=document_service.list_cases(session, g.project),
    )
