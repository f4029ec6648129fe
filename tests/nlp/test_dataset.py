"""Examples grouped into labelled rows: implicit negatives, rejections for one code only."""

from __future__ import annotations

from qualcode.nlp import Example
from qualcode.nlp.dataset import build_training_set


def test_rows_group_codes_of_the_same_passage_and_know_all_codes():
    data = build_training_set(
        [1, 2, 3],
        [
            Example("A passage.", 1, True, 5),
            Example(" A passage. ", 3, True, 5),
            Example("Another.", 2, True, 6),
        ],
    )
    assert data.texts == ["A passage.", "Another."]
    assert data.y.tolist() == [[1, 0, 1], [0, 1, 0]]
    assert data.known.all()
    assert data.positives().tolist() == [1, 1, 1]


def test_a_rejection_is_a_negative_for_its_code_only():
    data = build_training_set([1, 2, 3], [Example("Rejected here.", 2, False, 5)])
    assert data.known.tolist() == [[False, True, False]]
    assert data.rejected.tolist() == [[False, True, False]]
    assert data.y.tolist() == [[0, 0, 0]]


def test_a_coding_wins_over_a_rejection_of_the_same_code():
    data = build_training_set(
        [1, 2],
        [
            Example("Both.", 1, False, 5),
            Example("Both.", 1, True, 5),
            Example("Both.", 2, False, 5),
        ],
    )
    assert data.y.tolist() == [[1, 0]]
    assert data.rejected.tolist() == [[False, True]]


def test_unknown_codes_and_empty_texts_are_ignored_and_context_separates_rows():
    data = build_training_set(
        [1],
        [
            Example("x", 9, True, 1),
            Example("  ", 1, True, 1),
            Example("Yes.", 1, True, 1, "Was it good?"),
            Example("Yes.", 1, False, 1, "Was it bad?"),
        ],
    )
    assert data.contexts == ["Was it good?", "Was it bad?"]
    assert data.subset([1]).texts == ["Yes."]
    assert data.subset([1]).rejected.tolist() == [[True]]
