"""A lead adjudicates a disagreement in the browser and the consensus layer appears."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from sqlalchemy import select

from qualcode.models import Coding, Event, Origin, Role

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANSWER = "Staff turnover was the big one. The champion left in the spring and nobody took over."
FIRST = "Staff turnover was the big one."


def _consensus_quotes(live_server) -> list[str]:
    with live_server.session() as session:
        codings = session.scalars(select(Coding).where(Coding.origin == Origin.ADJUDICATION)).all()
        assert all(c.coder.username == "consensus" for c in codings)
        return [c.quote for c in codings]


def test_lead_adjudicates_a_disagreement_and_the_consensus_appears(live_server, page):
    with live_server.session() as session:
        lead = make_user(session, "ruth")
        project = make_project(session, "lpsa", owner=lead)
        alice = member(session, project, Role.CODER, "alice")
        bob = member(session, project, Role.CODER, "bob")
        code = make_code(session, project, "Staff turnover")
        doc = make_document(
            session,
            project,
            title="Interview Northshire",
            turns=[("Interviewer", "What got in the way?"), ("Jane", ANSWER)],
        )
        make_coding(session, doc, code, alice, quote=ANSWER)
        make_coding(session, doc, code, bob, quote=FIRST)
        code_id, doc_id = code.id, doc.id

    live_server.sign_in(page, "ruth")
    page.goto(live_server.url("/p/lpsa/agreement?coders=alice,bob"))
    row = page.locator("#agreement-table tbody tr", has_text="Staff turnover")
    assert row.count() == 1
    row.get_by_role("link", name="Staff turnover").click()
    page.get_by_role("link", name="Interview Northshire").click()
    assert f"/agreement/codes/{code_id}/documents/{doc_id}" in page.url

    item = page.locator("section.item").first
    assert item.locator(".layer-b .piece.mark").inner_text() == FIRST
    assert item.locator(".layer-consensus .piece.mark").count() == 0

    # selecting text in an excerpt fills in the edited span
    page.evaluate(
        """() => {
            const piece = document.querySelector('section.item .layer-a .piece.mark');
            const text = piece.firstChild;
            const range = document.createRange();
            range.setStart(text, 0);
            range.setEnd(text, 14);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            piece.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    form = item.locator("form.adjudicate")
    start = int(item.get_attribute("data-start"))
    assert form.locator("input[name=edit_start]").input_value() == str(start)
    assert form.locator("input[name=edit_end]").input_value() == str(start + 14)
    assert form.locator("input[value=edit]").is_checked()

    form.get_by_label("Take bob").check()
    form.get_by_label("Reason").fill("Consequences of turnover belong under another code")
    with page.expect_navigation():
        form.get_by_role("button", name="Save decision").click()

    item = page.locator("section.item").first
    assert "decided: take b" in item.inner_text()
    assert item.locator(".layer-consensus .piece.mark").inner_text() == FIRST
    assert page.locator(".flash").inner_text().startswith("Decided (take b)")

    assert _consensus_quotes(live_server) == [FIRST]
    with live_server.session() as session:
        event = session.scalars(select(Event).where(Event.action == "agreement.adjudicated")).one()
        assert event.detail["reason"] == "Consequences of turnover belong under another code"

    # the consensus layer is a coder like any other: in quotes where the evidence page exists,
    # and through the coding API otherwise
    if "evidence.index" in live_server.app.view_functions:
        page.goto(live_server.url(f"/p/lpsa/evidence?code={code_id}&consensus=1"))
        quotes = page.locator("main").inner_text()
        assert FIRST in quotes
        assert "coded by Consensus" in quotes  # the quote is attributed to the consensus layer
    else:
        answer = page.request.get(live_server.url(f"/api/p/lpsa/documents/{doc_id}/codings"))
        assert answer.ok
        body = answer.json()
        codings = body["codings"] if isinstance(body, dict) else body
        assert any(
            c.get("origin") == "adjudication" and (c["start"], c["end"]) == (start, start + 31)
            for c in codings
        )
