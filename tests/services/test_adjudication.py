"""Adjudication writes the consensus layer (origin adjudication, the consensus coder) and keeps
the reason in the audit log; disagreements become review items and definition proposals."""

from __future__ import annotations

import pytest
from factories import make_code, make_coding, make_document, make_project, make_user, member
from sqlalchemy import select

from qualcode.errors import InvalidInput, PermissionDenied
from qualcode.models import Coding, Event, Memo, Origin, Role
from qualcode.services import adjudication, codebook_proposals
from qualcode.services import agreement as agreement_service
from qualcode.services import users as user_service
from qualcode.text.spans import Span

ANSWER = "Staff turnover was the big one. The champion left in the spring and nobody took over."
TURNS = [("Interviewer", "What got in the way?"), ("Jane", ANSWER)]


@pytest.fixture
def case(session):
    lead = make_user(session, "lead")
    project = make_project(session, "adj", owner=lead)
    alice = member(session, project, Role.CODER, "alice")
    bob = member(session, project, Role.CODER, "bob")
    code = make_code(session, project, "Staff turnover")
    doc = make_document(session, project, turns=TURNS)
    # alice codes the whole answer, bob only its first sentence: one item with one region
    make_coding(session, doc, code, alice, quote=ANSWER)
    make_coding(session, doc, code, bob, quote="Staff turnover was the big one.")
    session.commit()
    coders = agreement_service.resolve_coders(session, project, ["alice", "bob"])
    return {
        "project": project,
        "lead": lead,
        "alice": alice,
        "bob": bob,
        "code": code,
        "doc": doc,
        "coders": coders,
    }


def _items(session, case):
    layers = agreement_service.document_layers(
        session,
        case["project"],
        case["doc"],
        case["code"],
        [*case["coders"], agreement_service.Coder("consensus", "Consensus", None)],
    )
    return adjudication.review_items(layers, str(case["code"].id), "alice", "bob", None)


def _consensus(session, case):
    consensus = user_service.system_user(session)
    return session.scalars(
        select(Coding).where(Coding.coder_id == consensus.id).order_by(Coding.start)
    ).all()


def _decide(session, case, decision, window, **kw):
    return adjudication.adjudicate(
        session,
        case["project"],
        document=case["doc"],
        code=case["code"],
        coder_a=case["coders"][0],
        coder_b=case["coders"][1],
        window=window,
        decision=decision,
        reason=kw.pop("reason", "the definition covers the whole answer"),
        actor=kw.pop("actor", case["lead"]),
        **kw,
    )


def test_disagreements_are_grouped_into_items(session, case):
    items = _items(session, case)
    text = case["doc"].text
    start = text.index(ANSWER)
    assert len(items) == 1
    item = items[0]
    assert (item.start, item.end) == (start, start + len(ANSWER))
    assert item.spans_a == (Span(start, start + len(ANSWER)),)
    assert item.spans_b == (Span(start, start + len("Staff turnover was the big one.")),)
    assert [r.coder for r in item.regions] == ["alice"]
    assert item.to_dict()["spans_b"] == [[start, start + 31]]


def test_take_a_writes_the_consensus_layer_and_keeps_the_reason(session, case):
    item = _items(session, case)[0]
    result = _decide(session, case, "take_a", item.window)
    codings = _consensus(session, case)
    assert [(c.start, c.end) for c in codings] == [(item.start, item.end)]
    assert codings[0].origin is Origin.ADJUDICATION
    assert codings[0].code_id == case["code"].id
    assert codings[0].quote == ANSWER
    event = session.scalars(select(Event).where(Event.action == "agreement.adjudicated")).one()
    assert event.detail["reason"] == "the definition covers the whole answer"
    assert event.detail["decision"] == "take_a"
    assert event.user_id == case["lead"].id
    assert event.detail["consensus"] == [[item.start, item.end]]
    assert result.added == 1
    assert result.removed == 0
    added = session.scalars(
        select(Event).where(Event.action == "coding.added", Event.user_id == case["lead"].id)
    ).all()
    assert any(e.detail["origin"] == "adjudication" for e in added)


