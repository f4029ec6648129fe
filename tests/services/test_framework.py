"""The framework matrix: cases × themes with editable, audited, quote-linked summaries."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user
from sqlalchemy import select

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Event
from qualcode.services.framework import framework_matrix, set_framework_cell


@pytest.fixture
def world(session):
    lead = make_user(session, "lead", display_name="Lena Lead", password=None)
    project = make_project(session, "lpsa", owner=lead)
    barriers = make_code(session, project, "Barriers")
    poor = make_code(session, project, "Poor data", parent=barriers)
    enablers = make_code(session, project, "Enablers")
    east = make_document(session, project, title="East", case="Eastwick")
    fen = make_document(session, project, title="Fen", case="Fenmoor")
    c1 = make_coding(session, east, poor, lead, quote="staff turnover")
    c2 = make_coding(session, east, enablers, lead, quote="pump priming money")
    c3 = make_coding(session, fen, poor, lead, quote="The champion left")
    session.commit()
    return {
        "project": project,
        "lead": lead,
        "barriers": barriers,
        "poor": poor,
        "enablers": enablers,
        "east": east,
        "fen": fen,
        "c": [c1.id, c2.id, c3.id],
    }


def test_framework_matrix_defaults_to_top_level_themes_with_evidence_counts(session, world):
    fm = framework_matrix(session, world["project"])
    assert [h.label for h in fm.cases] == ["Eastwick", "Fenmoor"]
    assert [h.label for h in fm.themes] == ["Barriers", "Enablers"]
    assert [[e.evidence for e in row] for row in fm.cells] == [[1, 1], [1, 0]]
    assert all(e.summary == "" and e.quotes == [] for row in fm.cells for e in row)
    chosen = framework_matrix(
        session, world["project"], theme_ids=[world["poor"].id], case_ids=[world["fen"].case_id]
    )
    assert [h.label for h in chosen.themes] == ["Barriers/Poor data"]
    assert [h.label for h in chosen.cases] == ["Fenmoor"]


def test_framework_cell_edits_are_stored_linked_and_audited(session, world):
    project, c1 = world["project"], world["c"][0]
    set_framework_cell(
        session,
        project,
        world["east"].case_id,
        world["barriers"].id,
        "  Turnover of champions stalled delivery. ",
        [c1, c1],
        world["lead"].id,
    )
    set_framework_cell(
        session,
        project,
        world["east"].case_id,
        world["barriers"].id,
        "Turnover stalled delivery.",
        [c1],
        world["lead"].id,
    )
    session.commit()
    fm = framework_matrix(session, project)
    entry = fm.cells[0][0]
    assert entry.summary == "Turnover stalled delivery."
    assert [q.text for q in entry.quotes] == ["staff turnover"]
    assert entry.coding_ids == [c1]
    assert entry.updated_by == "Lena Lead"
    events = session.scalars(
        select(Event).where(Event.action == "framework.cell_set").order_by(Event.id)
    ).all()
    assert len(events) == 2
    assert events[1].detail["before"]["summary"] == "Turnover of champions stalled delivery."
    assert events[1].detail["after"] == {
        "summary": "Turnover stalled delivery.",
        "coding_ids": [c1],
    }
    assert fm.to_dict()["cells"][0][0]["coding_ids"] == [c1]


def test_framework_cell_refuses_foreign_or_mismatched_links(session, world):
    project, east_case = world["project"], world["east"].case_id
    with pytest.raises(Conflict, match="not from Eastwick"):
        set_framework_cell(
            session, project, east_case, world["barriers"].id, "x", [world["c"][2]], None
        )
    with pytest.raises(NotFound):
        set_framework_cell(session, project, east_case, world["barriers"].id, "x", [999999], None)
    other = make_project(session, "other")
    other_doc = make_document(session, other, case="Elsewhere")
    with pytest.raises(NotFound):
        set_framework_cell(session, project, other_doc.case_id, world["barriers"].id, "x", [], None)
    with pytest.raises(InvalidInput, match="limited"):
        set_framework_cell(
            session, project, east_case, world["barriers"].id, "x" * 20_001, [], None
        )
