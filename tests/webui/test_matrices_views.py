"""The Matrices pages: shaded counts that drill down to their quotes, exports, and the framework
matrix edited by leads through the JSON API."""

from __future__ import annotations

import csv
import functools
import html as htmllib
import io
import re

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login, post_json
from openpyxl import load_workbook

from qualcode.models import Role
from qualcode.services import documents as document_service
from qualcode.services import users as user_service

_cached_hash = functools.cache(user_service.hash_password)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


@pytest.fixture
def world(session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    lead = member(session, project, Role.LEAD, "lena")
    member(session, project, Role.CODER, "cora")
    member(session, project, Role.VIEWER, "vic")
    barriers = make_code(session, project, "Barriers")
    staff = make_code(session, project, "Staff turnover", parent=barriers)
    enablers = make_code(session, project, "Enablers")
    east = make_document(session, project, title="East", case="Eastwick")
    fen = make_document(session, project, title="Fen", case="Fenmoor")
    c1 = make_coding(session, east, staff, owner, quote="Honestly, staff turnover")
    make_coding(session, east, staff, lead, quote="The champion left")
    make_coding(session, fen, staff, owner, quote="staff turnover")
    make_coding(session, east, enablers, owner, quote="staff turnover. The champion")
    kind = document_service.define_attribute(session, project, "authority_type", "case")
    document_service.set_attribute(session, kind, east.case, "London borough")
    session.commit()
    return {
        "barriers": barriers,
        "staff": staff,
        "enablers": enablers,
        "east": east,
        "fen": fen,
        "c1": c1,
    }


def cells(html):
    """{(row label, column index): (value, shade, link)} from the matrix table."""
    out = {}
    table = html[html.index('id="matrix"') :]
    for label, body in re.findall(
        r'<tr><th scope="row"[^>]*title="([^"]+)">[^<]*</th>(.*?)</tr>', table, re.S
    ):
        for i, (shade, inner) in enumerate(re.findall(r'<td class="shade-(\d)">(.*?)</td>', body)):
            link = re.search(r'href="([^"]+)"', inner)
            value = int(re.sub(r"<[^>]+>", "", inner))
            out[(label, i)] = (value, int(shade), htmllib.unescape(link.group(1)) if link else None)
    return out


def test_matrices_page_shades_counts_and_drills_down(client, world):
    login(client, "vic")
    html = client.get("/p/lpsa/matrices").get_data(as_text=True)
    grid = cells(html)
    assert grid[("Barriers", 0)][:2] == (2, 8)  # the largest cell is the darkest
    assert grid[("Barriers/Staff turnover", 1)][:2] == (1, 4)
    assert grid[("Enablers", 1)] == (0, 0, None)
    link = grid[("Barriers/Staff turnover", 0)][2]
    assert f"code={world['staff'].id}" in link
    assert f"case={world['east'].case_id}" in link
    evidence = client.get(link).get_data(as_text=True)
    assert re.search(r'id="count-segments">2<', evidence)


def test_matrices_columns_by_attribute_and_codes(client, world):
    login(client, "vic")
    by_attr = client.get("/p/lpsa/matrices?cols=attr:authority_type&count=documents")
    html = by_attr.get_data(as_text=True)
    assert ">London borough</th>" in html
    assert ">(no value)</th>" in html
    grid = cells(html)
    assert grid[("Barriers", 0)][0] == 1
    assert "a.authority_type=London+borough" in grid[("Barriers", 0)][2]
    co = cells(client.get("/p/lpsa/matrices?cols=codes").get_data(as_text=True))
    value, _, link = co[("Barriers/Staff turnover", 2)]  # staff codings overlapping Enablers
    assert value == 2
    assert "q=%22Barriers/Staff+turnover%22+AND+%22Enablers%22" in link
    bad = client.get("/p/lpsa/matrices?cols=attr:nope").get_data(as_text=True)
    assert "no attribute named nope" in bad


def test_matrices_exports(client, world):
    login(client, "vic")
    response = client.get("/p/lpsa/matrices/export.xlsx?cols=cases")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Matrix"]
    assert [c.value for c in sheet[1]] == ["code", "Eastwick", "Fenmoor", "Total"]
    assert [c.value for c in sheet[2]] == ["Barriers", 2, 1, 3]
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/p/lpsa/matrices/export.csv?count=documents").data.decode("utf-8-sig")
            )
        )
    )
    assert rows[1] == ["Barriers", "1", "1", "2"]
    assert client.get("/p/lpsa/matrices/export.pdf").status_code == 404


def test_matrices_framework_is_read_by_viewers_and_edited_by_leads(app, world):
    viewer = app.test_client()
    login(viewer, "vic")
    page = viewer.get("/p/lpsa/matrices/framework").get_data(as_text=True)
    assert "No summary yet." in page
    assert "fw-edit" not in page
    case_id, code_id = world["east"].case_id, world["barriers"].id
    url = f"/api/p/lpsa/matrices/framework/{case_id}/{code_id}"
    cell = viewer.get(url).get_json()
    assert cell["theme"] == "Barriers"
    assert cell["evidence"] == 2
    assert [q["text"] for q in cell["candidates"]] == [
        "Honestly, staff turnover",
        "The champion left",
    ]
    lead = app.test_client()
    token = login(lead, "lena")
    assert "fw-edit" in lead.get("/p/lpsa/matrices/framework").get_data(as_text=True)
    saved = post_json(
        lead, url, token, {"summary": "Turnover of champions.", "coding_ids": [world["c1"].id]}
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["quotes"][0]["text"] == "Honestly, staff turnover"
    page = viewer.get("/p/lpsa/matrices/framework").get_data(as_text=True)
    assert "Turnover of champions." in page
    assert "“Honestly, staff turnover”" in page
    export = viewer.get("/p/lpsa/matrices/framework/export.csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[1][1].startswith("Turnover of champions.\n“Honestly, staff turnover”")
    bad = post_json(lead, url, token, {"summary": "x", "coding_ids": ["1"]})
    assert bad.status_code == 400
    other_case = post_json(
        lead,
        f"/api/p/lpsa/matrices/framework/{world['fen'].case_id}/{code_id}",
        token,
        {"summary": "", "coding_ids": [world["c1"].id]},
    )
    assert other_case.status_code == 409


def test_matrices_framework_edits_need_lead_and_csrf(app, world):
    url = f"/api/p/lpsa/matrices/framework/{world['east'].case_id}/{world['barriers'].id}"
    coder = app.test_client()
    token = login(coder, "cora")
    assert post_json(coder, url, token, {"summary": "x", "coding_ids": []}).status_code == 403
    lead = app.test_client()
    login(lead, "lena")
    assert lead.post(url, json={"summary": "x", "coding_ids": []}).status_code == 400


def test_matrices_framework_themes_can_be_sub_codes(client, world):
    login(client, "vic")
    html = client.get(f"/p/lpsa/matrices/framework?theme={world['barriers'].id}").get_data(
        as_text=True
    )
    assert '<th scope="col">Barriers/Staff turnover</th>' in html
    assert '<th scope="col">Enablers</th>' not in html
