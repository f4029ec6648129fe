"""The attributes page: everyone sees attributes, values and speakers; a lead renames and
retypes attributes, edits values per case and per document, and marks the interviewer."""

from __future__ import annotations

import pytest
from factories import make_document, make_project, make_user, member
from helpers import login
from sqlalchemy import select

from qualcode.models import AttributeDef, AttributeScope, AttributeType, AttributeValue, Role, Turn
from qualcode.services import documents as document_service

TURNS = [
    ("Interviewer", "What did the reward grant pay for?"),
    ("Jane Smith", "Two posts in the community safety team."),
    ("Moderator Bob", "Thank you, that is all."),
]


@pytest.fixture
def world(session):
    lead = make_user(session, "lead")
    project = make_project(session, "lpsa", owner=lead)
    member(session, project, Role.CODER, "coder")
    member(session, project, Role.VIEWER, "viewer")
    doc = make_document(session, project, title="Interview 1", turns=TURNS, case="Northshire")
    make_document(session, project, title="Interview 2", turns=TURNS[:2], case="Northshire")
    region = document_service.define_attribute(
        session, project, "Region", AttributeScope.CASE, AttributeType.CHOICE,
        choices=["North", "South"],
    )  # fmt: skip
    role = document_service.define_attribute(session, project, "Role", AttributeScope.DOCUMENT)
    interviewed = document_service.define_attribute(
        session, project, "Interviewed", AttributeScope.DOCUMENT, AttributeType.DATE
    )
    document_service.set_attribute(session, region, doc.case, "North")
    document_service.set_attribute(session, role, doc, "Officer")
    session.commit()
    return {"project": project, "doc": doc, "case": doc.case, "region": region, "role": role,
            "interviewed": interviewed}  # fmt: skip


def post(client, token, url, **form):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": token, **form})


