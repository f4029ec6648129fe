"""A lead author filters quotes on the Evidence page, pins one to a report section, sees it on
the Chapters page and downloads the chapter's evidence pack."""

from __future__ import annotations

import io

import docx
import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select

from qualcode.models import PinnedQuote
from qualcode.services import chapters

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NORTH = "The champion left in the spring and nobody took the target over after that."
SOUTH = "We lost two target owners in a year, and the partnership never recovered."


def _world(live_server) -> dict[str, int]:
    with live_server.session() as session:
        ruth = make_user(session, "ruth", display_name="Ruth Okafor")
        project = make_project(session, "lpsa", owner=ruth, title="LPSA sample")
        turnover = make_code(session, project, "Staff turnover", definition="People leaving.")
        for case, answer in (("Northshire", NORTH), ("Southwold", SOUTH)):
            doc = make_document(
                session,
                project,
                title=f"{case} coordinator",
                case=case,
                turns=[("Interviewer", "What got in the way?"), ("Sam", answer)],
            )
            make_coding(session, doc, turnover, ruth, quote=answer)
        chapter = chapters.add_chapter(
            session, project, number="4", title="Implementation", user_id=None
        )
        section = chapters.add_section(
            session,
            chapter,
            number="4.1",
            title="Barriers to improvement",
            code_ids=[turnover.id],
            user_id=None,
        )
        session.flush()
        return {"code": turnover.id, "section": section.id, "chapter": chapter.id}


def test_evidence_flow_filter_pin_and_download_the_pack(live_server, page):
    world = _world(live_server)
    live_server.sign_in(page, "ruth")

    # filter: the code, and only the Southwold case
    page.goto(live_server.url("/p/lpsa/evidence"))
    page.locator(f"#code-tree input[value='{world['code']}']").check()
    filters = page.locator("details.more-filters")
    if not filters.evaluate("details => details.open"):
        filters.locator("summary").click()
    page.locator("select[name=case]").select_option(label="Southwold")
    page.locator("#find").click()
    page.wait_for_selector("#quotes article.quote")
    quotes = page.locator("#quotes article.quote")
    assert quotes.count() == 1
    assert quotes.first.locator("blockquote.text").inner_text() == SOUTH

    # pin it to section 4.1 with a note
    quotes.first.locator("button.pin").click()
    dialog = page.locator("#pin-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("#pin-quote").inner_text() == SOUTH
    dialog.locator("#pin-section").select_option(label="4.1 Barriers to improvement")
    dialog.locator("#pin-note").fill("Sums up the turnover problem")
    dialog.get_by_role("button", name="Pin").click()
    page.wait_for_selector("button.pin.pinned")
    assert quotes.first.locator("button.pin").inner_text() == "Pinned to 4.1"
    with live_server.session() as session:
        pin = session.scalars(select(PinnedQuote)).one()
        assert pin.quote == SOUTH
        assert pin.note == "Sums up the turnover problem"

    # the Chapters page shows it; the chapter pack contains it
    page.goto(live_server.url("/p/lpsa/chapters"))
    pinned = page.locator(f"#section-{world['section']} li.pin")
    assert pinned.count() == 1
    assert pinned.locator("blockquote.quote").inner_text() == SOUTH
    assert "Southwold" in pinned.locator(".cite").inner_text()
    assert "Sums up the turnover problem" in pinned.locator(".note").inner_text()
    link = page.locator(f"#chapter-{world['chapter']} a.download-pack")
    href = link.get_attribute("href")
    assert href.startswith(f"/p/lpsa/chapters/{world['chapter']}/pack.docx")
    response = page.request.get(live_server.url(href))
    assert response.ok
    assert response.headers["content-type"].endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.body()))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "4.1 Barriers to improvement") in paragraphs
    quotes_in_pack = [text for style, text in paragraphs if style == "Quote"]
    assert quotes_in_pack[0] == SOUTH  # the pinned quote opens the code's quotes
    assert NORTH in quotes_in_pack
    assert ("Author Note", "Note: Sums up the turnover problem") in paragraphs

    # the page's own download shows its progress and reports when the pack is ready
    link.click()
    page.locator("#pack-status", has_text="ready").wait_for()
    assert "lpsa-chapter-4-evidence-pack.docx ready" in page.locator("#pack-status").inner_text()
