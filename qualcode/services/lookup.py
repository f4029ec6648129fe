"""Fetching rows by id with a domain error instead of ``None``."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from qualcode.errors import NotFound

T = TypeVar("T")


def get_or_raise(
    session: Session, model: type[T], ident: Any, *, project_id: int | None = None
) -> T:
    """Return the row or raise ``NotFound``; with ``project_id``, rows of other projects are
    reported as missing too (no information leaks across projects)."""
    obj = session.get(model, ident) if ident is not None else None
    if obj is None or (
        project_id is not None and getattr(obj, "project_id", project_id) != project_id
    ):
        raise NotFound(f"no {_label(model)} with id {ident}")
    return obj


def _label(model: type[Any]) -> str:
    name = getattr(model, "__tablename__", model.__name__)
    return str(name).replace("_", " ")
