"""The audit log page and its CSV/JSON exports: owners only, filters, downloads."""

from __future__ import annotations

import csv
import io

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login

from qualcode.models import Role


@pytest.fixture
def world(session):
    owner = make_user(session, "owner")
    project = make_project(session, "lpsa", owner=owner)
    lead = member(session, project, Role.LEAD, "lead")
    doc = make_document(session, project, title="Kingsford")
    code = make_code(session, project, "Barriers")
    make_coding(session, doc, code, owner, quote="staff turnover")
    make_coding(session, doc, code, lead, quote="pump priming")
    other = make_project(session, "other", owner=make_user(session, "someone"))
    make_code(session, other, "Secret code name")
    session.commit()
    return project


def test_owner_sees_the_log_with_filters_and_export_links(client, world):
    login(client, "owner")
    response = client.get("/p/lpsa/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "coding.added" in html
    assert "code.created" in html
    assert "Secret code name" not in html
    assert "/p/lpsa/audit/export.csv" in html
    assert "/p/lpsa/audit/export.json" in html
    assert "<option selected>lead</option>" not in html
    filtered = client.get("/p/lpsa/audit?user=lead&action=coding").get_data(as_text=True)
    assert "1 event," in filtered
    assert "<option selected>lead</option>" in filtered
    assert "export.csv?user=lead&amp;action=coding" in filtered


def test_a_lead_may_not_read_the_log(client, world):
    login(client, "lead")
    assert client.get("/p/lpsa/audit").status_code == 403
    assert client.get("/p/lpsa/audit/export.csv").status_code == 403
    assert b"Audit log" not in client.get("/p/lpsa/documents").data


def test_csv_export_downloads_every_matching_event(client, world):
    login(client, "owner")
    response = client.get("/p/lpsa/audit/export.csv?action=coding")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="lpsa-audit.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["user"], r["action"]) for r in rows] == [
        ("owner", "coding.added"),
        ("lead", "coding.added"),
    ]


def test_json_export_downloads_the_log(client, world):
    login(client, "owner")
    response = client.get("/p/lpsa/audit/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["project"] == "lpsa"
    assert {e["action"] for e in data["events"]} >= {"project.created", "coding.added"}
    assert all(
        e["action"] != "code.created" or e["detail"]["name"] != "Secret code name"
        for e in data["events"]
    )


def test_pages_hold_a_hundred_events_newest_first(client, world, session):
    from qualcode.services import audit

    project = world
    for n in range(120):
        audit.record(session, "note.test", project_id=project.id, detail={"n": n})
    session.commit()
    login(client, "owner")
    first = client.get("/p/lpsa/audit?action=note").get_data(as_text=True)
    assert "120 events" in first
    assert "page 1 of 2" in first
    assert "{&#34;n&#34;: 119}" in first or '{"n": 119}' in first
    second = client.get("/p/lpsa/audit?action=note&page=2").get_data(as_text=True)
    assert "page 2 of 2" in second
    assert "Newer" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "not a date like"),
        ("user=nobody", "no user named nobody"),
        ("page=zero", "page must be a whole number"),
    ],
)
def test_bad_filters_answer_with_a_clear_error(client, world, query, message):
    login(client, "owner")
    response = client.get(f"/p/lpsa/audit?{query}")
    assert response.status_code in (400, 404)
    assert message in response.get_data(as_text=True)
    export = client.get(f"/p/lpsa/audit/export.csv?{query}")
    assert export.status_code in (400, 404) or query.startswith("page")
