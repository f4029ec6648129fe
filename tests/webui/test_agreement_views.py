"""The Agreement pages and their JSON twins: status codes, content, blind mode, adjudication."""

from __future__ import annotations

import re

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login, post_json
from sqlalchemy import select

from qualcode.models import Assignment, Coding, Event, Memo, Origin, Purpose, Role
from qualcode.services import assignments as assignment_service

ANSWER = "Staff turnover was the big one. The champion left in the spring and nobody took over."
TURNS = [("Interviewer", "What got in the way?"), ("Jane", ANSWER)]


@pytest.fixture
def world(session):
    lead = make_user(session, "lead")
    project = make_project(session, "qa", owner=lead)
    alice = member(session, project, Role.CODER, "alice")
    bob = member(session, project, Role.CODER, "bob")
    carol = member(session, project, Role.CODER, "carol")
    member(session, project, Role.VIEWER, "vera")
    turnover = make_code(session, project, "Staff turnover", definition="Loss of key staff.")
    grant = make_code(session, project, "Reward grant")
    unused = make_code(session, project, "Never used")
    champion = make_code(session, project, "Champion")  # rare: prevalence below 10%
    docs = [
        make_document(session, project, turns=TURNS, title=f"Interview {i}", case="North")
        for i in range(3)
    ]
    for doc in docs[:2]:
        make_coding(session, doc, turnover, alice, quote=ANSWER)
        make_coding(session, doc, turnover, bob, quote="Staff turnover was the big one.")
        make_coding(session, doc, turnover, carol, quote="The champion left")
        make_coding(session, doc, grant, alice, quote="What got in the way?")
        make_coding(session, doc, grant, bob, quote="What got in the way?")
        make_coding(session, doc, champion, alice, quote="champion")
        make_coding(session, doc, champion, bob, quote="champion")
    # the third document is being double-coded blind by alice and bob
    for coder in (alice, bob):
        assignment_service.assign(
            session,
            docs[2],
            coder,
            purpose=Purpose.DOUBLE_CODE,
            blind=True,
            sample="calibration round 1",
        )
    make_coding(session, docs[2], turnover, alice, quote="Staff turnover")
    make_coding(session, docs[2], turnover, bob, quote="The champion left")
    assignment_service.mark_done(session, docs[2], alice.id)
    session.commit()
    return {
        "project": project,
        "docs": docs,
        "codes": (turnover, grant, unused),
        "users": {"alice": alice, "bob": bob, "carol": carol},
    }


def _no_inline(html: str) -> None:
    assert ' style="' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_index_shows_the_table_worst_first_with_reasons(client, world):
    login(client, "lead")
    response = client.get("/p/qa/agreement?coders=alice,bob")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _no_inline(html)
    table = html[html.index('id="agreement-table"') : html.index('id="agreement-overall"')]
    order = [table.index(name) for name in ("Staff turnover", "Reward grant", "Never used")]
    assert order == sorted(order)  # worst first, not computable last
    assert "Not computable: no coder used this code" in table
    champion = table[table.index(">Champion<") :]
    assert 'class="badge flag"' in champion[: champion.index("</tr>")]  # rare: AC1 flagged
    assert "2</strong> documents every coder finished" in html
    assert "1 left out" in html  # bob has not finished the blind document
    assert 'id="pair-matrix"' not in html


def test_index_defaults_to_the_two_busiest_coders_and_shows_a_matrix_for_three(client, world):
    login(client, "lead")
    html = client.get("/p/qa/agreement").get_data(as_text=True)
    assert html.count('name="coder" value=') == 3
    assert len(re.findall(r'name="coder" value="\w+" checked', html)) == 2
    html = client.get("/p/qa/agreement?coder=alice&coder=bob&coder=carol&unit=paragraph").get_data(
        as_text=True
    )
    assert 'id="pair-matrix"' in html
    assert "on paragraph units" in html


def test_agreement_json(client, world):
    login(client, "lead")
    data = client.get("/api/p/qa/agreement?coders=alice,bob").get_json()
    assert data["coders"] == ["alice", "bob"]
    assert data["documents"] == 2
    rows = {row["code"]: row for row in data["codes"]}
    assert rows["Reward grant"]["cohen_kappa"] == 1.0
    assert rows["Never used"]["krippendorff_alpha"] is None
    turnover = world["codes"][0]
    one = client.get(
        f"/api/p/qa/agreement?coders=alice,bob&code_id={turnover.id}&bootstrap=10"
    ).get_json()
    assert [row["code"] for row in one["codes"]] == ["Staff turnover"]
    assert client.get("/api/p/qa/agreement?coders=alice").status_code == 400
    assert client.get("/api/p/qa/agreement?coders=alice,bob&unit=word").status_code == 400


