"""The Evidence and Matrices pages in headless Chromium: tick a code and filter, expand a quote
to its turns, drill down from a matrix cell, and edit a framework cell."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EAST = [
    ("Interviewer", "What got in the way?"),
    ("Jane Smith", "Staff turnover. The champion left and nobody handed over the target."),
    ("Interviewer", "And then?"),
    ("Jane Smith", "A new manager focused everyone on the data."),
]
FEN = [
    ("Interviewer", "Any barriers here?"),
    ("Tom Brown", "Staff turnover in the police team, mostly."),
]


@pytest.fixture
def world(live_server):
    with live_server.session() as s:
        ruth = make_user(s, "ruth")
        project = make_project(s, "lpsa", owner=ruth)
        barriers = make_code(s, project, "Barriers")
        turnover = make_code(s, project, "Staff turnover", parent=barriers)
        enablers = make_code(s, project, "Enablers")
        east = make_document(s, project, title="East", turns=EAST, case="Eastwick")
        fen = make_document(s, project, title="Fen", turns=FEN, case="Fenmoor")
        make_coding(s, east, turnover, ruth, quote="Staff turnover. The champion left")
        make_coding(s, fen, turnover, ruth, quote="Staff turnover in the police team")
        make_coding(s, east, enablers, ruth, quote="A new manager focused everyone")
        make_coding(s, fen, barriers, ruth, quote="Any barriers here?")
    return live_server


def test_evidence_filters_quotes_and_expands_context(world, page):
    world.sign_in(page, "ruth")
    page.goto(world.url("/p/lpsa/evidence"))
    page.fill("#code-filter", "staff")
    expect(page.locator("#code-tree li", has_text="Enablers")).to_be_hidden()
    page.locator("#code-tree li", has_text="Barriers").first.locator("input").check()
    page.locator("#code-filter").fill("")
    page.select_option("select[name=speaker]", "respondents")
    page.click("#find")
    expect(page.locator("#count-segments")).to_have_text("2")
    expect(page.locator("#count-cases")).to_have_text("2")
    first = page.locator(".quote").first
    expect(first.locator("blockquote")).to_have_text("Staff turnover. The champion left")
    first.locator(".context-toggle").click()
    expect(first.locator(".context .turn.hit mark")).to_have_text(
        "Staff turnover. The champion left"
    )
    expect(first.locator(".context .turn")).to_have_count(3)
    first.locator(".context .more").click()
    expect(first.locator(".context .turn")).to_have_count(4)


def test_evidence_query_builder_writes_the_query(world, page):
    world.sign_in(page, "ruth")
    page.goto(world.url("/p/lpsa/evidence"))
    page.select_option("#builder-code", "Barriers")
    page.click("#builder-add")
    page.select_option("#builder-op", "SAMETURN")
    page.select_option("#builder-code", "Enablers")
    page.click("#builder-add")
    expect(page.locator("#query")).to_have_value('"Barriers" SAMETURN "Enablers"')
    page.click("#find")
    expect(page.locator("#count-segments")).to_have_text("0")


def test_matrix_cell_drills_down_and_framework_cell_is_edited(world, page):
    world.sign_in(page, "ruth")
    page.goto(world.url("/p/lpsa/matrices"))
    page.locator("#matrix tbody tr", has_text="Barriers").first.locator("td a").first.click()
    expect(page.locator("#count-segments")).to_have_text("1")
    page.goto(world.url("/p/lpsa/matrices/framework"))
    cell = page.locator("td.fw-cell").first
    cell.locator(".fw-edit").click()
    expect(page.locator("#fw-candidates input")).to_have_count(1)
    page.fill("#fw-summary", "Turnover stalled delivery.")
    page.locator("#fw-candidates input").check()
    page.click("#fw-save")
    expect(cell.locator(".fw-summary")).to_have_text("Turnover stalled delivery.")
    expect(cell.locator(".fw-quotes li")).to_contain_text("Staff turnover. The champion left")
    page.reload()
    expect(page.locator("td.fw-cell").first.locator(".fw-summary")).to_have_text(
        "Turnover stalled delivery."
    )
