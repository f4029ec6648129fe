"""The codebook editor in headless Chromium: create a code, drag it under another, merge it
(confirming how many codings move), and see a stale edit reported as a conflict."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import func, select

from qualcode.models import Code, Coding
from qualcode.services import codebook as codebook_service

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TURNS = [
    ("Interviewer", "What got in the way?"),
    ("Ann Lee", "Staff turnover. The champion left and nobody handed over the target."),
]


def node(page, name: str):
    return page.locator("#cb-tree .cb-node", has=page.locator(".name", has_text=name)).first


def test_codebook_editor_creates_moves_and_merges_a_code(live_server, page):
    with live_server.session() as s:
        ruth = make_user(s, "ruth")
        project = make_project(s, "lpsa", owner=ruth)
        doc = make_document(s, project, turns=TURNS)
        barriers = make_code(s, project, "Barriers", kind="barrier", color="#9B1B1B")
        turnover = make_code(s, project, "Staff turnover", parent=barriers, kind="barrier")
        churn = make_code(s, project, "Churn", kind="barrier")
        make_coding(s, doc, turnover, ruth, quote="Staff turnover.")
        make_coding(s, doc, churn, ruth, quote="The champion left")
        make_coding(s, doc, churn, ruth, quote="nobody handed over the target")
    live_server.sign_in(page, "ruth")
    page.goto(live_server.url("/p/lpsa/codebook"))

    # create
    page.click("#cb-new-root")
    page.fill("#cb-new-name", "Weak partnership")
    page.select_option("#cb-new-kind", "barrier")
    page.click("#cb-new-create")
    page.wait_for_selector("#cb-status:has-text('Created Weak partnership')")
    assert page.input_value("#f-name") == "Weak partnership"

    # move: drag it onto Barriers
    node(page, "Weak partnership").drag_to(node(page, "Barriers"))
    page.wait_for_selector("#cb-status:has-text('Moved to Barriers/Weak partnership')")
    assert page.text_content("#cb-path") == "Barriers/Weak partnership"

    # merge Churn into Barriers/Staff turnover, with the count in the confirmation
    node(page, "Churn").click()
    expect(page.locator("#f-name")).to_have_value("Churn")
    page.select_option("#cb-merge-target", label="Barriers/Staff turnover")
    page.click("#cb-merge")
    page.wait_for_selector("#cb-confirm[open]")
    assert "2 codings will move to “Staff turnover”" in page.text_content("#cb-confirm-text")
    page.click("#cb-confirm-ok")
    page.wait_for_selector("#cb-status:has-text('Merged: 2 codings moved')")
    assert page.input_value("#f-name") == "Staff turnover"
    assert node(page, "Staff turnover").locator(".count").text_content() == "3"
    assert page.locator("#cb-tree .cb-node .name", has_text="Churn").count() == 0

    with live_server.session() as s:
        rows = {r.path: r for r in codebook_service.tree(s, project.id)}
        assert set(rows) == {"Barriers", "Barriers/Staff turnover", "Barriers/Weak partnership"}
        assert rows["Barriers/Staff turnover"].codings == 3
        assert s.scalar(select(func.count()).select_from(Coding)) == 3


def test_codebook_editor_reports_a_stale_edit_and_searches(live_server, page):
    with live_server.session() as s:
        ruth = make_user(s, "ruth")
        project = make_project(s, "lpsa", owner=ruth)
        barriers = make_code(s, project, "Barriers")
        make_code(s, project, "Staff turnover", parent=barriers, keywords=["handover"])
        make_code(s, project, "Enablers")
    live_server.sign_in(page, "ruth")
    page.goto(live_server.url("/p/lpsa/codebook"))

    page.fill("#cb-search", "handover")  # found by keyword; its parent stays visible
    expect(page.locator("#cb-tree .cb-node")).to_have_count(2)
    node(page, "Staff turnover").click()
    expect(page.locator("#f-name")).to_have_value("Staff turnover")

    with live_server.session() as s:  # someone else saves meanwhile
        code = s.scalars(select(Code).where(Code.name == "Staff turnover")).one()
        codebook_service.update_code(
            s, code, user_id=None, lock_version=code.lock_version, definition="Their definition"
        )
    page.fill("#f-definition", "My definition")
    page.click("#cb-save")
    page.wait_for_selector("#cb-conflict:not([hidden])")
    assert "changed by someone else" in page.text_content("#cb-conflict-text")
    page.click("#cb-reload")
    page.wait_for_selector("#cb-conflict", state="hidden")
    assert page.input_value("#f-definition") == "Their definition"
    page.fill("#f-definition", "My definition")
    page.click("#cb-save")
    page.wait_for_selector("#cb-status:has-text('Saved.')")
    with live_server.session() as s:
        code = s.scalars(select(Code).where(Code.name == "Staff turnover")).one()
        assert code.definition == "My definition"


def test_codebook_editor_reorders_siblings_by_drag_and_by_keyboard(live_server, page):
    with live_server.session() as s:
        ruth = make_user(s, "ruth")
        project = make_project(s, "lpsa", owner=ruth)
        barriers = make_code(s, project, "Barriers")
        for name in ("Alpha", "Beta", "Gamma"):
            make_code(s, project, name, parent=barriers)
        make_code(s, project, "Enablers")
    live_server.sign_in(page, "ruth")
    page.goto(live_server.url("/p/lpsa/codebook"))

    def order() -> list[str]:
        with live_server.session() as s:
            return [r.path for r in codebook_service.tree(s, project.id)]

    # the top edge of a row: before it, as its sibling
    alpha = node(page, "Alpha")
    alpha.wait_for()
    box = alpha.bounding_box()
    assert box is not None
    node(page, "Gamma").drag_to(alpha, target_position={"x": box["width"] / 2, "y": 2})
    page.wait_for_selector("#cb-status:has-text('to place 1 among its siblings')")
    assert order() == [
        "Barriers", "Barriers/Gamma", "Barriers/Alpha", "Barriers/Beta", "Enablers",
    ]  # fmt: skip

    # the bottom edge of a top-level row: after it, at the top level
    enablers = node(page, "Enablers")
    box = enablers.bounding_box()
    assert box is not None
    node(page, "Beta").drag_to(
        enablers, target_position={"x": box["width"] / 2, "y": box["height"] - 2}
    )
    page.wait_for_selector("#cb-status:has-text('Moved Beta to place 3')")
    assert order() == ["Barriers", "Barriers/Gamma", "Barriers/Alpha", "Enablers", "Beta"]

    # Alt+ArrowDown: one place down among its siblings, from the keyboard
    node(page, "Gamma").click()
    expect(page.locator("#f-name")).to_have_value("Gamma")
    node(page, "Gamma").focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_selector("#cb-status:has-text('Moved Barriers/Gamma to place 2')")
    assert order() == ["Barriers", "Barriers/Alpha", "Barriers/Gamma", "Enablers", "Beta"]
