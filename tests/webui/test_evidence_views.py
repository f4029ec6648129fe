"""The Evidence page and its JSON API: quotes with attribution and counts, filters, context,
exports, pin buttons, blind mode."""

from __future__ import annotations

import csv
import functools
import html as html_lib
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from docx import Document
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login
from openpyxl import load_workbook

from qualcode.models import Purpose, Role
from qualcode.services import assignments
from qualcode.services import documents as document_service
from qualcode.services import users as user_service

_cached_hash = functools.cache(user_service.hash_password)
EAST = [
    ("Interviewer", "What got in the way of the targets?"),
    ("Jane Smith", "Poor data was the first problem. Later the champion focused everyone."),
    ("Interviewer", "And the staff?"),
    ("Jane Smith", "Staff turnover hurt us badly."),
]
FEN = [
    ("Interviewer", "Was data a problem here?"),
    ("Tom Brown", "Data quality was poor across the partnership."),
]


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


@pytest.fixture
def world(session):
    owner = make_user(session, "olive", display_name="Olive Owner")
    project = make_project(session, "lpsa", owner=owner)
    viewer = member(session, project, Role.VIEWER, "vic")
    coder = member(session, project, Role.CODER, "cora")
    barriers = make_code(session, project, "Barriers")
    poor = make_code(session, project, "Poor data", parent=barriers)
    staff = make_code(session, project, "Staff turnover", parent=barriers)
    focus = make_code(session, project, "Focus")
    east = make_document(
        session, project, title="Eastwick coordinator", turns=EAST, case="Eastwick"
    )
    fen = make_document(session, project, title="Fenmoor officer", turns=FEN, case="Fenmoor")
    make_document(session, project, title="Marchshire chief", case="Marchshire")
    c1 = make_coding(session, east, poor, owner, quote="Poor data was the first problem")
    make_coding(session, east, focus, owner, quote="first problem. Later")
    make_coding(session, east, staff, owner, quote="Staff turnover hurt us")
    make_coding(session, fen, poor, coder, quote="Data quality was poor")
    make_coding(session, fen, poor, owner, quote="Was data a problem here")
    kind = document_service.define_attribute(session, project, "authority_type", "case")
    document_service.set_attribute(session, kind, east.case, "London borough")
    document_service.set_attribute(session, kind, fen.case, "county")
    session.commit()
    return {
        "project": project,
        "owner": owner,
        "viewer": viewer,
        "coder": coder,
        "barriers": barriers,
        "poor": poor,
        "focus": focus,
        "east": east,
        "fen": fen,
        "c1": c1,
    }


