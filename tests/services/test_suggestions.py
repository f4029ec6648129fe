"""Suggestions in the database: what the model learns from, what a coder is offered, and what
accepting and rejecting do. Each test fits the real engine on a small hand-built project."""

from __future__ import annotations

import socket

import pytest
from factories import make_coding
from sqlalchemy import select
from suggestion_world import GRANT, LEADERSHIP, TURNOVER, build_world

from qualcode.errors import Conflict, NotFound, PermissionDenied
from qualcode.models import Coding, Event, Origin, Purpose, Suggestion, SuggestionStatus
from qualcode.services import assignments as assignment_service
from qualcode.services import suggestion_models, training
from qualcode.services import suggestions as suggestion_service
from qualcode.services.training_data import data_state, gather
from qualcode.text.spans import Span

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def world(session):
    world = build_world(session)
    session.commit()
    return world


def _suggest(session, world, user, document=None):
    model = suggestion_models.current(session, world.project)
    return suggestion_service.suggest_for_document(
        session, world.project, document or world.target, user, model
    )


def _find(rows, code, contains):
    return [s for s in rows if s.code_id == code.id and contains in s.text]


def test_suggestions_offer_the_codes_the_target_talks_about(session, world):
    rows = _suggest(session, world, world.coder)
    turnover = _find(rows, world.codes[TURNOVER], "Staff turnover hurt us badly")
    grant = _find(rows, world.codes[GRANT], "pump priming grant meant")
    assert turnover
    assert grant
    assert all(world.target.text[s.start : s.end] == s.text for s in rows)
    assert {s.model_version for s in rows} == {suggestion_models.loaded(world.project).version}
    assert all(s.for_user_id == world.coder.id and s.status is SuggestionStatus.OPEN for s in rows)
    # on that sentence, the turnover code ranks above the leadership code
    same = [s for s in rows if s.start == turnover[0].start and s.end == turnover[0].end]
    ranked = [s.code_id for s in sorted(same, key=lambda s: -s.score)]
    assert ranked[0] == world.codes[TURNOVER].id
    if world.codes[LEADERSHIP].id in ranked:
        assert ranked.index(world.codes[LEADERSHIP].id) > 0


def test_suggest_again_replaces_the_users_open_suggestions_only(session, world):
    first = _suggest(session, world, world.coder)
    theirs = _suggest(session, world, world.other)
    again = _suggest(session, world, world.coder)
    open_ids = set(
        session.scalars(select(Suggestion.id).where(Suggestion.status == SuggestionStatus.OPEN))
    )
    assert not {s.id for s in first} & open_ids
    assert {s.id for s in again} | {s.id for s in theirs} == open_ids


def test_accepted_suggestion_is_a_coding_with_origin_suggestion_and_model_version(session, world):
    rows = _suggest(session, world, world.coder)
    chosen = _find(rows, world.codes[GRANT], "pump priming grant meant")[0]
    coding = suggestion_service.accept(session, chosen.id, world.coder)
    session.commit()
    assert coding.origin is Origin.SUGGESTION
    assert coding.suggestion_id == chosen.id
    assert coding.model_version == chosen.model_version != ""
    assert coding.coder_id == world.coder.id
    assert coding.code_id == world.codes[GRANT].id
    assert (coding.start, coding.end) == (chosen.start, chosen.end)
    assert chosen.status is SuggestionStatus.ACCEPTED
    assert chosen.decided_by_id == world.coder.id
    assert session.scalar(select(Event).where(Event.action == "suggestion.accepted"))
    with pytest.raises(Conflict, match="already accepted"):
        suggestion_service.accept(session, chosen.id, world.coder)


def test_accept_on_a_widened_span_codes_that_span(session, world):
    rows = _suggest(session, world, world.coder)
    chosen = _find(rows, world.codes[TURNOVER], "Staff turnover hurt us badly")[0]
    sentence_end = world.target.text.index("no handover at all.") + len("no handover at all.")
    coding = suggestion_service.accept(
        session, chosen.id, world.coder, Span(chosen.start, sentence_end)
    )
    assert coding.quote.endswith("no handover at all.")
    assert coding.start == chosen.start
    elsewhere = world.target.text.index("How did you fund")
    other = _find(rows, world.codes[GRANT], "pump priming grant meant")[0]
    with pytest.raises(Exception, match="overlap"):
        suggestion_service.accept(session, other.id, world.coder, Span(elsewhere, elsewhere + 5))


