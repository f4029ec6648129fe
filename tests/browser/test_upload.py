"""Transcript upload in headless Chromium: two files chosen at once are sent one by one and
each gets its row (status, turns, speakers, words); a broken one shows its reason."""

from __future__ import annotations

import pytest
from cli.test_import_cli import docx_bytes, interview, txt_bytes
from factories import make_project, make_user, member
from sqlalchemy import select

from qualcode.models import Document, Role

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def row(page, name: str):
    return page.locator("#upload-results tbody tr", has=page.locator("td", has_text=name))


def test_upload_two_files_shows_each_with_its_word_count(live_server, page):
    with live_server.session() as s:
        project = make_project(s, "lpsa", owner=make_user(s, "ruth"))
        member(s, project, Role.CODER, "amir")
    live_server.sign_in(page, "amir")
    page.goto(live_server.url("/p/lpsa/import"))
    page.set_input_files(
        "#upload-files",
        [
            {"name": "jane.txt", "mimeType": "text/plain", "buffer": txt_bytes(interview(1))},
            {"name": "omar.docx", "mimeType": DOCX, "buffer": docx_bytes(interview(2, 4))},
            {"name": "broken.docx", "mimeType": DOCX, "buffer": b"PK\x03\x04 damaged"},
        ],
    )
    page.fill("#upload-case", "Northshire")
    page.click("#upload-start")
    expect(page.locator("#upload-summary")).to_contain_text("2 imported, 0 skipped, 1 failed")
    with live_server.session() as s:
        words = dict(s.execute(select(Document.title, Document.word_count)).all())
        cases = {doc.case.name for doc in s.scalars(select(Document))}
    assert cases == {"Northshire"}
    for name, title, turns in (("jane.txt", "jane", "6"), ("omar.docx", "omar", "4")):
        cells = row(page, name).locator("td")
        expect(cells.nth(1)).to_have_text("imported")
        expect(cells.nth(2)).to_have_text(turns)
        expect(cells.nth(3)).to_have_text("2")
        expect(cells.nth(4)).to_have_text(str(words[title]))
    broken = row(page, "broken.docx").locator("td")
    expect(broken.nth(1)).to_have_text("failed")
    expect(broken.nth(5)).to_contain_text("not a Word .docx file (the zip archive is damaged)")
    assert words["jane"] > 60