def page(client, **args):
    response = client.get("/p/lpsa/evidence", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def counts(html):
    found = {
        k: re.search(rf'id="count-{k}">(\d+)<', html) for k in ("segments", "documents", "cases")
    }
    return tuple(int(m.group(1)) if m else None for m in found.values())


def texts(html):
    return [
        re.sub(r"</?mark>", "", t)
        for t in re.findall(
            r'<blockquote class="text">(.*?)'
            r"</blockquote>",
            html,
            re.S,
        )
    ]


def test_evidence_page_shows_quotes_attribution_counts_and_cases_without(client, world):
    login(client, "vic")
    html = page(client, code=world["barriers"].id)
    assert counts(html) == (4, 2, 2)
    assert "No quotes from 1 case" in html
    assert re.search(r'id="cases-without">.*Marchshire', html, re.S)
    assert texts(html) == [
        "Poor data was the first problem",
        "Staff turnover hurt us",
        "Was data a problem here",
        "Data quality was poor",
    ]
    first = html[html.index('<article class="quote') : html.index("</article>")]
    for part in (
        "Barriers/Poor data",
        "Eastwick",
        "Eastwick coordinator",
        "Jane Smith",
        "coded by Olive Owner",
    ):
        assert part in first
    start = world["east"].text.index("Poor data")
    end = start + len("Poor data was the first problem")
    link = re.search(r'href="(/p/lpsa/documents/[^"]+)">Open in workbench', first)
    assert link is not None
    url = urlsplit(html_lib.unescape(link.group(1)))
    assert url.path == f"/p/lpsa/documents/{world['east'].id}"
    query = parse_qs(url.query)
    assert (query["at"], query["to"]) == ([str(start)], [str(end)])
    assert query["coding"][0].isdigit()
    assert url.fragment == f"o={start}-{end}"
    assert 'class="pin"' not in html  # a viewer may not pin


def test_evidence_page_filters(client, world):
    login(client, "olive")
    barriers = world["barriers"].id
    assert counts(page(client, code=barriers, case=world["fen"].case_id)) == (2, 1, 1)
    assert counts(page(client, code=barriers, **{"a.authority_type": "county"})) == (2, 1, 1)
    assert counts(page(client, code=barriers, speaker="respondents")) == (3, 2, 2)
    assert counts(page(client, code=barriers, coder=world["coder"].id)) == (1, 1, 1)
    assert counts(page(client, code=barriers, nodesc="1")) == (0, 0, 0)
    assert counts(page(client, code=barriers, origin="import")) == (0, 0, 0)
    both = page(client, q='"Barriers/Poor data" AND Focus')
    assert texts(both) == ["Poor data was the first problem"]
    assert 'Barriers/Poor data</span> <span class="code-badge">Focus' in both
    worded = page(client, code=barriers, text="quality")
    assert "Data <mark>quality</mark> was poor" in worded


def test_evidence_page_reports_bad_queries_in_the_page(client, world):
    login(client, "olive")
    html = page(client, q="Barriers AND")
    assert "expected a code after" in html
    assert "Nope" in page(client, q="Nope")
    assert client.get("/p/lpsa/evidence?code=abc").status_code == 400


def test_evidence_page_offers_pins_to_leads_when_chapters_can_pin(app, client, world):
    login(client, "olive")
    html = page(client, code=world["poor"].id)
    if "chapters.pin" in app.view_functions:
        assert f'<button type="button" class="pin" data-coding-id="{world["c1"].id}"' in html
        assert "js/pin.js" in html
    else:
        assert 'class="pin"' not in html


def test_evidence_api_quotes_and_context(client, world):
    login(client, "vic")
    data = client.get(
        "/api/p/lpsa/evidence/quotes", query_string={"code": world["poor"].id, "limit": 1}
    ).get_json()
    assert (data["code"], data["count"], data["documents"], data["cases"]) == (
        "Barriers/Poor data",
        3,
        2,
        2,
    )
    assert len(data["quotes"]) == 1
    assert data["quotes"][0]["speaker"] == "Jane Smith"
    east = world["east"]
    start = east.text.index("Staff turnover")
    ctx = client.get(
        f"/api/p/lpsa/evidence/documents/{east.id}/context",
        query_string={"start": start, "end": start + 14, "turns": 1},
    ).get_json()
    assert [(t["index"], t["hit"], t["speaker"]) for t in ctx["turns"]] == [
        (2, False, "Interviewer"),
        (3, True, "Jane Smith"),
    ]
    assert client.get(f"/api/p/lpsa/evidence/documents/{east.id}/context").status_code == 400


def test_evidence_exports_download_the_whole_result(client, world):
    login(client, "vic")
    args = {"code": world["poor"].id}
    docx = client.get("/p/lpsa/evidence/export.docx", query_string=args)
    assert docx.status_code == 200
    assert "attachment" in docx.headers["Content-Disposition"]
    assert "lpsa-barriers-poor-data.docx" in docx.headers["Content-Disposition"]
    paragraphs = [(p.style.name, p.text) for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert paragraphs[0] == ("Heading 1", "Barriers/Poor data")
    assert [t for s, t in paragraphs if s == "Quote"] == [
        "Poor data was the first problem",
        "Was data a problem here",
        "Data quality was poor",
    ]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/p/lpsa/evidence/export.csv", query_string=args).data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [r["case"] for r in rows] == ["Eastwick", "Fenmoor", "Fenmoor"]
    book = load_workbook(
        io.BytesIO(client.get("/p/lpsa/evidence/export.xlsx", query_string=args).data)
    )
    assert book["Summary"]["B2"].value == 3
    assert client.get("/p/lpsa/evidence/export.pdf", query_string=args).status_code == 404
    assert client.get("/p/lpsa/evidence/export.csv").status_code == 400


def test_evidence_blind_coder_sees_only_own_codings(client, session, world):
    assignments.assign(
        session, world["fen"], world["coder"], purpose=Purpose.DOUBLE_CODE, blind=True
    )
    session.commit()
    login(client, "cora")
    html = page(client, code=world["poor"].id)
    assert "Data quality was poor" in html
    assert "Was data a problem here" not in html  # the owner's coding of the blind document
    assert counts(html) == (2, 2, 2)


def test_evidence_of_another_project_is_not_found(client, session, world):
    other_owner = make_user(session, "otto")
    other = make_project(session, "theirs", owner=other_owner)
    doc = make_document(session, other)
    session.commit()
    login(client, "olive")
    assert (
        client.get(f"/api/p/lpsa/evidence/documents/{doc.id}/context?start=0&end=1").status_code
        == 404
    )
    assert client.get("/p/theirs/evidence").status_code == 404


def test_evidence_from_a_case_lists_every_coded_quote_of_that_case(client, world):
    login(client, "vic")
    case_page = client.get(f"/p/lpsa/cases/{world['east'].case_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">Evidence from this case', case_page)
    assert link is not None
    query = parse_qs(urlsplit(html_lib.unescape(link.group(1))).query)
    assert query == {"case": [str(world["east"].case_id)], "all": ["1"]}

    html = page(client, case=world["east"].case_id, all=1)
    assert counts(html) == (3, 1, 1)  # every code, Eastwick only
    assert texts(html) == [
        "Poor data was the first problem",
        "first problem. Later",
        "Staff turnover hurt us",
    ]
    assert "every code" in html
    # ticked codes win over "every code"
    assert counts(page(client, case=world["east"].case_id, all=1, code=world["focus"].id)) == (
        1,
        1,
        1,
    )
    # without a case, every coded quote of the project
    assert counts(page(client, all=1)) == (5, 2, 2)
