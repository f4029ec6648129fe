"""Editing attributes: values checked against their type, retyping checks and rewrites every
value, renaming refuses clashes; speakers listed with their role."""

from __future__ import annotations

import pytest
from factories import make_document, make_project
from sqlalchemy import select

from qualcode.errors import Conflict, InvalidInput
from qualcode.models import AttributeScope, AttributeType, AttributeValue, Event
from qualcode.services import attributes as attribute_service
from qualcode.services import documents as document_service
from qualcode.services.speakers import list_speakers


@pytest.fixture
def project(session):
    return make_project(session, "lpsa")


def test_attribute_editing_values_follow_the_sheet_rules(session, project):
    define = document_service.define_attribute
    budget = define(session, project, "Budget", "case", AttributeType.NUMBER)
    since = define(session, project, "Since", "case", AttributeType.DATE)
    kind = define(session, project, "Kind", "case", AttributeType.CHOICE, choices=["County"])
    check = attribute_service.check_value
    assert check(budget, " 1,250 ") == "1250"
    assert check(budget, "-3.5") == "-3.5"
    assert check(since, "12/05/2005") == "2005-05-12"
    assert check(since, "2005-5-2") == "2005-05-02"
    assert check(kind, "County") == "County"
    assert check(kind, "") == ""
    with pytest.raises(InvalidInput, match="Budget: 'lots' is not a number"):
        check(budget, "lots")
    with pytest.raises(InvalidInput, match=r"Since: '31/02/2005' is not a date"):
        check(since, "31/02/2005")
    with pytest.raises(InvalidInput, match="Kind: 'District' is not one of County"):
        check(kind, "District")


def test_attribute_editing_set_value_and_clear(session, project):
    doc = make_document(session, project)
    role = document_service.define_attribute(session, project, "Role", "document")
    assert attribute_service.set_value(session, role, doc, "  Finance   officer ") is True
    assert attribute_service.set_value(session, role, doc, "Finance officer") is False
    rows = session.scalars(select(AttributeValue).where(AttributeValue.attribute_id == role.id))
    assert [r.value for r in rows] == ["Finance officer"]
    assert attribute_service.set_value(session, role, doc, "") is True
    assert session.scalars(select(AttributeValue)).all() == []
    actions = session.scalars(select(Event.action).order_by(Event.id)).all()
    assert actions[-2:] == ["attribute.set", "attribute.cleared"]


def test_attribute_editing_retype_checks_and_rewrites_values(session, project):
    doc = make_document(session, project)
    other = make_document(session, project)
    when = document_service.define_attribute(session, project, "When", "document")
    attribute_service.set_value(session, when, doc, "12/05/2005")
    attribute_service.set_value(session, when, other, "2005-06-01")
    attribute_service.retype_attribute(session, when, "date")
    assert when.type is AttributeType.DATE
    stored = session.scalars(select(AttributeValue.value).order_by(AttributeValue.id)).all()
    assert stored == ["2005-05-12", "2005-06-01"]
    with pytest.raises(InvalidInput, match="When: '2005-05-12' is not a number"):
        attribute_service.retype_attribute(session, when, "number")
    assert when.type is AttributeType.DATE
    attribute_service.retype_attribute(session, when, "choice")
    assert when.choices == ["2005-05-12", "2005-06-01"]
    with pytest.raises(InvalidInput, match="'2005-06-01' is not one of 2005-05-12"):
        attribute_service.retype_attribute(session, when, "choice", ["2005-05-12"])
    attribute_service.retype_attribute(session, when, "text", ["ignored"])
    assert (when.type, when.choices) == (AttributeType.TEXT, [])


def test_attribute_editing_new_and_rename(session, project):
    region = attribute_service.new_attribute(session, project, " Region ", "case", "choice",
                                             ["North", "North", " South"])  # fmt: skip
    assert (region.name, region.choices) == ("Region", ["North", "South"])
    with pytest.raises(Conflict, match="already a case attribute named Region"):
        attribute_service.new_attribute(session, project, "Region", "case")
    attribute_service.new_attribute(session, project, "Region", "document")  # other scope
    with pytest.raises(InvalidInput, match="a choice attribute needs its choices"):
        attribute_service.new_attribute(session, project, "Tier", "case", "choice")
    tier = attribute_service.new_attribute(session, project, "Tier", "case")
    with pytest.raises(Conflict, match="already a case attribute named Region"):
        attribute_service.rename_attribute(session, tier, "Region")
    attribute_service.rename_attribute(session, tier, "Tier  one")
    assert tier.name == "Tier one"
    with pytest.raises(InvalidInput, match="needs a name"):
        attribute_service.rename_attribute(session, tier, "  ")
    names = [(s.attribute.name, s.attribute.scope) for s in
             attribute_service.summaries(session, project)]  # fmt: skip
    assert ("Tier one", AttributeScope.CASE) in names


def test_attribute_editing_value_rows_and_speakers(session, project):
    turns = [("Interviewer", "Why?"), ("Ann Lee", "Because."), ("Interviewer", "And?")]
    doc = make_document(session, project, title="B", turns=turns, case="Northshire")
    make_document(session, project, title="A", turns=turns[:2])
    role = document_service.define_attribute(session, project, "Role", "document")
    attribute_service.set_value(session, role, doc, "Officer")
    rows = attribute_service.value_rows(session, project, AttributeScope.DOCUMENT)
    assert [(r.name, r.values) for r in rows] == [("A", {}), ("B", {role.id: "Officer"})]
    cases = attribute_service.value_rows(session, project, AttributeScope.CASE)
    assert [(r.name, r.values) for r in cases] == [("Northshire", {})]
    speakers = {s.name: s for s in list_speakers(session, project)}
    assert (speakers["Interviewer"].turns, speakers["Interviewer"].documents) == (3, 2)
    assert speakers["Interviewer"].role == "interviewer"
    assert speakers["Ann Lee"].role == "respondent"
    document_service.mark_interviewer(session, project, "Ann Lee")
    speakers = {s.name: s for s in list_speakers(session, project)}
    assert speakers["Ann Lee"].role == "interviewer"