def test_only_the_suggested_user_can_decide(session, world):
    rows = _suggest(session, world, world.coder)
    with pytest.raises(NotFound):
        suggestion_service.accept(session, rows[0].id, world.other)
    with pytest.raises(NotFound):
        suggestion_service.reject(session, rows[0].id, world.other)
    with pytest.raises(PermissionDenied):
        _suggest(session, world, world.viewer)


def test_a_rejection_lowers_that_codes_score_for_similar_text_after_retraining(session, world):
    before = _find(
        _suggest(session, world, world.other),
        world.codes[GRANT],
        "The grant money paid for a coordinator",
    )
    assert before, "the grant code should be suggested on the grant sentence"
    mine = _find(
        _suggest(session, world, world.coder),
        world.codes[GRANT],
        "The grant money paid for a coordinator",
    )[0]
    suggestion_service.reject(session, mine.id, world.coder)
    session.commit()
    assert suggestion_models.current(session, world.project).provenance.negatives == 1
    after = _find(
        _suggest(session, world, world.other),
        world.codes[GRANT],
        "The grant money paid for a coordinator",
    )
    assert not after or after[0].score < before[0].score
    # the rejecting coder is not offered it again on that passage
    again = _find(
        _suggest(session, world, world.coder),
        world.codes[GRANT],
        "The grant money paid for a coordinator",
    )
    assert not [s for s in again if (s.start, s.end) == (mine.start, mine.end)]


def test_the_model_never_learns_from_unreviewed_suggestions(session, world):
    before = data_state(session, world.project)
    rows = _suggest(session, world, world.coder)
    session.commit()
    assert rows
    assert data_state(session, world.project) == before
    data = gather(session, world.project)
    assert len(data.examples) == 9
    assert data.negatives == 0
    assert not data.decisions
    assert not [e for e in data.examples if e.document_id == world.target.id]
    suggestion_service.reject(session, rows[0].id, world.coder)
    suggestion_service.accept(session, rows[-1].id, world.coder)
    data = gather(session, world.project)
    assert data.negatives == 1
    assert len(data.decisions) == 2
    assert {e.text for e in data.examples if not e.positive} == {rows[0].text}


def test_examples_carry_the_interviewers_question_as_context(session, world):
    data = gather(session, world.project)
    by_text = {e.text: e.context for e in data.examples}
    assert (
        by_text["Without that money we could not have started."]
        == "How was the early work paid for?"
    )
    assert (
        by_text["Staff turnover was the big one."]
        == "What got in the way of delivering the targets?"
    )


def test_units_the_user_already_coded_with_a_code_are_not_suggested_it(session, world):
    quote = "Staff turnover hurt us badly."
    make_coding(session, world.target, world.codes[TURNOVER], world.coder, quote=quote)
    session.commit()
    start = world.target.text.index(quote)
    coded = Span(start, start + len(quote))
    mine = _suggest(session, world, world.coder)
    assert not [
        s
        for s in mine
        if s.code_id == world.codes[TURNOVER].id and (s.start, s.end) == (coded.start, coded.end)
    ]
    assert [s for s in mine if (s.start, s.end) == (coded.start, coded.end)], (
        "other codes are still offered on the coded sentence"
    )
    theirs = _suggest(session, world, world.other)
    assert [
        s
        for s in theirs
        if s.code_id == world.codes[TURNOVER].id and (s.start, s.end) == (coded.start, coded.end)
    ]


