"""Codes × cases / attribute values / codes matrices on a hand-built project."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user

from qualcode.errors import InvalidInput, NotFound
from qualcode.services import documents as document_service
from qualcode.services.matrices import code_matrix, tree_order
from qualcode.services.quotes import Filters, QuoteQuery, find_quotes

EAST = [
    ("Interviewer", "What got in the way?"),
    ("Jane Smith", "Poor data first. Later the champion focused the partners."),
    ("Interviewer", "And the staff?"),
    ("Jane Smith", "Staff turnover hurt. A new manager focused everyone; data improved."),
]
FEN = [
    ("Interviewer", "Was data a problem here?"),
    ("Tom Brown", "Data quality was poor across the partnership."),
]


@pytest.fixture
def world(session):
    alice = make_user(session, "alice", password=None)
    bob = make_user(session, "bob", password=None)
    project = make_project(session, "lpsa", owner=alice)
    barriers = make_code(session, project, "Barriers")
    poor = make_code(session, project, "Poor data", parent=barriers)
    staff = make_code(session, project, "Staff turnover", parent=barriers)
    enablers = make_code(session, project, "Enablers")
    focus = make_code(session, project, "Focus", parent=enablers)
    east = make_document(session, project, title="East", turns=EAST, case="Eastwick")
    fen = make_document(session, project, title="Fen", turns=FEN, case="Fenmoor")
    make_document(session, project, title="March", case="Marchshire")
    make_coding(session, east, poor, alice, quote="Poor data first")
    make_coding(session, east, focus, alice, quote="data first. Later")
    make_coding(session, east, focus, alice, quote="the champion focused the partners")
    make_coding(session, east, staff, alice, quote="Staff turnover hurt")
    make_coding(session, east, focus, alice, quote="A new manager focused everyone")
    make_coding(session, east, poor, bob, quote="data improved")
    make_coding(session, fen, poor, alice, quote="Data quality was poor")
    make_coding(session, fen, poor, alice, quote="Was data a problem here")
    make_coding(session, fen, staff, bob, quote="a problem here?\nTom Brown: Data")
    role = document_service.define_attribute(session, project, "interviewee_role", "document")
    document_service.set_attribute(session, role, fen, "finance officer")
    session.commit()
    return {"project": project, "bob": bob, "codes": [barriers, poor, staff, enablers, focus]}


def values(matrix):
    return [[cell.value for cell in row] for row in matrix.cells]


def test_matrices_tree_order_is_depth_first(world):
    assert [c.name for c in tree_order(list(reversed(world["codes"])))] == [
        "Barriers",
        "Poor data",
        "Staff turnover",
        "Enablers",
        "Focus",
    ]


def test_matrices_codes_by_cases_counts_segments_and_documents(session, world):
    matrix = code_matrix(session, world["project"], cols="cases")
    assert [h.label for h in matrix.rows] == [
        "Barriers",
        "Barriers/Poor data",
        "Barriers/Staff turnover",
        "Enablers",
        "Enablers/Focus",
    ]
    assert [h.label for h in matrix.cols] == ["Eastwick", "Fenmoor", "Marchshire"]
    assert values(matrix) == [[3, 3, 0], [2, 2, 0], [1, 1, 0], [3, 0, 0], [3, 0, 0]]
    assert matrix.row_totals == [6, 4, 2, 3, 3]
    assert matrix.col_totals == [6, 3, 0]
    assert matrix.max_value == 3
    docs = code_matrix(session, world["project"], cols="cases", count="documents")
    assert values(docs) == [[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0], [1, 0, 0]]
    assert docs.row_totals[0] == 2


def test_matrices_cells_agree_with_their_quote_drill_down(session, world):
    project = world["project"]
    matrix = code_matrix(session, project, cols="cases")
    for i, row in enumerate(matrix.rows):
        for j, col in enumerate(matrix.cols):
            result = find_quotes(
                session,
                project,
                QuoteQuery(code_ids=(row.key,), filters=Filters(case_ids=(col.key,))),
            )
            assert result.segments == matrix.cells[i][j].value
            assert sorted(q.coding_id for q in result.quotes) == list(matrix.cells[i][j].coding_ids)


def test_matrices_without_descendants_and_with_filters(session, world):
    project = world["project"]
    own = code_matrix(session, project, cols="cases", descendants=False)
    assert values(own)[0] == [0, 0, 0]
    assert values(own)[1] == [2, 2, 0]
    bob = code_matrix(session, project, cols="cases", filters=Filters(coder_ids=(world["bob"].id,)))
    assert values(bob) == [[1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]]
    no_interviewer = code_matrix(
        session, project, cols="cases", filters=Filters(exclude_interviewer=True)
    )
    assert values(no_interviewer)[1] == [2, 1, 0]
    chosen = code_matrix(
        session, project, cols="cases", code_ids=[world["codes"][4].id, world["codes"][1].id]
    )
    assert [h.label for h in chosen.rows] == ["Enablers/Focus", "Barriers/Poor data"]


def test_matrices_codes_by_attribute_values(session, world):
    matrix = code_matrix(session, world["project"], cols="attr:interviewee_role")
    assert [h.label for h in matrix.cols] == ["finance officer", "(no value)"]
    assert values(matrix)[1] == [2, 2]
    with pytest.raises(InvalidInput, match="no attribute named region"):
        code_matrix(session, world["project"], cols="attr:region")


def test_matrices_code_cooccurrence_is_the_and_query(session, world):
    project = world["project"]
    matrix = code_matrix(session, project, cols="codes")
    assert [h.label for h in matrix.cols] == [h.label for h in matrix.rows]
    # rows/cols: Barriers, Poor data, Staff turnover, Enablers, Focus
    assert values(matrix) == [
        [3, 1, 2, 1, 1],
        [2, 0, 2, 1, 1],
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0],
    ]
    for i, row in enumerate(matrix.rows):
        for j, col in enumerate(matrix.cols):
            result = find_quotes(
                session, project, QuoteQuery(expression=f'"{row.label}" AND "{col.label}"')
            )
            assert result.segments == matrix.cells[i][j].value, (row.label, col.label)


def test_matrices_reject_unknown_choices(session, world):
    with pytest.raises(InvalidInput, match="unknown columns"):
        code_matrix(session, world["project"], cols="people")
    with pytest.raises(InvalidInput, match="unknown count"):
        code_matrix(session, world["project"], count="words")
    with pytest.raises(NotFound):
        code_matrix(session, world["project"], code_ids=[999999])
