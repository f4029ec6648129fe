"""The Chapters page: reading and downloading as a viewer; pinning, ordering, notes, unpinning,
outline editing and the pseudonym list as a lead; roles, CSRF and other projects' ids."""

from __future__ import annotations

import io
import re

import docx
import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from helpers import login, post_json
from sqlalchemy import select

from qualcode.models import ChapterOutline, ChapterSection, PinnedQuote, Project, Role
from qualcode.services import chapters

ANSWER = "At Avonbury the champion left in the spring and nobody handed over the target."
OTHER = "The pump priming money let us start the scheme early."


@pytest.fixture
def world(session):
    owner = make_user(session, "owner")
    project = make_project(session, "lpsa", owner=owner, title="LPSA sample")
    for role in (Role.LEAD, Role.CODER, Role.VIEWER):
        member(session, project, role, f"{role.value}-user")
    turnover = make_code(session, project, "Staff turnover")
    priming = make_code(session, project, "Pump priming")
    doc = make_document(
        session,
        project,
        title="avonbury-coordinator",
        case="Avonbury",
        turns=[
            ("Interviewer", "What got in the way?"),
            ("Jane", ANSWER),
            ("Interviewer", "And what helped?"),
            ("Jane", OTHER),
        ],
    )
    first = make_coding(session, doc, turnover, owner, quote=ANSWER)
    second = make_coding(session, doc, priming, owner, quote=OTHER)
    chapter = chapters.add_chapter(
        session, project, number="4", title="Implementation", user_id=None
    )
    barriers = chapters.add_section(
        session, chapter, number="4.1", title="Barriers", code_ids=[turnover.id], user_id=None
    )
    enablers = chapters.add_section(
        session, chapter, number="4.2", title="Enablers", code_ids=[priming.id], user_id=None
    )
    other = make_project(session, "theirs", owner=make_user(session, "them"))
    ocode = make_code(session, other, "Theirs")
    odoc = make_document(session, other, case="Elsewhere")
    ocoding = make_coding(session, odoc, ocode, owner, quote="staff turnover")
    ochapter = chapters.add_chapter(session, other, number="1", title="Theirs", user_id=None)
    osection = chapters.add_section(session, ochapter, number="1.1", title="T", user_id=None)
    session.commit()
    return {
        "first": first.id,
        "second": second.id,
        "barriers": barriers.id,
        "enablers": enablers.id,
        "chapter": chapter.id,
        "foreign_coding": ocoding.id,
        "foreign_section": osection.id,
        "turnover": turnover.id,
    }


def _pin(client, token, world, coding, section, note=""):
    return post_json(
        client,
        "/p/lpsa/chapters/pin",
        token,
        {"coding_id": world[coding], "section_id": world[section], "note": note},
    )


def _pins(session, section_id):
    session.rollback()  # end the read transaction: see what the app committed
    return [
        (p.coding_id, p.position, p.note)
        for p in session.scalars(
            select(PinnedQuote)
            .where(PinnedQuote.section_id == section_id)
            .order_by(PinnedQuote.position)
        )
    ]


def test_chapters_views_lead_pins_and_viewer_reads_and_downloads(app, world, session):
    lead = app.test_client()
    token = login(lead, "lead-user")
    response = _pin(lead, token, world, "first", "barriers", "opens 4.1")
    assert response.status_code == 201
    body = response.get_json()
    assert body["section"] == "4.1 Barriers"
    assert body["pin"]["text"] == ANSWER
    assert body["pin"]["citation"]["paragraph"] == 2
    assert body["pin"]["citation"]["case"] == "Avonbury"
    assert _pin(lead, token, world, "first", "barriers").status_code == 409

    viewer = app.test_client()
    login(viewer, "viewer-user")
    page = viewer.get("/p/lpsa/chapters").get_data(as_text=True)
    assert "4.1 Barriers" in page
    assert ANSWER in page
    assert "Note: opens 4.1" in page
    assert "Edit note" not in page  # no editing for viewers
    start, end = body["pin"]["citation"]["start"], body["pin"]["citation"]["end"]
    workbench = re.search(r'href="([^"]+)">Open in workbench', page).group(1).replace("&amp;", "&")
    assert workbench == (
        f"/p/lpsa/documents/{body['pin']['citation']['document_id']}"
        f"?at={start}&to={end}&coding={world['first']}#o={start}-{end}"
    )
    assert "/p/lpsa/chapters/pack.docx" in page
    outline = viewer.get("/api/p/lpsa/chapters").get_json()
    assert outline["can_pin"] is False
    assert [s["number"] for s in outline["chapters"][0]["sections"]] == ["4.1", "4.2"]

    pack = viewer.get(f"/p/lpsa/chapters/{world['chapter']}/pack.docx?per_case=1")
    assert pack.status_code == 200
    assert pack.mimetype.endswith("wordprocessingml.document")
    assert "lpsa-chapter-4-evidence-pack.docx" in pack.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(pack.data))
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes == [ANSWER, OTHER]
    assert "Note: opens 4.1" in [p.text for p in document.paragraphs]
    whole = viewer.get("/p/lpsa/chapters/pack.docx")
    assert whole.status_code == 200
    assert viewer.get("/p/lpsa/chapters/pack.docx?per_case=x").status_code == 400


