"""The audit trail: every change a service makes is recorded as an ``Event``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.models import Event


def record(
    session: Session,
    action: str,
    entity: Any = None,
    *,
    project_id: int | None = None,
    user_id: int | None = None,
    entity_type: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Add an audit event for ``entity`` (a model instance, flushed so it has an id)."""
    if entity is not None and getattr(entity, "id", None) is None:
        session.flush()
    event = Event(
        project_id=project_id if project_id is not None else getattr(entity, "project_id", None),
        user_id=user_id,
        action=action,
        entity_type=entity_type
        or (getattr(entity, "__tablename__", "") if entity is not None else ""),
        entity_id=getattr(entity, "id", None),
        detail=detail or {},
    )
    session.add(event)
    return event


def events_since(
    session: Session, project_id: int, after_id: int = 0, limit: int = 500
) -> Sequence[Event]:
    stmt = (
        select(Event)
        .where(Event.project_id == project_id, Event.id > after_id)
        .order_by(Event.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def latest_event_id(session: Session, project_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.max(Event.id)).where(Event.project_id == project_id)) or 0