def test_blind_coding_a_document_hides_it_from_the_model(session, world):
    blind_doc = world.training[1]
    secret = "Three project managers left in two years and each time the handover was poor."
    suggestion_models.train(session, world.project)  # learnt from it before it went blind
    for user in (world.coder, world.other):
        assignment_service.assign(session, blind_doc, user, purpose=Purpose.DOUBLE_CODE, blind=True)
    session.commit()
    state = data_state(session, world.project)
    assert blind_doc.id in state.hidden
    trainer = training.Trainer(sessionmaker_of(session))
    assert trainer.model_for(session, world.project) is None  # it must not serve
    session.commit()  # end this read, so the test can write after the worker did
    trainer.wait(world.project.id, timeout=120)
    model = trainer.model_for(session, world.project)
    session.commit()
    assert model is not None
    assert blind_doc.id in model.provenance.hidden_documents
    assert not [e for e in gather(session, world.project).examples if e.document_id == blind_doc.id]
    rows = suggestion_service.suggest_for_document(
        session, world.project, blind_doc, world.other, model
    )
    assert rows
    for row in rows:
        assert secret not in str(row.rationale)
        nearest = row.rationale.get("nearest") or {}
        assert nearest.get("document_id") != blind_doc.id


def test_machine_layer_keeps_units_anyone_coded(session, world):
    quote = "Staff turnover hurt us badly."
    make_coding(session, world.target, world.codes[TURNOVER], world.coder, quote=quote)
    model = suggestion_models.current(session, world.project)
    rows = suggestion_service.suggest_for_document(
        session, world.project, world.target, None, model
    )
    assert {s.for_user_id for s in rows} == {None}
    assert _find(rows, world.codes[TURNOVER], quote)


def test_review_queue_orders_by_uncertainty_or_code(session, world):
    for document in (world.target, world.training[0]):
        model = suggestion_models.current(session, world.project)
        suggestion_service.suggest_for_document(
            session, world.project, document, world.other, model
        )
    threshold = suggestion_service.threshold(world.project)
    queue = suggestion_service.review_queue(session, world.project, world.other)
    gaps = [abs(s.score - threshold) for s in queue]
    assert queue
    assert gaps == sorted(gaps)
    by_code = suggestion_service.review_queue(session, world.project, world.other, "code")
    order = [world.codes[n].id for n in (TURNOVER, GRANT, LEADERSHIP)]
    ranks = [order.index(s.code_id) for s in by_code]
    assert ranks == sorted(ranks)
    only = suggestion_service.review_queue(
        session, world.project, world.other, code_id=world.codes[GRANT].id
    )
    assert only
    assert {s.code_id for s in only} == {world.codes[GRANT].id}
    assert suggestion_service.review_queue(session, world.project, world.coder) == []


def test_training_sets_the_threshold_the_machine_coder_is_compared_at(session, world):
    model = suggestion_models.train(session, world.project)
    assert world.project.settings["suggestion_threshold"] == model.provenance.threshold
    assert 0 < model.provenance.threshold < 1


def test_suggestions_need_no_network(session, world, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    suggestion_models.forget(world.project)
    rows = _suggest(session, world, world.coder)
    assert _find(rows, world.codes[GRANT], "pump priming grant meant")


def test_a_stored_model_is_reloaded_and_rebuilt_when_stale(session, world):
    model = suggestion_models.train(session, world.project)
    suggestion_models.forget(world.project)
    again = suggestion_models.loaded(world.project)
    assert again is not None
    assert again.version == model.version
    assert suggestion_models.current(session, world.project).version == model.version
    make_coding(
        session,
        world.target,
        world.codes[GRANT],
        world.coder,
        quote="The grant money paid for a coordinator.",
    )
    refreshed = suggestion_models.current(session, world.project)
    assert refreshed.provenance.data_version != model.provenance.data_version
    assert refreshed.provenance.positives == model.provenance.positives + 1
    for path in suggestion_models.model_dir(world.project).iterdir():
        path.write_bytes(b"not a model")
    suggestion_models.forget(world.project)
    assert suggestion_models.loaded(world.project) is None


def sessionmaker_of(session):
    from qualcode.db.engine import make_sessionmaker

    return make_sessionmaker(session.get_bind())


def test_coding_count_is_unchanged_by_suggesting(session, world):
    count = len(session.scalars(select(Coding)).all())
    _suggest(session, world, world.coder)
    assert len(session.scalars(select(Coding)).all()) == count
