"""Reading a project's audit log: filter, page, and export it (CSV or JSON) for its owners.

The log itself is written by :mod:`qualcode.services.audit` (one ``Event`` per change). Here it
is only read, newest first on a page and oldest first in an export, so an export reads like a
ledger. Filters: who (a user name), what (an action such as ``coding.added``, or a family such
as ``coding``), and when (from and to dates, inclusive, in UTC).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.models import Event, Project, User
from qualcode.services import users as user_service

EXPORT_BATCH = 2000
CSV_COLUMNS = ("id", "at", "user", "action", "entity_type", "entity_id", "detail")


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; every field narrows the log, ``None`` leaves it open."""

    user: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(
        cls,
        user: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> AuditFilter:
        """From text as typed in a form or on the command line (dates as ``YYYY-MM-DD``)."""
        first, last = _date("from", since), _date("to", until)
        if first and last and first > last:
            raise InvalidInput(f"the from date {first} is after the to date {last}")
        return cls((user or "").strip() or None, (action or "").strip() or None, first, last)


def _date(label: str, value: str | None) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"the {label} date {value.strip()!r} is not a date like 2024-05-31"
        ) from None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str  # ISO 8601, UTC, with a Z
    user: str | None
    action: str
    entity_type: str
    entity_id: int | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _iso(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands datetimes back without their zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _conditions(
    session: Session, project: Project, where: AuditFilter
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Event.project_id == project.id]
    if where.user:
        user = user_service.get_user(session, where.user)
        assert user is not None
        conditions.append(Event.user_id == user.id)
    if where.action:
        action = where.action
        conditions.append(
            or_(Event.action == action, Event.action.startswith(f"{action}.", autoescape=True))
        )
    if where.since:
        conditions.append(Event.at >= datetime.combine(where.since, time(), UTC))
    if where.until:
        conditions.append(Event.at < datetime.combine(where.until + timedelta(days=1), time(), UTC))
    return conditions


def _rows(session: Session, stmt: Select[Event, str]) -> list[AuditRow]:
    return [
        AuditRow(e.id, _iso(e.at), username, e.action, e.entity_type, e.entity_id, e.detail or {})
        for e, username in session.execute(stmt)
    ]


def _select(conditions: Sequence[ColumnElement[bool]]) -> Select[Event, str]:
    return select(Event, User.username).outerjoin(User, User.id == Event.user_id).where(*conditions)


def audit_page(
    session: Session,
    project: Project,
    where: AuditFilter | None = None,
    *,
    page: int = 1,
    per_page: int = 100,
) -> AuditPage:
    """One page of the project's log, newest first."""
    if page < 1 or per_page < 1:
        raise InvalidInput("page and page size start at 1")
    conditions = _conditions(session, project, where or AuditFilter())
    total = session.scalar(select(func.count()).select_from(Event).where(*conditions)) or 0
    stmt = (
        _select(conditions).order_by(Event.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return AuditPage(_rows(session, stmt), total, page, per_page)


def iter_events(
    session: Session, project: Project, where: AuditFilter | None = None
) -> Iterator[AuditRow]:
    """Every matching event, oldest first, read in batches (a log may hold millions)."""
    conditions = _conditions(session, project, where or AuditFilter())
    after = 0
    while True:
        stmt = _select([*conditions, Event.id > after]).order_by(Event.id).limit(EXPORT_BATCH)
        rows = _rows(session, stmt)
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        after = rows[-1].id


def filter_choices(session: Session, project: Project) -> tuple[list[str], list[str]]:
    """The user names and actions found in the project's log, for filter menus."""
    users = session.scalars(
        select(User.username).where(User.id.in_(
            select(Event.user_id).where(Event.project_id == project.id).distinct()))
        .order_by(User.username))  # fmt: skip
    actions = session.scalars(select(Event.action).where(Event.project_id == project.id)
                              .distinct().order_by(Event.action))  # fmt: skip
    return list(users), list(actions)


def csv_lines(rows: Iterator[AuditRow]) -> Iterator[str]:
    """The export as CSV text, a header then one line per event (detail as compact JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.id, row.at, row.user or "", row.action, row.entity_type,
                         "" if row.entity_id is None else row.entity_id,
                         json.dumps(row.detail, ensure_ascii=False, sort_keys=True)])  # fmt: skip
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(project: Project, where: AuditFilter, rows: Iterator[AuditRow]) -> Iterator[str]:
    """The export as one JSON document, ``{"project", "filter", "events": [...]}``, in pieces."""
    head = {
        "project": project.slug,
        "filter": {k: (str(v) if v is not None else None) for k, v in asdict(where).items()},
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "events": ['
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + json.dumps(row.to_dict(), ensure_ascii=False)
    yield "\n]}\n"
