"""Quote retrieval on hand-built documents: Boolean queries against hand-computed answers,
filters, descendants, counts, cases without quotes, KWIC, context and blind mode."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Origin, Purpose, Role
from qualcode.services import assignments
from qualcode.services import documents as document_service
from qualcode.services import users as user_service
from qualcode.services.quotes import Filters, QuoteQuery, context, find_quotes, quotes_by_id

EASTWICK = [
    ("Interviewer", "What got in the way of the targets?"),
    (
        "Jane Smith",
        "Poor data was the first problem. We had no baseline for burglary. "
        "Later the champion focused the partners on it.",
    ),
    ("Interviewer", "And the staff?"),
    ("Jane Smith", "Staff turnover hurt. Then a new manager focused everyone and data improved."),
]
FENMOOR = [
    ("Interviewer", "Was data a problem here?"),
    ("Tom Brown", "Data quality was poor across the partnership."),
]


@pytest.fixture
def world(session):
    alice = make_user(session, "alice", display_name="Alice Adams", password=None)
    bob = make_user(session, "bob", password=None)
    project = make_project(session, "lpsa", owner=alice)
    barriers = make_code(session, project, "Barriers")
    poor = make_code(session, project, "Poor data", parent=barriers)
    staff = make_code(session, project, "Staff turnover", parent=barriers)
    enablers = make_code(session, project, "Enablers")
    focus = make_code(session, project, "Focus", parent=enablers)
    east = make_document(
        session, project, title="Eastwick coordinator", turns=EASTWICK, case="Eastwick"
    )
    fen = make_document(session, project, title="Fenmoor finance", turns=FENMOOR, case="Fenmoor")
    make_document(session, project, title="Marchshire chief", case="Marchshire")
    c = {
        "c1": make_coding(session, east, poor, alice, quote="Poor data was the first problem"),
        "c2": make_coding(
            session, east, focus, alice, quote="the champion focused the partners on it"
        ),
        "c3": make_coding(session, east, focus, alice, quote="first problem. We had"),
        "c4": make_coding(session, east, staff, alice, quote="Staff turnover hurt"),
        "c5": make_coding(session, east, focus, alice, quote="a new manager focused everyone"),
        "c6": make_coding(session, east, poor, bob, quote="data improved"),
        "d1": make_coding(session, fen, poor, alice, quote="Data quality was poor"),
        "d2": make_coding(session, fen, poor, alice, quote="Was data a problem here"),
        "d3": make_coding(session, fen, staff, bob, quote="a problem here?\nTom Brown: Data"),
    }
    authority = document_service.define_attribute(session, project, "authority_type", "case")
    role = document_service.define_attribute(session, project, "interviewee_role", "document")
    document_service.set_attribute(session, authority, east.case, "London borough")
    document_service.set_attribute(session, authority, fen.case, "county")
    document_service.set_attribute(session, role, fen, "finance officer")
    session.commit()
    return {
        "project": project,
        "alice": alice,
        "bob": bob,
        "codes": {
            "barriers": barriers,
            "poor": poor,
            "staff": staff,
            "focus": focus,
            "enablers": enablers,
        },
        "codings": {k: v.id for k, v in c.items()},
        "east": east,
        "fen": fen,
    }


def ids(world, result):
    names = {v: k for k, v in world["codings"].items()}
    return sorted(names[q.coding_id] for q in result.quotes)


def run(session, world, **kw):
    return find_quotes(session, world["project"], QuoteQuery(**kw))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Barriers/Poor data", ["c1", "c6", "d1", "d2"]),
        ("Barriers/Poor data AND Enablers/Focus", ["c1"]),
        ("Enablers/Focus AND Barriers/Poor data", ["c3"]),
        ('"Barriers/Poor data" OR "Barriers/Staff turnover"', ["c1", "c4", "c6", "d1", "d2", "d3"]),
        ("Barriers/Poor data NOT Enablers/Focus", ["c6", "d1", "d2"]),
        ("Barriers NOT Enablers", ["c4", "c6", "d1", "d2", "d3"]),
        ("Barriers/Poor data NEAR/3 Enablers/Focus", ["c1", "c6"]),
        ("Barriers/Poor data NEAR/0 Enablers/Focus", ["c1"]),
        ("Barriers/Staff turnover SAMETURN Enablers/Focus", ["c4"]),
        ("Barriers/Poor data SAMETURN Barriers/Staff turnover", ["c6", "d1", "d2"]),  # d3: 2 turns
        ("Enablers/Focus SAMETURN Enablers/Focus", ["c2", "c3"]),
        ("(Barriers/Poor data OR Barriers/Staff turnover) AND Enablers/Focus", ["c1"]),
    ],
)
def test_quotes_boolean_queries_match_hand_computed_answers(session, world, expression, expected):
    assert ids(world, run(session, world, expression=expression)) == expected


def test_quotes_for_a_code_include_descendants_unless_asked_not_to(session, world):
    barriers = world["codes"]["barriers"].id
    assert ids(world, run(session, world, code_ids=(barriers,))) == [
        "c1",
        "c4",
        "c6",
        "d1",
        "d2",
        "d3",
    ]
    assert run(session, world, code_ids=(barriers,), descendants=False).quotes == []


def test_quotes_attribution_counts_and_cases_without(session, world):
    result = run(session, world, code_ids=(world["codes"]["poor"].id,))
    assert (result.segments, result.documents, result.cases) == (4, 2, 2)
    assert [c.name for c in result.cases_without] == ["Marchshire"]
    first = result.quotes[0]
    assert (first.case, first.document, first.speaker, first.coder, first.codes) == (
        "Eastwick",
        "Eastwick coordinator",
        "Jane Smith",
        "Alice Adams",
        ["Barriers/Poor data"],
    )
    assert first.text == world["east"].text[first.start : first.end]
    assert first.turn_index == 1
    assert first.origin == "manual"
    assert first.attributes == {"authority_type": "London borough"}
    fen = [q for q in result.quotes if q.case == "Fenmoor"]
    assert fen[0].attributes == {"authority_type": "county", "interviewee_role": "finance officer"}
    assert result.to_dict()["code"] == "Barriers/Poor data"


def test_quotes_speaker_of_a_quote_running_from_question_into_answer(session, world):
    result = run(session, world, code_ids=(world["codes"]["staff"].id,))
    d3 = next(q for q in result.quotes if q.coding_id == world["codings"]["d3"])
    assert (d3.speaker, d3.is_interviewer, d3.turn_index) == ("Tom Brown", False, 1)


def test_quotes_exclude_interviewer(session, world):
    poor = world["codes"]["poor"].id
    result = run(session, world, code_ids=(poor,), filters=Filters(exclude_interviewer=True))
    assert ids(world, result) == ["c1", "c6", "d1"]
    assert result.segments == 3


def test_quotes_filters_by_coder_origin_case_and_attributes(session, world):
    poor, w = world["codes"]["poor"].id, world
    east_case, fen_case = w["east"].case_id, w["fen"].case_id
    assert ids(w, run(session, w, code_ids=(poor,), filters=Filters(coder_ids=(w["bob"].id,)))) == [
        "c6"
    ]
    assert (
        ids(
            w,
            run(
                session,
                w,
                expression="Barriers/Poor data AND Enablers/Focus",
                filters=Filters(coder_ids=(w["bob"].id,)),
            ),
        )
        == []
    )
    assert ids(w, run(session, w, code_ids=(poor,), filters=Filters(case_ids=(fen_case,)))) == [
        "d1",
        "d2",
    ]
    where = Filters(where=(("authority_type", "London borough"),))
    result = run(session, w, code_ids=(poor,), filters=where)
    assert ids(w, result) == ["c1", "c6"]
    assert result.cases_without == []  # Marchshire has no authority type: out of scope
    either = Filters(
        where=(
            ("authority_type", "county"),
            ("authority_type", "London borough"),
            ("interviewee_role", "finance officer"),
        )
    )
    assert ids(w, run(session, w, code_ids=(poor,), filters=either)) == ["d1", "d2"]
    both_cases = Filters(case_ids=(east_case, fen_case), origins=("import",))
    assert run(session, w, code_ids=(poor,), filters=both_cases).segments == 0
    with pytest.raises(InvalidInput, match="no attribute named region"):
        run(session, w, code_ids=(poor,), filters=Filters(where=(("region", "x"),)))
    with pytest.raises(InvalidInput, match="unknown origin"):
        run(session, w, code_ids=(poor,), filters=Filters(origins=("magic",)))


def test_quotes_consensus_layer(session, world):
    consensus = user_service.system_user(session)
    from factories import make_coding as coding

    adjudicated = coding(
        session,
        world["fen"],
        world["codes"]["poor"],
        consensus,
        quote="Data quality was poor",
        origin=Origin.ADJUDICATION,
    )
    result = run(
        session, world, code_ids=(world["codes"]["poor"].id,), filters=Filters(consensus=True)
    )
    assert [q.coding_id for q in result.quotes] == [adjudicated.id]
    assert result.quotes[0].origin == "adjudication"
    by_origin = run(
        session,
        world,
        code_ids=(world["codes"]["poor"].id,),
        filters=Filters(origins=("adjudicated",)),
    )
    assert [q.coding_id for q in by_origin.quotes] == [adjudicated.id]


def test_quotes_words_filter_coded_quotes_with_kwic(session, world):
    result = run(session, world, code_ids=(world["codes"]["poor"].id,), text="quality")
    assert ids(world, result) == ["d1"]
    line = result.quotes[0].kwic[0]
    assert (line.left, line.match, line.right) == ("Data ", "quality", " was poor")
    assert world["fen"].text[line.start : line.end] == "quality"


def test_quotes_words_alone_find_turns(session, world):
    result = run(session, world, text='focused "new manager"')
    assert result.segments == 1
    quote = result.quotes[0]
    assert quote.coding_id is None
    assert quote.speaker == "Jane Smith"
    assert quote.turn_index == 3
    assert quote.text == EASTWICK[3][1]
    assert quote.codes == ["Barriers/Poor data", "Barriers/Staff turnover", "Enablers/Focus"]
    assert [k.match for k in quote.kwic] == ["new manager", "focused"]


def test_quotes_paging_keeps_full_counts(session, world):
    result = find_quotes(
        session,
        world["project"],
        QuoteQuery(code_ids=(world["codes"]["barriers"].id,)),
        limit=2,
        offset=1,
    )
    assert len(result.quotes) == 2
    assert result.segments == 6
    assert ids(world, result) == ["c4", "c6"]


def test_quotes_need_something_to_look_for_and_known_codes(session, world):
    with pytest.raises(InvalidInput, match="choose a code"):
        run(session, world)
    with pytest.raises(NotFound, match="no code Nope"):
        run(session, world, expression="Nope AND Barriers")
    with pytest.raises(NotFound):
        run(session, world, code_ids=(999999,))


def test_quotes_blind_mode_hides_other_coders(session, world):
    project, alice = world["project"], world["alice"]
    carol = member(session, project, Role.CODER, "carol")
    assignments.assign(session, world["east"], carol, purpose=Purpose.DOUBLE_CODE, blind=True)
    session.commit()
    query = QuoteQuery(code_ids=(world["codes"]["poor"].id,))
    seen = find_quotes(session, project, query, viewer=carol)
    assert ids(world, seen) == ["d1", "d2"]
    assert ids(world, find_quotes(session, project, query, viewer=alice)) == [
        "c1",
        "c6",
        "d1",
        "d2",
    ]
    assert quotes_by_id(session, project, [world["codings"]["c1"]], viewer=carol) == []


def test_quotes_by_id_keeps_order_and_skips_other_projects(session, world):
    other = make_project(session, "other")
    code = make_code(session, other, "X")
    doc = make_document(session, other)
    theirs = make_coding(session, doc, code, world["alice"], quote="staff turnover")
    c = world["codings"]
    got = quotes_by_id(session, world["project"], [c["d1"], theirs.id, c["c1"]])
    assert [q.coding_id for q in got] == [c["d1"], c["c1"]]


def test_quotes_context_expands_to_surrounding_turns(session, world):
    east = world["east"]
    start = east.text.index("Staff turnover hurt")
    ctx = context(session, east.id, start, start + 19, turns=1, project_id=world["project"].id)
    assert [(t.index, t.hit) for t in ctx.turns] == [(2, False), (3, True)]
    assert ctx.turns[1].text == EASTWICK[3][1]
    assert ctx.turns[0].speaker == "Interviewer"
    wide = context(session, east.id, start, start + 19, turns=5)
    assert [t.index for t in wide.turns] == [0, 1, 2, 3]
    with pytest.raises(NotFound):
        context(session, east.id, 0, 1, project_id=world["project"].id + 1)
    with pytest.raises(InvalidInput):
        context(session, east.id, 0, 10**6)


def test_quotes_a_page_is_attributed_like_the_whole_list(session, world):
    """Turns are read for the requested page only: each page's quotes must still carry the
    speaker, turn, interviewer flag and attributes the unpaged list gives them."""
    query = QuoteQuery(code_ids=(world["codes"]["barriers"].id,))
    whole = find_quotes(session, world["project"], query).quotes
    paged = [
        quote
        for offset in range(0, len(whole), 2)
        for quote in find_quotes(session, world["project"], query, limit=2, offset=offset).quotes
    ]

    def shown(q):  # type: ignore[no-untyped-def]
        return (q.coding_id, q.speaker, q.turn_index, q.is_interviewer, q.attributes, q.case)

    assert [shown(q) for q in paged] == [shown(q) for q in whole]
    speakers = {q.coding_id: q.speaker for q in paged}
    assert speakers[world["codings"]["d2"]] == "Interviewer"
    assert speakers[world["codings"]["d3"]] == "Tom Brown"


def test_quotes_every_code_in_a_case(session, world):
    east = world["east"]
    result = run(session, world, every_code=True, filters=Filters(case_ids=(east.case_id,)))
    assert ids(world, result) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert result.label == "every code"
    assert [c.name for c in result.cases_without] == []
    with pytest.raises(InvalidInput, match="choose a code"):
        run(session, world)  # every_code is asked for, never assumed
