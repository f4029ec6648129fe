"""Reading the audit log: filters, pages newest first, exports oldest first."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Event
from qualcode.services import audit_log
from qualcode.services.audit_log import AuditFilter


@pytest.fixture
def logged(session):
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    project = make_project(session, "lpsa", owner=alice)
    other = make_project(session, "other", owner=bob)
    make_document(session, other, title="Not ours")
    doc = make_document(session, project, title="Kingsford", user_id=alice.id)
    code = make_code(session, project, "Barriers", user_id=alice.id)
    make_coding(session, doc, code, alice, quote="staff turnover")
    make_coding(session, doc, code, bob, quote="pump priming")
    session.commit()
    return project


def _events(session, project):
    return session.scalars(
        select(Event).where(Event.project_id == project.id).order_by(Event.id)
    ).all()


def test_a_page_lists_the_projects_events_newest_first_with_who_and_what(session, logged):
    page = audit_log.audit_page(session, logged)
    events = _events(session, logged)
    assert page.total == len(events) >= 5
    assert [r.id for r in page.rows] == [e.id for e in reversed(events)]
    newest = page.rows[0]
    assert (newest.action, newest.user, newest.entity_type) == ("coding.added", "bob", "coding")
    assert newest.detail["document_id"]
    assert newest.at.endswith("Z")
    assert "Not ours" not in json.dumps([r.to_dict() for r in page.rows])


def test_pages_split_the_log_without_gaps_or_repeats(session, logged):
    total = audit_log.audit_page(session, logged).total
    seen = []
    for number in range(1, 10):
        page = audit_log.audit_page(session, logged, page=number, per_page=2)
        assert page.pages == -(-total // 2)
        seen += [r.id for r in page.rows]
    assert len(seen) == len(set(seen)) == total


def test_filter_by_user_action_family_and_exact_action(session, logged):
    by_bob = audit_log.audit_page(session, logged, AuditFilter(user="BOB")).rows
    assert {r.user for r in by_bob} == {"bob"}
    assert len(by_bob) == 1
    family = audit_log.audit_page(session, logged, AuditFilter(action="coding")).rows
    assert {r.action for r in family} == {"coding.added"}
    assert len(family) == 2
    exact = audit_log.audit_page(session, logged, AuditFilter(action="code.created")).rows
    assert [r.action for r in exact] == ["code.created"]
    assert audit_log.audit_page(session, logged, AuditFilter(action="cod")).total == 0


def test_filter_by_dates_is_inclusive_in_utc(session, logged):
    events = _events(session, logged)
    stamps = [
        datetime(2024, 5, 1, 23, 59, tzinfo=UTC),
        datetime(2024, 5, 2, 0, 0, tzinfo=UTC),
        datetime(2024, 5, 3, 12, 0, tzinfo=UTC),
    ]
    for event, at in zip(events, stamps, strict=False):
        event.at = at
    for event in events[3:]:
        event.at = datetime(2024, 6, 1, tzinfo=UTC)
    session.commit()
    may2 = AuditFilter.parse(since="2024-05-02", until="2024-05-02")
    assert [r.id for r in audit_log.audit_page(session, logged, may2).rows] == [events[1].id]
    since = audit_log.audit_page(session, logged, AuditFilter(since=date(2024, 5, 2))).total
    assert since == len(events) - 1
    until = audit_log.audit_page(session, logged, AuditFilter(until=date(2024, 5, 3))).total
    assert until == 3


def test_bad_filters_are_refused_with_a_clear_message(session, logged):
    with pytest.raises(InvalidInput, match="not a date like"):
        AuditFilter.parse(since="yesterday")
    with pytest.raises(InvalidInput, match="after the to date"):
        AuditFilter.parse(since="2024-06-02", until="2024-06-01")
    with pytest.raises(NotFound, match="no user named nobody"):
        audit_log.audit_page(session, logged, AuditFilter(user="nobody"))
    with pytest.raises(InvalidInput):
        audit_log.audit_page(session, logged, page=0)


def test_export_reads_every_event_oldest_first_across_batches(session, logged, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_BATCH", 2)
    rows = list(audit_log.iter_events(session, logged))
    assert [r.id for r in rows] == [e.id for e in _events(session, logged)]


def test_csv_export_has_a_header_and_one_parsable_line_per_event(session, logged):
    text = "".join(audit_log.csv_lines(audit_log.iter_events(session, logged)))
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == list(audit_log.CSV_COLUMNS)
    assert len(table) == len(_events(session, logged))
    coding = [row for row in table if row["action"] == "coding.added"][0]
    assert coding["user"] == "alice"
    assert json.loads(coding["detail"])["coder_id"]


def test_json_export_is_one_document_with_the_filter(session, logged):
    where = AuditFilter(action="coding")
    chunks = audit_log.json_chunks(logged, where, audit_log.iter_events(session, logged, where))
    data = json.loads("".join(chunks))
    assert data["project"] == "lpsa"
    assert data["filter"]["action"] == "coding"
    assert [e["user"] for e in data["events"]] == ["alice", "bob"]
    empty = audit_log.json_chunks(
        logged,
        AuditFilter(user="alice", action="memo"),
        audit_log.iter_events(session, logged, AuditFilter(user="alice", action="memo")),
    )
    assert json.loads("".join(empty))["events"] == []


def test_filter_choices_list_the_users_and_actions_in_the_log(session, logged):
    users, actions = audit_log.filter_choices(session, logged)
    assert users == ["alice", "bob"]
    assert "coding.added" in actions
    assert actions == sorted(actions)
