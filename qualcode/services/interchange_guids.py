"""Keeping an imported file's GUIDs on the rows made from it, where they are still free.

Every ``guid`` column is unique across the database, so the GUID of an object imported twice
(one file loaded into two projects) can only be kept once: the second row keeps the fresh
uuid4 it was created with, and the import report says how many GUIDs were replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.interop.snapshot import ProjectSnapshot
from qualcode.models import AttributeDef, Case, Coding, Document, Memo, User

T = TypeVar("T")
_CHUNK = 500
_MAX_LENGTH = 64  # the guid columns' length


def _candidates(snapshot: ProjectSnapshot) -> dict[type[Any], set[str]]:
    return {
        User: {user.guid for user in snapshot.users},
        Document: {source.guid for source in snapshot.sources},
        Case: {case.guid for case in snapshot.cases},
        AttributeDef: {var.guid for var in snapshot.variables},
        Coding: {c.guid for selection in snapshot.selections for c in selection.codings},
        Memo: {note.guid for note in snapshot.notes},
    }


class GuidPool:
    """Which of a snapshot's GUIDs are already taken, per model, queried in a few batches."""

    def __init__(self, session: Session, snapshot: ProjectSnapshot) -> None:
        self.session = session
        self._candidates = _candidates(snapshot)
        self._taken: dict[type[Any], set[str]] = {}
        self.replaced = 0

    def _taken_of(self, model: type[Any]) -> set[str]:
        if model not in self._taken:
            wanted = sorted(g for g in self._candidates.get(model, ()) if _storable(g))
            taken: set[str] = set()
            for chunk in _chunks(wanted):
                taken.update(self.session.scalars(select(model.guid).where(model.guid.in_(chunk))))
            self._taken[model] = taken
        return self._taken[model]

    def owner(self, model: type[T], guid: str) -> T | None:
        """The row of ``model`` that already carries ``guid``, if any."""
        if not _storable(guid) or guid not in self._taken_of(model):
            return None
        row: T | None = self.session.scalars(
            select(model).where(model.guid == guid)  # type: ignore[attr-defined]
        ).first()
        return row

    def assign(self, row: Any, guid: str) -> bool:
        """Give a freshly created ``row`` the file's ``guid`` if no other row has it."""
        taken = self._taken_of(type(row))
        if not _storable(guid) or guid in taken:
            self.replaced += 1
            return False
        row.guid = guid
        taken.add(guid)
        return True


def _storable(guid: str) -> bool:
    return 0 < len(guid) <= _MAX_LENGTH


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
