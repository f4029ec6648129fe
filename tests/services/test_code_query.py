"""The Boolean code-query syntax and its evaluation on hand-made spans."""

from __future__ import annotations

import re

import pytest

from qualcode.errors import InvalidInput
from qualcode.services.code_query import CodeRef, Hit, Op, bind, evaluate, parse, to_text


def test_code_query_parse_joins_bare_words_into_paths_and_respects_precedence():
    query = parse("Barriers/Poor data OR Barriers/Staff AND Enablers/Focus")
    assert query == Op(
        "OR",
        CodeRef("Barriers/Poor data"),
        Op("AND", CodeRef("Barriers/Staff"), CodeRef("Enablers/Focus")),
    )


def test_code_query_parse_quotes_parentheses_near_and_lower_case_words():
    query = parse('("Data and evidence" OR "A (b)") NEAR/20 Focus SAMETURN x NOT y')
    assert query == Op(
        "NOT",
        Op(
            "SAMETURN",
            Op(
                "NEAR",
                Op("OR", CodeRef("Data and evidence"), CodeRef("A (b)")),
                CodeRef("Focus"),
                distance=20,
            ),
            CodeRef("x"),
        ),
        CodeRef("y"),
    )
    assert parse("Data and evidence") == CodeRef("Data and evidence")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("A AND", "expected a code after 'AND'"),
        ("(A OR B", "not closed"),
        ("A OR AND B", "found 'AND' at character 6"),
        ('"A', "unclosed quote"),
        ("A ) B", "unexpected ')'"),
    ],
)
def test_code_query_parse_errors_name_the_problem(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse(text)


def test_code_query_to_text_round_trips():
    for text in ['"A" AND ("B" OR "C")', '("A" OR "B") NEAR/5 "C"', '"say \\"no\\"" NOT "D"']:
        assert to_text(parse(text)) == text


def test_code_query_bind_uses_canonical_paths_and_ids():
    bound = bind(
        parse("poor data AND focus"), lambda ref: (ref.title(), [len(ref), len(ref) + 100])
    )
    assert bound == Op(
        "AND", CodeRef("Poor Data", frozenset({9, 109})), CodeRef("Focus", frozenset({5, 105}))
    )


A, B, C = CodeRef("A", frozenset({1})), CodeRef("B", frozenset({2})), CodeRef("C", frozenset({3}))
# document 1: a1 [0,10) overlaps b1 [5,15); a2 [40,50) is 3 words before b2 [70,80);
# a3 [100,110) shares turn 7 with c1 [120,130); document 2: a4 overlaps b3 (another document
# from a1's partners, so nothing crosses documents)
HITS = [
    Hit(11, 1, 1, 0, 10, 0, 0),
    Hit(21, 1, 2, 5, 15, 0, 1),
    Hit(12, 1, 1, 40, 50, 2, 2),
    Hit(22, 1, 2, 70, 80, 3, 3),
    Hit(13, 1, 1, 100, 110, 7, 7),
    Hit(31, 1, 3, 120, 130, 7, 8),
    Hit(14, 2, 1, 0, 10, None, None),
    Hit(23, 2, 2, 9, 12, None, None),
]
GAPS = {
    (1, 50, 70): 3,
    (1, 10, 40): 6,
    (1, 15, 40): 5,
    (1, 80, 100): 4,
    (1, 110, 120): 2,
    (1, 50, 100): 9,
    (1, 80, 120): 8,
    (1, 15, 100): 14,
    (1, 10, 70): 12,
    (1, 130, 150): 0,
}


def gap(document_id, start, end):
    return GAPS.get((document_id, start, end), 99)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (A, {11, 12, 13, 14}),
        (Op("AND", A, B), {11, 14}),
        (Op("AND", B, A), {21, 23}),
        (Op("OR", A, C), {11, 12, 13, 14, 31}),
        (Op("NOT", A, B), {12, 13}),
        (Op("NEAR", A, B, distance=3), {11, 12, 14}),
        (Op("NEAR", A, B, distance=2), {11, 14}),
        (Op("SAMETURN", A, C), {13}),
        (Op("SAMETURN", A, B), {11}),
        (Op("AND", Op("OR", A, C), B), {11, 14}),
        (Op("AND", A, Op("NOT", B, A)), set()),
        (Op("AND", A, A), set()),  # a coding never matches itself
    ],
)
def test_code_query_evaluate_matches_hand_computed_answers(query, expected):
    assert set(evaluate(query, HITS, gap)) == expected


def test_code_query_evaluate_reports_the_codes_each_hit_matched_with():
    found = evaluate(Op("AND", A, Op("OR", B, C)), HITS, gap)
    assert found[11] == {1, 2}
    assert evaluate(Op("SAMETURN", A, C), HITS, gap)[13] == {1, 3}