def test_chapters_views_writes_need_lead_and_csrf(app, world, session):
    for username in ("viewer-user", "coder-user"):
        client = app.test_client()
        token = login(client, username)
        assert _pin(client, token, world, "first", "barriers").status_code == 403
    lead = app.test_client()
    login(lead, "lead-user")
    response = lead.post(
        "/p/lpsa/chapters/pin", json={"coding_id": world["first"], "section_id": world["barriers"]}
    )
    assert response.status_code == 400  # no CSRF token
    assert _pins(session, world["barriers"]) == []


def test_chapters_views_refuse_other_projects_ids(app, world, session):
    client = app.test_client()
    token = login(client, "lead-user")
    assert _pin(client, token, world, "foreign_coding", "barriers").status_code == 404
    assert _pin(client, token, world, "first", "foreign_section").status_code == 404
    response = client.get(f"/p/lpsa/chapters/{world['foreign_section']}/pack.docx")
    assert response.status_code == 404


def test_chapters_views_order_notes_and_unpin(app, world, session):
    client = app.test_client()
    token = login(client, "lead-user")
    a = _pin(client, token, world, "first", "barriers").get_json()["pin"]["id"]
    b = _pin(client, token, world, "second", "barriers").get_json()["pin"]["id"]
    response = post_json(
        client, f"/p/lpsa/chapters/sections/{world['barriers']}/order", token, {"pin_ids": [b, a]}
    )
    assert response.get_json()["pin_ids"] == [b, a]
    assert [c for c, _, _ in _pins(session, world["barriers"])] == [world["second"], world["first"]]
    # forms (the page without JavaScript) answer with a redirect back to the page
    response = client.post(
        f"/p/lpsa/chapters/pins/{a}/move", data={"direction": "up", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/p/lpsa/chapters#pin-{a}")
    assert [c for c, _, _ in _pins(session, world["barriers"])] == [world["first"], world["second"]]
    client.post(f"/p/lpsa/chapters/pins/{a}/note", data={"note": "lead", "csrf_token": token})
    assert _pins(session, world["barriers"])[0] == (world["first"], 0, "lead")
    post_json(
        client,
        f"/p/lpsa/chapters/pins/{b}/move",
        token,
        {"position": 0, "section_id": world["enablers"]},
    )
    assert [c for c, _, _ in _pins(session, world["enablers"])] == [world["second"]]
    client.post(f"/p/lpsa/chapters/pins/{a}/delete", data={"csrf_token": token})
    assert _pins(session, world["barriers"]) == []


def test_chapters_views_edit_the_outline(app, world, session):
    client = app.test_client()
    token = login(client, "lead-user")
    assert (
        client.post(
            "/p/lpsa/chapters/new", data={"number": "5", "title": "Outcomes", "csrf_token": token}
        ).status_code
        == 302
    )
    five = session.scalars(select(ChapterOutline).where(ChapterOutline.number == "5")).one().id
    response = client.post(
        f"/p/lpsa/chapters/{five}/sections/new",
        data={
            "number": "5.1",
            "title": "Capacity",
            "codes": "Staff turnover\n\nPump priming\n",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    session.rollback()  # end the read transaction: see what the app committed
    section = session.scalars(select(ChapterSection).where(ChapterSection.number == "5.1")).one()
    assert sorted(c.name for c in section.codes) == ["Pump priming", "Staff turnover"]
    bad = client.post(
        f"/p/lpsa/chapters/sections/{section.id}/edit",
        data={"number": "5.1", "title": "Capacity", "codes": "No such code", "csrf_token": token},
    )
    assert bad.status_code == 400
    assert "codes, line 1: no code No such code" in bad.get_data(as_text=True)
    post_json(
        client,
        f"/p/lpsa/chapters/sections/{section.id}/edit",
        token,
        {"title": "Capacity building", "code_ids": [world["turnover"]]},
    )
    session.rollback()  # end the read transaction: see what the app committed
    assert section.title == "Capacity building"
    assert [c.name for c in section.codes] == ["Staff turnover"]
    clash = post_json(
        client, f"/p/lpsa/chapters/{five}/edit", token, {"number": "4", "title": "Again"}
    )
    assert clash.status_code == 409
    post_json(client, f"/p/lpsa/chapters/{five}/move", token, {"direction": "up"})
    session.rollback()  # end the read transaction: see what the app committed
    assert [
        c.number
        for c in session.scalars(
            select(ChapterOutline)
            .join(Project)
            .where(Project.slug == "lpsa")
            .order_by(ChapterOutline.position)
        )
    ] == ["5", "4"]
    client.post(f"/p/lpsa/chapters/{five}/delete", data={"csrf_token": token})
    session.rollback()  # end the read transaction: see what the app committed
    assert session.get(ChapterOutline, five) is None


def test_chapters_views_pseudonyms_apply_to_the_download(app, world, session):
    client = app.test_client()
    token = login(client, "lead-user")
    response = client.post(
        "/p/lpsa/chapters/pseudonyms",
        data={"rules": "Avonbury = [Authority A]\nJane = [Coordinator]\n", "csrf_token": token},
    )
    assert response.status_code == 302
    page = client.get("/p/lpsa/chapters").get_data(as_text=True)
    assert re.search(r"Avonbury = \[Authority A\]\s+Jane = \[Coordinator\]", page)
    bad = client.post(
        "/p/lpsa/chapters/pseudonyms", data={"rules": "no equals sign", "csrf_token": token}
    )
    assert bad.status_code == 400
    pack = client.get(f"/p/lpsa/chapters/{world['chapter']}/pack.docx?pseudonymise=1")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(pack.data)).paragraphs)
    assert "Avonbury" not in text
    assert "At [Authority A] the champion left" in text