@pytest.mark.parametrize("user", ["alice", "vera"])
def test_the_table_is_for_leads(client, world, user):
    login(client, user)
    assert client.get("/p/qa/agreement").status_code == 403
    assert client.get("/api/p/qa/agreement?coders=alice,bob").status_code == 403


def test_code_drill_down_lists_documents_with_disagreements(client, world):
    login(client, "lead")
    turnover = world["codes"][0]
    response = client.get(f"/p/qa/agreement/codes/{turnover.id}?coders=alice,bob")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _no_inline(html)
    assert "Interview 0" in html
    assert "Interview 1" in html
    assert "Interview 2" not in html  # not finished by bob
    assert "Loss of key staff." in html
    assert "Propose a new definition" in html


def test_blind_documents_stay_hidden_from_coders_in_page_and_api(client, world):
    turnover = world["codes"][0]
    blind = world["docs"][2]
    login(client, "carol")
    page = f"/p/qa/agreement/codes/{turnover.id}/documents/{blind.id}?coders=alice,bob"
    api = f"/api/p/qa/agreement/codes/{turnover.id}/documents/{blind.id}?coders=alice,bob"
    assert client.get(page).status_code == 403
    assert client.get(api).status_code == 403
    open_doc = world["docs"][0]
    assert (
        client.get(
            f"/api/p/qa/agreement/codes/{turnover.id}/documents/{open_doc.id}?coders=alice,bob"
        ).status_code
        == 200
    )
    html = client.get(
        f"/p/qa/agreement/codes/{turnover.id}/documents/{open_doc.id}?coders=alice,bob"
    ).get_data(as_text=True)
    assert 'class="adjudicate"' not in html  # coders review, leads decide


def test_blind_documents_open_once_everyone_is_done(client, world, session):
    turnover = world["codes"][0]
    blind = world["docs"][2]
    assignment_service.mark_done(session, blind, world["users"]["bob"].id)
    session.commit()
    login(client, "carol")
    data = client.get(
        f"/api/p/qa/agreement/codes/{turnover.id}/documents/{blind.id}?coders=alice,bob"
    ).get_json()
    assert data["coders"] == ["alice", "bob"]
    assert len(data["items"]) == 2  # "Staff turnover" vs "The champion left"


def test_document_page_shows_both_layers_side_by_side(client, world):
    login(client, "lead")
    turnover = world["codes"][0]
    doc = world["docs"][0]
    response = client.get(
        f"/p/qa/agreement/codes/{turnover.id}/documents/{doc.id}?coders=alice,bob"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _no_inline(html)
    assert html.count('class="sbs-column') == 3
    assert 'class="sbs-column layer-a"' in html
    assert 'class="sbs-column layer-b"' in html
    marked_b = re.search(
        r'layer-b".*?<span class="piece mark[^"]*" data-start="\d+">([^<]*)<', html, re.S
    )
    assert marked_b.group(1) == "Staff turnover was the big one."
    assert "disputed" in html
    assert 'class="adjudicate"' in html
    item = re.search(r'data-start="(\d+)" data-end="(\d+)"', html)
    start, end = item.groups()
    assert f"/p/qa/documents/{doc.id}?at={start}&amp;to={end}#o={start}-{end}" in html


def test_adjudication_form_writes_the_consensus_layer(client, world, session):
    token = login(client, "lead")
    turnover = world["codes"][0]
    doc = world["docs"][0]
    start = doc.text.index(ANSWER)
    url = f"/p/qa/agreement/codes/{turnover.id}/documents/{doc.id}/adjudicate"
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "coders": "alice,bob",
            "start": start,
            "end": start + len(ANSWER),
            "decision": "take_b",
            "reason": "the consequences are a different code",
        },
    )
    assert response.status_code == 302
    assert f"#item-{start}" in response.headers["Location"]
    coding = session.scalars(select(Coding).where(Coding.origin == Origin.ADJUDICATION)).one()
    assert coding.quote == "Staff turnover was the big one."
    assert coding.coder.username == "consensus"
    event = session.scalars(select(Event).where(Event.action == "agreement.adjudicated")).one()
    assert event.detail["reason"] == "the consequences are a different code"
    session.commit()  # end the read transaction, so the app can write
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "decided: take b" in html


