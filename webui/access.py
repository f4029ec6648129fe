"""Project-scoped routes: resolve ``<slug>``, check the role, set ``g.project`` and ``g.role``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g

from qualcode.models import Role
from qualcode.services import projects as project_service
from webui.auth import login_required
from webui.db import get_session


def project_route(needed: Role = Role.VIEWER) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view taking ``slug``: non-members get 404, too-low roles 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        @login_required
        def wrapped(slug: str, **kwargs: Any) -> Any:
            session = get_session()
            project = project_service.get_by_slug(session, slug)
            g.role = project_service.require_role(session, project, g.user, needed)
            g.project = project
            return view(slug=slug, **kwargs)

        wrapped.required_role = needed  # type: ignore[attr-defined]
        return wrapped

    return decorate


def can(role: Role) -> bool:
    current: Role | None = g.get("role")
    return current is not None and current.at_least(role)
