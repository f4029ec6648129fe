"""The workbench page: the transcript rendered by turn, escaped, holding exactly the document's
text with each piece's offsets in code points and UTF-16 units; the embedded state."""

from __future__ import annotations

import functools
import html
import json
import re

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login

from qualcode.models import Role, Turn
from qualcode.services import documents as document_service
from qualcode.services import users as user_service
from qualcode.text.spans import Utf16Index
from qualcode.text.transcript import Transcript, TurnData
from webui.serializers import transcript_blocks

_cached_hash = functools.cache(user_service.hash_password)
PIECE = re.compile(r'<span class="t( h)?" data-o="(\d+)"(?: data-u="(\d+)")?>(.*?)</span>', re.S)


@pytest.fixture(autouse=True)
def _one_password_hash(monkeypatch):
    monkeypatch.setattr(user_service, "hash_password", _cached_hash)


@pytest.fixture
def lpsa(session):
    owner = make_user(session, "olive")
    project = make_project(session, "lpsa", owner=owner)
    member(session, project, Role.VIEWER, "vic")
    document = make_document(
        session,
        project,
        case="Wexborough",
        turns=[
            ("Interviewer", "Did <script>alert('x')</script> & co. help? 🙂"),
            ("Jane Smith", "Yes — the q̃ champion 👩🏽‍💼 pushed it."),
            ("Jane Smith", "And the grant."),
        ],
    )
    code = make_code(session, project, "Staff turnover", color="#CC6600")
    make_coding(session, document, code, owner, quote="champion")
    session.commit()
    return {"project": project, "doc": document, "code": code}


def pieces(page: str) -> list[tuple[bool, int, int, str]]:
    body = page[page.index('id="transcript"') : page.index('id="stripes"')]
    return [
        (bool(h), int(o), int(u or o), html.unescape(text)) for h, o, u, text in PIECE.findall(body)
    ]


def state_of(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="workbench-state">(.*?)</script>', page, re.S
    )
    assert match
    return json.loads(match.group(1))


def test_coding_page_escapes_the_transcript(client, lpsa):
    login(client, "olive")
    page = client.get(f"/p/lpsa/documents/{lpsa['doc'].id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co." in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script type="application/json" id="workbench-state">' in scripts
    assert '<script type="module" src="/static/js/workbench.js">' in scripts
    # nothing inline runs: every other script is loaded from the app (the CSP allows no more)
    assert all(' src="/static/' in tag for tag in scripts if "application/json" not in tag)


def test_coding_page_embeds_code_names_safely(client, session, lpsa):
    name = "<script>alert(1)<\\script>"  # a code name may not hold "/": a backslash will do
    make_code(session, lpsa["project"], name)
    session.commit()
    login(client, "olive")
    page = client.get(f"/p/lpsa/documents/{lpsa['doc'].id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert any(c["name"] == name for c in state_of(page)["codes"])


def test_coding_page_holds_exactly_the_text_with_both_offsets(client, lpsa):
    login(client, "olive")
    page = client.get(f"/p/lpsa/documents/{lpsa['doc'].id}").get_data(as_text=True)
    text = lpsa["doc"].text
    found = pieces(page)
    assert "".join(p[3] for p in found) == text
    for hidden, start, start16, piece in found:
        assert text[start : start + len(piece)] == piece
        assert start16 == len(text[:start].encode("utf-16-le")) // 2
        # hidden: the first label, and each line break with the label after it
        assert hidden == (piece.startswith("\n") or piece == "Interviewer: ")
    assert [p[3] for p in found if not p[0]][1] == "Yes — the q̃ champion 👩🏽‍💼 pushed it."


def test_coding_page_gutter_interviewer_and_state(client, lpsa):
    login(client, "vic")
    page = client.get(f"/p/lpsa/documents/{lpsa['doc'].id}").get_data(as_text=True)
    assert page.count('class="blk interviewer"') == 1
    assert 'class="blk same-speaker"' in page  # Jane Smith's second turn in a row
    assert '<span class="spk">Jane Smith</span>' in page
    assert "Wexborough" in page
    state = state_of(page)
    assert (state["role"], state["canCode"], state["blind"]) == ("viewer", False, False)
    assert [c["path"] for c in state["codes"]] == ["Staff turnover"]
    assert state["codes"][0]["count"] == 1
    coding = state["codings"][0]
    assert (coding["coder"], "quote" in coding) == ("olive", False)
    assert state["textLength"] == len(lpsa["doc"].text)


def test_coding_page_shows_timestamps_in_the_gutter(client, session, lpsa):
    text = "Interviewer: Hello there.\nJane: Hi."
    transcript = Transcript(
        text=text,
        turns=[TurnData(13, 25, "Interviewer", 65.0, True), TurnData(32, 35, "Jane", 3725.0)],
    )
    doc = document_service.add_document(session, lpsa["project"], transcript, title="Timed")
    session.commit()
    login(client, "olive")
    page = client.get(f"/p/lpsa/documents/{doc.id}").get_data(as_text=True)
    assert '<span class="ts">1:05</span>' in page
    assert '<span class="ts">1:02:05</span>' in page


def turns(*spans: tuple[int, int, str | None]) -> list[Turn]:
    return [Turn(index=i, start=a, end=b, speaker=s) for i, (a, b, s) in enumerate(spans)]


def layout(text: str, rows: list[Turn]) -> list[list[tuple[str, bool]]]:
    blocks = transcript_blocks(text, rows, Utf16Index(text))
    covered = "".join(p.text for b in blocks for p in b.pieces)
    assert covered == text
    return [[(p.text, p.hidden) for p in b.pieces] for b in blocks]


def test_coding_page_layout_hides_labels_and_keeps_untagged_lines():
    text = "Title line\n\nA: one\nB: two\nnotes after"
    assert layout(text, turns((15, 18, "A"), (22, 25, "B"))) == [
        [("Title line", False)],
        [("\n\nA: ", True), ("one", False)],
        [("\nB: ", True), ("two", False)],
        [("\n", True), ("notes after", False)],
    ]


def test_coding_page_layout_of_a_text_without_turns_and_of_odd_labels():
    assert layout("one\ntwo\n", []) == [
        [("one", False)],
        [("\n", True), ("two", False), ("\n", True)],
    ]
    # a label that does not start its line is text, not a label
    text = "he said A: yes"
    assert layout(text, turns((11, 14, "A"))) == [[("he said A: ", False)], [("yes", False)]]
    assert layout("\n\n", []) == [[("\n\n", True)]]
    # an empty turn holds nothing to show; its label stays hidden with the next line break
    assert layout("A: \nB: hi", turns((3, 3, "A"), (7, 9, "B"))) == [
        [("A: \nB: ", True), ("hi", False)]
    ]