def test_each_decision_sets_the_window(session, case):
    item = _items(session, case)[0]
    b_end = item.start + len("Staff turnover was the big one.")
    _decide(session, case, "take_b", item.window)
    assert [(c.start, c.end) for c in _consensus(session, case)] == [(item.start, b_end)]
    _decide(session, case, "both", item.window)
    assert [(c.start, c.end) for c in _consensus(session, case)] == [(item.start, item.end)]
    _decide(session, case, "neither", item.window)
    assert _consensus(session, case) == []
    edited = Span(item.start + 32, item.start + 49)  # "The champion left"
    _decide(session, case, "edit", item.window, edited=edited)
    assert [c.quote for c in _consensus(session, case)] == ["The champion left"]
    events = adjudication.adjudication_events(
        session, case["project"], case["doc"].id, case["code"].id
    )
    assert [e["decision"] for e in events] == ["take_b", "both", "neither", "edit"]
    decided = adjudication.with_decisions(_items(session, case), events)
    assert decided[0].decision is not None
    assert decided[0].decision["decision"] == "edit"


def test_consensus_outside_the_window_is_kept(session, case):
    consensus = user_service.system_user(session)
    doc = case["doc"]
    question = doc.text.index("What got in the way?")
    make_coding(session, doc, case["code"], consensus, quote="What got in the way?")
    item = _items(session, case)[0]
    _decide(session, case, "neither", item.window)
    assert [c.start for c in _consensus(session, case)] == [question]


def test_the_consensus_layer_is_a_coder_for_agreement(session, case):
    item = _items(session, case)[0]
    _decide(session, case, "take_b", item.window)
    session.flush()
    result = agreement_service.agreement(session, case["project"], ["bob", "consensus"])
    assert result.report.codes[0].percent_agreement == 1.0


def test_adjudication_needs_a_lead_and_a_reason(session, case):
    item = _items(session, case)[0]
    with pytest.raises(PermissionDenied):
        _decide(session, case, "take_a", item.window, actor=case["alice"])
    with pytest.raises(InvalidInput, match="reason"):
        _decide(session, case, "take_a", item.window, reason="  ")
    with pytest.raises(InvalidInput, match="unknown decision"):
        _decide(session, case, "flip a coin", item.window)
    with pytest.raises(InvalidInput, match="edited"):
        _decide(session, case, "edit", item.window)
    with pytest.raises(InvalidInput, match="outside"):
        _decide(session, case, "take_a", Span(0, 10_000))
    assert _consensus(session, case) == []


def test_a_disagreement_becomes_a_definition_proposal(session, case):
    item = _items(session, case)[0]
    memo = adjudication.propose_definition_change(
        session,
        case["project"],
        code=case["code"],
        actor=case["lead"],
        document=case["doc"],
        window=item.window,
        text="Loss of key staff; not the consequences of losing them.",
        why="Coders split on whether consequences count",
    )
    assert memo.title == "Coders split on whether consequences count"
    assert memo.text == "Loss of key staff; not the consequences of losing them."
    assert memo.kind == "definition_proposal"
    assert memo.code_id == case["code"].id
    assert memo.quote == ANSWER
    assert memo.document_id == case["doc"].id
    assert adjudication.definition_proposals(session, case["project"], case["code"]) == [memo]
    assert session.scalars(select(Memo)).one() is memo
    # the codebook editor lists it among the code's open proposals
    assert codebook_proposals.open_proposals(session, case["project"], case["code"].id) == [memo]
    untitled = adjudication.propose_definition_change(
        session, case["project"], code=case["code"], actor=case["lead"], text="Loss of staff."
    )
    assert untitled.title == "From the agreement review"
    with pytest.raises(InvalidInput):
        adjudication.propose_definition_change(
            session, case["project"], code=case["code"], actor=case["lead"], text=" "
        )
    with pytest.raises(PermissionDenied):
        adjudication.propose_definition_change(
            session, case["project"], code=case["code"], actor=case["bob"], text="x"
        )
