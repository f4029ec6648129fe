"""Projects and memberships; the role check every route and command goes through."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from qualcode.models import Document, Membership, Project, Role, User
from qualcode.services import audit

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def create_project(
    session: Session,
    slug: str,
    *,
    title: str | None = None,
    description: str = "",
    owner: User | None = None,
    settings: dict[str, Any] | None = None,
) -> Project:
    if not SLUG.match(slug):
        raise InvalidInput(f"invalid project name {slug!r}: use lower-case letters, digits and '-'")
    if session.scalar(select(Project).where(Project.slug == slug)):
        raise Conflict(f"a project named {slug} already exists")
    project = Project(
        slug=slug, title=title or slug, description=description, settings=settings or {}
    )
    session.add(project)
    session.flush()
    audit.record(
        session,
        "project.created",
        project,
        project_id=project.id,
        user_id=owner.id if owner else None,
        detail={"slug": slug},
    )
    if owner is not None:
        add_member(session, project, owner, Role.OWNER, actor_id=owner.id)
    return project


def get_by_slug(session: Session, slug: str) -> Project:
    project = session.scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise NotFound(f"no project named {slug}")
    return project


def list_projects(session: Session, user: User | None = None) -> Sequence[Project]:
    """All projects, or those ``user`` belongs to (admins see all)."""
    stmt = select(Project).order_by(Project.slug)
    if user is not None and not user.is_admin:
        stmt = stmt.join(Membership).where(Membership.user_id == user.id)
    return session.scalars(stmt).all()


def document_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Document.project_id, func.count())
        .where(Document.is_current.is_(True))
        .group_by(Document.project_id)
    )
    return {pid: n for pid, n in rows}


def add_member(
    session: Session, project: Project, user: User, role: Role | str, *, actor_id: int | None = None
) -> Membership:
    role = Role(role)
    membership = session.scalar(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(project_id=project.id, user_id=user.id, role=role)
        session.add(membership)
    else:
        membership.role = role
    session.flush()
    audit.record(
        session,
        "member.set",
        membership,
        project_id=project.id,
        user_id=actor_id,
        detail={"user": user.username, "role": role.value},
    )
    return membership


def remove_member(session: Session, project: Project, user: User, *, actor_id: int | None) -> None:
    membership = session.scalar(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == user.id)
    )
    if membership is None:
        raise NotFound(f"{user.username} is not a member of {project.slug}")
    if membership.role is Role.OWNER and len(owners(session, project)) == 1:
        raise Conflict("a project needs at least one owner")
    session.delete(membership)
    audit.record(
        session,
        "member.removed",
        project,
        project_id=project.id,
        user_id=actor_id,
        detail={"user": user.username},
    )
    session.flush()


def owners(session: Session, project: Project) -> Sequence[Membership]:
    return session.scalars(
        select(Membership).where(Membership.project_id == project.id, Membership.role == Role.OWNER)
    ).all()


def members(session: Session, project: Project) -> Sequence[Membership]:
    return session.scalars(
        select(Membership)
        .join(User)
        .where(Membership.project_id == project.id)
        .order_by(User.username)
    ).all()


def role_of(session: Session, project: Project, user: User | None) -> Role | None:
    if user is None:
        return None
    if user.is_admin:
        return Role.OWNER
    return session.scalar(
        select(Membership.role).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )


def require_role(session: Session, project: Project, user: User | None, needed: Role) -> Role:
    """The user's role if it is at least ``needed``; otherwise ``PermissionDenied`` (or
    ``NotFound`` for non-members, so projects one cannot see do not reveal themselves)."""
    role = role_of(session, project, user)
    if role is None:
        raise NotFound(f"no project named {project.slug}")
    if not role.at_least(needed):
        raise PermissionDenied(f"this needs the {needed.value} role on {project.slug}")
    return role
