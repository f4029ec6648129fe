"""The whole app, walked as its users walk it: every area in the project's navigation opens
(200, no console errors) for a lead, a coder and a viewer, each sees the areas of their role, the
project home leads into its cases, and a quote on the Evidence page opens the
workbench scrolled to its passage with the passage selected."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# long enough that the last answer starts far below the fold of a 900-pixel window; the emoji
# makes code-point and UTF-16 offsets differ before the quote
FILLER = [
    (
        "Interviewer" if i % 2 == 0 else "Jane Smith",
        " ".join([f"Turn {i}: the targets, again. 🙂"] * 6),
    )
    for i in range(40)
]
QUOTE = "Nobody took the target over after the champion left."
TURNS = [*FILLER, ("Jane Smith", f"Staffing was hard. {QUOTE} That hurt.")]
UNCODED = "Staffing was hard."

LEAD_AREAS = [
    "Documents",
    "Attributes",
    "Codebook",
    "Suggestions",
    "Evidence",
    "Matrices",
    "Chapters",
    "Agreement",
    "Import / export",
    "Members",
]
CODER_AREAS = [a for a in LEAD_AREAS if a != "Agreement"]
VIEWER_AREAS = [a for a in CODER_AREAS if a != "Suggestions"]


def _world(live_server: Any) -> dict[str, int]:
    with live_server.session() as session:
        owner = make_user(session, "olive", display_name="Olive Owner")
        project = make_project(session, "lpsa", owner=owner, title="LPSA sample")
        member(session, project, Role.LEAD, "lena")
        coder = member(session, project, Role.CODER, "cora")
        member(session, project, Role.VIEWER, "vera")
        turnover = make_code(session, project, "Staff turnover", definition="People leaving.")
        doc = make_document(
            session, project, title="Northshire coordinator", case="Northshire", turns=TURNS
        )
        coding = make_coding(session, doc, turnover, coder, quote=QUOTE)
        session.flush()
        return {
            "document": doc.id,
            "code": turnover.id,
            "coding": coding.id,
            "start": coding.start,
            "end": coding.end,
            "uncoded": doc.text.index(UNCODED),
        }


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    assert "Traceback" not in page.content()


@pytest.mark.parametrize(
    ("username", "areas"),
    [("lena", LEAD_AREAS), ("cora", CODER_AREAS), ("vera", VIEWER_AREAS)],
)
def test_every_area_in_the_navigation_opens(live_server, page, username, areas):
    _world(live_server)
    errors = _console_errors(page)
    live_server.sign_in(page, username)
    _visit(page, live_server.url("/p/lpsa/"))
    nav = page.locator("header nav.areas a")
    assert nav.all_inner_texts() == areas  # Agreement for leads only, Audit log for owners
    links = [(a.inner_text(), a.get_attribute("href")) for a in nav.all()]
    for label, href in links:
        _visit(page, live_server.url(href))
        active = page.locator("header nav.areas a.active")
        assert active.all_inner_texts() == [label], f"{label} is not marked as the open area"

    # the project home leads into its cases and the workbench, and the title leads back
    _visit(page, live_server.url("/p/lpsa/"))
    page.locator("#documents").get_by_role("link", name="Northshire", exact=True).click()
    assert page.locator("h1").inner_text() == "Northshire"
    page.get_by_role("link", name="Northshire coordinator").click()
    page.wait_for_selector("body.workbench-ready")
    page.locator("header a.crumb").click()  # the project title goes back home
    assert page.url.endswith("/p/lpsa/")
    assert errors == []


def _target_state(page: Any) -> dict[str, Any]:
    """What the workbench selected on load, and whether it is inside the visible pane."""
    return page.evaluate(
        """() => {
          const wb = window.qualcode.workbench;
          const t = wb.target;
          const rect = wb.index.rangeFor(t.start, t.end).getBoundingClientRect();
          const pane = document.getElementById("transcript-pane").getBoundingClientRect();
          return {
            target: t,
            quote: wb.index.quote(t.start, t.end),
            selected: window.getSelection().toString(),
            visible: rect.top >= pane.top && rect.bottom <= pane.bottom,
          };
        }"""
    )


def test_evidence_quote_opens_the_workbench_at_its_passage(live_server, page):
    world = _world(live_server)
    errors = _console_errors(page)
    live_server.sign_in(page, "lena")
    _visit(page, live_server.url(f"/p/lpsa/evidence?code={world['code']}"))
    quote = page.locator("#quotes article.quote")
    assert quote.count() == 1
    quote.get_by_role("link", name="Open in workbench").click()
    page.wait_for_selector("body.workbench-ready")

    state = _target_state(page)
    assert state["target"] == {"start": world["start"], "end": world["end"]}
    assert state["quote"] == QUOTE
    assert state["visible"], "the workbench did not scroll to the quote"
    # the coding itself is selected: its card offers recode and uncode
    card = page.locator("#coding-card")
    assert card.is_visible()
    assert "Staff turnover" in card.inner_text()

    # a link to a passage no coding covers selects the passage itself
    start, end = world["uncoded"], world["uncoded"] + len(UNCODED)
    _visit(page, live_server.url(f"/p/lpsa/documents/{world['document']}#o={start}-{end}"))
    page.wait_for_selector("body.workbench-ready")
    state = _target_state(page)
    assert state["target"] == {"start": start, "end": end}
    assert state["selected"] == UNCODED
    assert state["visible"]
    assert errors == []
