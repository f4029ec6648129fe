"""Gathering a chapter pack: evidence counts, which sub-codes a code includes, pinned quotes
first, a balanced selection, attribution, agreement and pseudonymisation."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Document, Event, Role
from qualcode.reports.pack import FrameworkLine
from qualcode.services import chapters
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services.framework import set_framework_cell
from qualcode.services.reports import gather_report, pseudonym_rules, set_pseudonyms

Q = "What got in the way?"
A1 = "Staff turnover at Avonbury was the killer: the champion left and nobody handed over."
A2 = "Our data was poor and the baseline was wrong from the start, so nobody trusted it."
A3 = "Turnover again; the new manager had never heard of the agreement at all."


@pytest.fixture
def study(session):
    ruth = make_user(session, "ruth", display_name="Ruth Okafor")
    dan = make_user(session, "dan", display_name="Daniel Hughes")
    project = make_project(session, "pack", owner=ruth, title="LPSA sample")
    project_service.add_member(session, project, dan, Role.CODER)
    barriers = make_code(session, project, "Barriers", definition="What held delivery back.")
    turnover = make_code(
        session, project, "Turnover", parent=barriers, definition="Staff leaving without handover."
    )
    handover = make_code(session, project, "No handover", parent=turnover)
    data = make_code(session, project, "Poor data", parent=barriers)
    role = document_service.define_attribute(session, project, "interviewee_role", "document")
    docs = {}
    for title, case, who, answer, rolename in (
        ("avonbury-coordinator", "Avonbury", "Jane Smith", A1, "LPSA coordinator"),
        ("avonbury-partner", "Avonbury", "Raj Patel", A3, "partner agency"),
        ("castlebridge-finance", "Castlebridge", "Tom Reed", A2, "finance officer"),
        ("eastwick-member", "Eastwick", "Ann Lee", A2, "elected member"),
    ):
        doc = make_document(
            session, project, title=title, case=case, turns=[("Interviewer", Q), (who, answer)]
        )
        document_service.set_attribute(session, role, doc, rolename)
        docs[title] = doc
    av, ap = docs["avonbury-coordinator"], docs["avonbury-partner"]
    cb = docs["castlebridge-finance"]
    codings = {
        "av-ruth": make_coding(session, av, turnover, ruth, quote=A1),
        "av-dan": make_coding(session, av, turnover, dan, quote=A1[:40]),  # double-coded
        "ap": make_coding(session, ap, handover, ruth, quote=A3),  # a sub-code's coding
        "question": make_coding(session, av, turnover, ruth, quote=Q),  # interviewer: no
        "cb": make_coding(session, cb, data, ruth, quote=A2),
        "cb-barrier": make_coding(session, cb, barriers, ruth, quote=A2[:14]),
    }
    chapter = chapters.add_chapter(
        session, project, number="4", title="Implementation", user_id=None
    )
    section = chapters.add_section(
        session,
        chapter,
        number="4.1",
        title="Barriers",
        code_ids=[barriers.id, turnover.id, data.id],
        user_id=None,
    )
    session.commit()
    return {"project": project, "docs": docs, "codings": codings, "section": section, "ruth": ruth}


def _codes(report):
    return {c.path: c for s in report.chapters[0].sections for c in s.codes}


def test_reports_evidence_base_counts_each_code_with_its_unlisted_sub_codes(session, study):
    report = gather_report(session, study["project"], chapter="4", today=date(2005, 6, 1))
    codes = _codes(report)
    assert list(codes) == ["Barriers", "Barriers/Turnover", "Barriers/Poor data"]
    turnover = codes["Barriers/Turnover"]
    # two coders on the Avonbury answer + the sub-code's coding; the question is not evidence
    assert (turnover.base.segments, turnover.base.documents) == (3, 2)
    assert turnover.base.cases == ("Avonbury",)
    assert turnover.base.cases_without == ("Castlebridge", "Eastwick")
    assert turnover.frequency == [("Avonbury", 3), ("Castlebridge", 0), ("Eastwick", 0)]
    assert turnover.definition == "Staff leaving without handover."
    # the parent counts only what no listed sub-code takes
    barriers = codes["Barriers"]
    assert (barriers.base.segments, barriers.base.cases) == (1, ("Castlebridge",))
    assert codes["Barriers/Poor data"].base.segments == 1


def test_reports_quotes_are_the_transcript_with_attribution(session, study):
    report = gather_report(session, study["project"], chapter="4", per_case=5)
    turnover = _codes(report)["Barriers/Turnover"]
    # the double-coded passage appears once (the longer coding), the interviewer never
    assert [q.text for q in turnover.selection] == [A1, A3]
    for quote in report.quotes:
        doc = session.get(Document, quote.document_id)
        assert doc.text[quote.start : quote.end] == quote.text
    first = turnover.selection[0].attribution
    assert (first.case, first.role, first.document, first.paragraph, first.speaker) == (
        "Avonbury",
        "LPSA coordinator",
        "avonbury-coordinator",
        2,
        "Jane Smith",
    )
    assert first.line() == "Avonbury, LPSA coordinator (avonbury-coordinator, para. 2)"
    assert report.cover.coders == ("Ruth Okafor", "Daniel Hughes")
    assert report.cover.project == "LPSA sample"
    assert report.cover.codebook_version is None


def test_reports_pinned_quotes_come_first_and_are_not_repeated(session, study):
    pin = chapters.pin_quote(
        session,
        study["project"],
        coding_id=study["codings"]["ap"].id,
        section=study["section"],
        note="the clearest case",
        user_id=None,
    )
    session.commit()
    report = gather_report(session, study["project"], chapter="4", per_case=5)
    turnover = _codes(report)["Barriers/Turnover"]
    assert [(q.text, q.note) for q in turnover.pinned] == [(A3, "the clearest case")]
    assert [q.text for q in turnover.selection] == [A1]
    assert turnover.pinned[0].attribution.role == "partner agency"
    assert report.chapters[0].sections[0].other_pins == []
    assert pin.id
    assert len(report.quotes) == 4


def test_reports_balance_the_selection_per_case(session, study):
    report = gather_report(session, study["project"], chapter="4", per_case=1)
    turnover = _codes(report)["Barriers/Turnover"]
    assert len(turnover.selection) == 1
    assert turnover.base.segments == 3  # counts are over all evidence, not the selection
    assert gather_report(session, study["project"], per_case=0).quotes == []
    with pytest.raises(InvalidInput):
        gather_report(session, study["project"], per_case=-1)
    with pytest.raises(NotFound, match="no chapter 9"):
        gather_report(session, study["project"], chapter="9")


def test_reports_pseudonymise_quotes_attributions_and_cases(session, study):
    project = study["project"]
    set_pseudonyms(
        session,
        project,
        [
            {"find": "Avonbury", "replace": "[Authority A]"},
            {"find": "Jane Smith", "replace": "[Coordinator]"},
            {"find": "", "replace": ""},
        ],
        user_id=None,
    )
    session.commit()
    assert pseudonym_rules(project) == [
        {"find": "Avonbury", "replace": "[Authority A]"},
        {"find": "Jane Smith", "replace": "[Coordinator]"},
    ]
    assert session.scalars(select(Event).where(Event.action == "pseudonyms.updated")).one()
    report = gather_report(session, project, chapter="4", pseudonymise=True)
    turnover = _codes(report)["Barriers/Turnover"]
    first = turnover.selection[0]
    doc = session.get(Document, first.document_id)
    assert first.text == doc.text[first.start : first.end].replace("Avonbury", "[Authority A]")
    assert "Avonbury" not in first.text
    assert first.attribution.case == "[Authority A]"
    assert first.attribution.document == "[Authority A]-coordinator"
    assert first.attribution.speaker == "[Coordinator]"
    assert turnover.base.cases == ("[Authority A]",)
    assert report.cover.pseudonymised
    plain = gather_report(session, project, chapter="4")
    assert "Avonbury" in _codes(plain)["Barriers/Turnover"].selection[0].text
    with pytest.raises(InvalidInput):
        set_pseudonyms(session, project, [{"find": "", "replace": "[X]"}], user_id=None)


def test_reports_agreement_summary_only_when_documents_were_double_coded(session, study):
    report = gather_report(session, study["project"], chapter="4")
    summary = report.cover.agreement
    # both coders coded the Avonbury coordinator's interview: one compared document
    assert summary is not None
    assert summary.documents == 1
    assert summary.coders == ("Ruth Okafor", "Daniel Hughes")
    assert "Krippendorff's alpha" in _codes(report)["Barriers/Turnover"].agreement

    lone = make_project(session, "lone", owner=study["ruth"])
    code = make_code(session, lone, "Theme")
    chapter = chapters.add_chapter(session, lone, number="1", title="One", user_id=None)
    chapters.add_section(
        session, chapter, number="1.1", title="S", code_ids=[code.id], user_id=None
    )
    doc = make_document(session, lone, case="X")
    make_coding(session, doc, code, study["ruth"], quote="staff turnover")
    session.commit()
    assert gather_report(session, lone).cover.agreement is None


def test_reports_carry_the_framework_summaries_of_each_theme(session, study):
    project = study["project"]
    turnover = next(c for c in study["section"].codes if c.name == "Turnover")
    avonbury = study["docs"]["avonbury-coordinator"].case_id
    eastwick = study["docs"]["eastwick-member"].case_id
    set_framework_cell(
        session,
        project,
        avonbury,
        turnover.id,
        "Chronic after 2003",
        [study["codings"]["av-ruth"].id],
        user_id=None,
    )
    set_framework_cell(session, project, eastwick, turnover.id, "", [], user_id=None)
    session.commit()
    report = gather_report(session, project, chapter="4")
    assert _codes(report)["Barriers/Turnover"].framework == [
        FrameworkLine("Avonbury", "Chronic after 2003", 3)
    ]
    assert _codes(report)["Barriers/Poor data"].framework == []
