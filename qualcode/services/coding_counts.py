"""How many codings each code has, remembered until the project changes.

The codebook beside every transcript, and the codebook editor, show each code's count.
Counting is a pass over the project's codings (half a million in a large project: tens of
milliseconds every page), yet the counts change only when someone codes. Every change to a
coding writes an audit event in the same transaction (:mod:`qualcode.services.audit`), so the
project's latest event — its id and time — names the state of its codings: while it stays the
same, so do the counts. Each process keeps the counts of the last state it saw of each
project; a new event (any kind) means they are counted again.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import Code, Coding, Event

__all__ = ["count_codings", "counts"]

_State = tuple[int, datetime]
_seen: dict[tuple[str, int], tuple[_State, dict[int, int]]] = {}
_lock = threading.Lock()


def count_codings(session: Session, project_id: int) -> dict[int, int]:
    """Code id -> number of codings (every coder's), counted now."""
    rows = session.execute(
        select(Coding.code_id, func.count())
        .join(Code)
        .where(Code.project_id == project_id)
        .group_by(Coding.code_id)
    )
    return {cid: n for cid, n in rows}


def counts(session: Session, project_id: int) -> dict[int, int]:
    """Code id -> number of codings (every coder's), as :func:`count_codings` gives them, but
    counted again only when the project has changed since this process last counted."""
    latest = session.execute(
        select(Event.id, Event.at)
        .where(Event.project_id == project_id)
        .order_by(Event.id.desc())
        .limit(1)
    ).first()  # read first: counts read after it are at least as new as this state
    if latest is None:  # no event yet: nothing to name the state by
        return count_codings(session, project_id)
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), project_id)
    state: _State = (latest[0], latest[1])
    with _lock:
        known = _seen.get(key)
    if known is not None and known[0] == state:
        return dict(known[1])
    fresh = count_codings(session, project_id)
    with _lock:
        _seen[key] = (state, fresh)
    return dict(fresh)