def follow(client, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def fresh(session) -> None:  # type: ignore[no-untyped-def]
    """Forget what the test's session holds: the requests committed in their own sessions."""
    session.rollback()
    session.expire_all()


def values(session, attr) -> dict[int | None, str]:  # type: ignore[no-untyped-def]
    fresh(session)
    rows = session.scalars(select(AttributeValue).where(AttributeValue.attribute_id == attr.id))
    return {(row.case_id or row.document_id): row.value for row in rows}


def test_attributes_views_viewer_sees_everything_read_only(client, world):
    login(client, "viewer")
    html = client.get("/p/lpsa/attributes").get_data(as_text=True)
    assert "<td>Region</td><td>case</td><td>choice</td><td>North, South</td>" in html
    assert "<td>Interviewed</td><td>document</td><td>date</td>" in html
    assert 'id="case-values"' in html
    assert "<td>Northshire</td>" in html
    assert "<td>Officer</td>" in html
    assert 'data-speaker="Jane Smith"' in html
    assert "Save</button>" not in html
    assert "Mark as interviewer" not in html


def test_attributes_views_lead_renames_and_retypes(client, session, world):
    token = login(client, "lead")
    url = f"/p/lpsa/attributes/{world['role'].id}"
    page = follow(client, post(client, token, url, name="Interviewee role", type="choice"))
    assert "Attribute Interviewee role (was Role) is choice." in page
    fresh(session)
    role = session.get(AttributeDef, world["role"].id)
    assert (role.name, role.type, role.choices) == ("Interviewee role", AttributeType.CHOICE,
                                                    ["Officer"])  # fmt: skip
    page = follow(client, post(client, token, url, name="Interviewee role", type="number"))
    assert "Not saved. Interviewee role: &#39;Officer&#39; is not a number" in page
    fresh(session)
    assert session.get(AttributeDef, world["role"].id).type is AttributeType.CHOICE
    clash = post(client, token, url, name="Interviewed", type="text")
    assert "there is already a document attribute named Interviewed" in follow(client, clash)


def test_attributes_views_lead_edits_values_per_case_and_document(client, session, world):
    token = login(client, "lead")
    doc, case = world["doc"], world["case"]
    role, interviewed, region = world["role"], world["interviewed"], world["region"]
    form = {f"a{role.id}": "Finance officer", f"a{interviewed.id}": "12/05/2005"}
    page = follow(client, post(client, token, f"/p/lpsa/attributes/documents/{doc.id}", **form))
    assert "Interview 1: 2 values changed." in page
    assert values(session, role) == {doc.id: "Finance officer"}
    assert values(session, interviewed) == {doc.id: "2005-05-12"}  # stored as ISO
    bad = {f"a{role.id}": "", f"a{interviewed.id}": "next Tuesday"}
    page = follow(client, post(client, token, f"/p/lpsa/attributes/documents/{doc.id}", **bad))
    assert "is not a date" in page
    assert values(session, role) == {doc.id: "Finance officer"}  # the row is all or nothing
    cleared = post(client, token, f"/p/lpsa/attributes/documents/{doc.id}", **{f"a{role.id}": ""})
    assert "1 value changed" in follow(client, cleared)
    assert values(session, role) == {}
    url = f"/p/lpsa/attributes/cases/{case.id}"
    east = post(client, token, url, **{f"a{region.id}": "East"})
    assert "not one of North, South" in follow(client, east)
    follow(client, post(client, token, url, **{f"a{region.id}": "South"}))
    assert values(session, region) == {case.id: "South"}
    wrong_scope = post(client, token, url, **{f"a{role.id}": "Officer"})
    assert f"no case attribute with id {role.id}" in follow(client, wrong_scope)


def test_attributes_views_lead_defines_an_attribute(client, session, world):
    token = login(client, "lead")
    form = {"name": "Tranche", "scope": "document", "type": "choice", "choices": "First\nSecond"}
    page = follow(client, post(client, token, "/p/lpsa/attributes", **form))
    assert "Attribute Tranche (document, choice) added." in page
    fresh(session)
    tranche = session.scalars(select(AttributeDef).where(AttributeDef.name == "Tranche")).one()
    assert tranche.choices == ["First", "Second"]
    again = post(client, token, "/p/lpsa/attributes", name="Tranche", scope="document")
    assert "there is already a document attribute named Tranche" in follow(client, again)


def test_attributes_views_lead_marks_the_interviewer(client, session, world):
    token = login(client, "lead")
    page = follow(client, post(client, token, "/p/lpsa/speakers", speaker="Moderator Bob",
                               interviewer="1"))  # fmt: skip
    assert "Moderator Bob is now the interviewer (1 turns)." in page
    fresh(session)
    bob = session.scalars(select(Turn).where(Turn.speaker == "Moderator Bob")).one()
    assert bob.is_interviewer is True
    assert "Moderator Bob" in world["project"].settings["interviewer_labels"]
    undo = post(client, token, "/p/lpsa/speakers", speaker="Interviewer", interviewer="0")
    assert "Interviewer is now a respondent (2 turns)." in follow(client, undo)
    missing = post(client, token, "/p/lpsa/speakers", speaker="Nobody", interviewer="1")
    assert "no speaker named &#39;Nobody&#39;" in follow(client, missing)


def test_attributes_views_roles_and_other_projects(client, session, world):
    other = make_project(session, "other", owner=make_user(session, "someone"))
    foreign = make_document(session, other, case="Elsewhere")
    session.commit()
    coder = login(client, "coder")
    assert client.get("/p/lpsa/attributes").status_code == 200
    for url in ("/p/lpsa/attributes", f"/p/lpsa/attributes/{world['role'].id}",
                f"/p/lpsa/attributes/documents/{world['doc'].id}", "/p/lpsa/speakers"):  # fmt: skip
        assert post(client, coder, url, name="x").status_code == 403
    lead = client.application.test_client()
    token = login(lead, "lead")
    assert post(lead, token, f"/p/lpsa/attributes/documents/{foreign.id}").status_code == 404
    assert post(lead, token, f"/p/lpsa/attributes/cases/{foreign.case_id}").status_code == 404
    assert post(lead, token, "/p/lpsa/attributes/999999", name="x").status_code == 404
    assert lead.post("/p/lpsa/speakers", data={"speaker": "Interviewer"}).status_code == 400