def test_adjudication_json_and_its_errors(client, world, session):
    token = login(client, "lead")
    turnover = world["codes"][0]
    doc = world["docs"][1]
    start = doc.text.index(ANSWER)
    url = f"/api/p/qa/agreement/codes/{turnover.id}/documents/{doc.id}/adjudicate"
    payload = {
        "coders": ["alice", "bob"],
        "start": start,
        "end": start + len(ANSWER),
        "decision": "edit",
        "edit_start": start + 32,
        "edit_end": start + 49,
        "reason": "only the champion leaving",
    }
    response = post_json(client, url, token, payload)
    assert response.status_code == 200
    data = response.get_json()
    assert data["consensus"] == [[start + 32, start + 49]]
    assert data["decision"] == "edit"
    assert post_json(client, url, token, {**payload, "reason": ""}).status_code == 400
    assert post_json(client, url, token, {**payload, "decision": "coin"}).status_code == 400
    assert post_json(client, url, token, {**payload, "start": "x"}).status_code == 400
    assert client.post(url, json=payload).status_code == 400  # no CSRF token


def test_coders_cannot_adjudicate(client, world, session):
    token = login(client, "alice")
    turnover = world["codes"][0]
    doc = world["docs"][0]
    url = f"/api/p/qa/agreement/codes/{turnover.id}/documents/{doc.id}/adjudicate"
    response = post_json(
        client,
        url,
        token,
        {"coders": "alice,bob", "start": 0, "end": 5, "decision": "both", "reason": "mine"},
    )
    assert response.status_code == 403
    assert session.scalars(select(Coding).where(Coding.origin == Origin.ADJUDICATION)).all() == []


def test_definition_proposals_from_the_form_and_the_api(client, world, session):
    token = login(client, "lead")
    turnover = world["codes"][0]
    doc = world["docs"][0]
    start = doc.text.index(ANSWER)
    response = client.post(
        f"/p/qa/agreement/codes/{turnover.id}/proposals",
        data={
            "csrf_token": token,
            "text": "Loss of key staff, not its consequences.",
            "why": "Exclude the consequences of turnover.",
            "document_id": doc.id,
            "start": start,
            "end": start + 31,
            "next": f"/p/qa/agreement/codes/{turnover.id}?coders=alice,bob",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/codes/{turnover.id}?coders=alice,bob")
    memo = session.scalars(select(Memo)).one()
    assert memo.kind == "definition_proposal"
    assert memo.text == "Loss of key staff, not its consequences."
    assert memo.title == "Exclude the consequences of turnover."
    assert memo.quote == "Staff turnover was the big one."
    session.commit()  # end the read transaction, so the app can write
    html = client.get(f"/p/qa/agreement/codes/{turnover.id}?coders=alice,bob").get_data(
        as_text=True
    )
    assert "Exclude the consequences of turnover." in html
    response = post_json(
        client,
        f"/api/p/qa/agreement/codes/{turnover.id}/proposals",
        token,
        {"text": "Say whether handover counts."},
    )
    assert response.status_code == 201
    assert response.get_json()["kind"] == "definition_proposal"


def test_sample_page_draws_a_blind_sample(client, world, session):
    token = login(client, "lead")
    response = client.get("/p/qa/agreement/sample")
    assert response.status_code == 200
    assert "calibration round 2" in response.get_data(as_text=True)
    response = client.post(
        "/p/qa/agreement/sample",
        data={
            "csrf_token": token,
            "coder": ["carol", "alice"],
            "percent": "100",
            "label": "round two",
            "seed": "3",
        },
    )
    assert response.status_code == 400  # alice coded or is assigned every document
    assert "no documents left" in response.get_data(as_text=True)
    extra = make_document(session, world["project"], title="Fresh")
    session.commit()
    response = client.post(
        "/p/qa/agreement/sample",
        data={
            "csrf_token": token,
            "coder": ["carol", "alice"],
            "percent": "100",
            "label": "round two",
            "seed": "3",
        },
    )
    assert response.status_code == 302
    rows = session.scalars(select(Assignment).where(Assignment.sample == "round two")).all()
    assert {r.document_id for r in rows} == {extra.id}
    assert all(r.blind for r in rows)
    session.commit()  # end the read transaction, so the app can write
    data = post_json(
        client,
        "/api/p/qa/agreement/samples",
        token,
        {"coders": ["carol", "alice"], "percent": 50, "label": "again"},
    )
    assert data.status_code == 400


def test_rounds_page_and_json(client, world, session):
    login(client, "lead")
    assignment_service.mark_done(session, world["docs"][2], world["users"]["bob"].id)
    session.commit()
    response = client.get("/p/qa/agreement/rounds")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "calibration round 1" in html
    assert "1 of 1" in html
    assert "sample=calibration+round+1" in html
    data = client.get("/api/p/qa/agreement/rounds").get_json()
    assert data["rounds"][0]["label"] == "calibration round 1"
    assert data["rounds"][0]["documents_done"] == 1
    html = client.get("/p/qa/agreement?coders=alice,bob&sample=calibration+round+1").get_data(
        as_text=True
    )
    assert "1</strong> documents every coder finished" in html
