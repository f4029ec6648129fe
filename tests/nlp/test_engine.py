"""The engine: blend, rank, dedupe against existing codings, explain, learn from decisions."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from nlp_samples import DATA, GRANT, PARTNERS, TURNOVER, unit

from qualcode.errors import InvalidInput
from qualcode.nlp import CodeInfo, Decision, Example
from qualcode.nlp.engine import Engine
from qualcode.nlp.units import make_units
from qualcode.text.spans import Span
from qualcode.text.transcript import TurnData

PROBES = [
    unit("Our coordinator left and the post was empty for a year.", start=0),
    unit("The police joined the partnership through the LSP.", start=60),
    unit(
        "The up-front grant paid for a new team.",
        start=120,
        context="What did the pump-priming grant pay for?",
    ),
]


@pytest.fixture
def engine(codes, examples) -> Engine:
    return Engine().fit(codes, examples, [])


def top(found, start: int) -> list[int]:
    return [s.code_id for s in found if s.start == start]


def test_each_unit_gets_its_top_three_best_first(engine):
    assert engine.calibrator.fitted
    assert 0.05 <= engine.threshold <= 0.95
    found = engine.suggest(PROBES)
    assert [top(found, u.start)[0] for u in PROBES] == [TURNOVER, PARTNERS, GRANT]
    for u in PROBES:
        scores = [s.score for s in found if s.start == u.start]
        assert len(scores) == 3
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)


def test_codes_already_applied_to_the_unit_are_left_out(engine):
    existing = {TURNOVER: [Span(10, 20)], PARTNERS: [Span(300, 310)]}
    found = engine.suggest(PROBES, existing=existing)
    assert TURNOVER not in top(found, 0)
    assert len(top(found, 0)) == 3
    assert top(found, 60)[0] == PARTNERS  # that coding was elsewhere


def test_fewer_than_three_codes_offers_them_all_and_no_codes_offers_nothing(examples):
    two = [CodeInfo(TURNOVER, "T", "Staff turnover"), CodeInfo(GRANT, "G", "Grant")]
    assert len(Engine().fit(two, examples, []).suggest(PROBES[:1])) == 2
    assert Engine().fit([], examples, []).suggest(PROBES) == []


def test_rationale_explains_and_is_json(engine):
    found = engine.suggest(PROBES)
    json.dumps([s.rationale for s in found])
    best = next(s for s in found if s.start == 0)
    assert best.rationale["evidence"] == 6
    assert best.rationale["calibrated"] is False
    assert best.confidence in {"low", "medium", "high"}
    assert best.method in {"classifier", "similarity", "rules"}
    assert best.rationale["nearest"]["document_id"] == 10 + TURNOVER
    assert best.rationale["words"]
    assert best.model_version == engine.model_version


def test_a_matched_keyword_is_named_with_its_track_record(codes, examples):
    decisions = [Decision(TURNOVER, True, "rules", {"rule": {"phrase": "vacancy"}})] * 3
    engine = Engine().fit(codes, examples, decisions)
    [best, *_] = engine.suggest([unit("A vacancy opened in the team.")])
    assert best.code_id == TURNOVER
    assert best.rationale["rule"] | {"precision": 0} == {
        "phrase": "vacancy",
        "source": "keyword",
        "accepted": 3,
        "rejected": 0,
        "decided": 3,
        "precision": 0,
    }


def test_a_rejection_lowers_that_codes_score_for_similar_text_after_refit(codes, examples):
    probe = unit("The grant paid for extra police overtime.")
    before = Engine().fit(codes, examples, []).probabilities([probe])[0, GRANT - 1]
    rejected = [
        Example(
            "The grant paid for extra police overtime at weekends.", GRANT, False, document_id=50
        )
    ]
    engine = Engine().fit(codes, examples + rejected, [Decision(GRANT, False, "classifier")])
    assert engine.probabilities([probe])[0, GRANT - 1] < before
    assert engine.evidence_counts[GRANT - 1] == 7  # six codings and one decision


def test_a_noisy_rule_fades_in_the_scores(codes):
    few = [Example("Staff kept leaving.", TURNOVER, True, 1)]  # a new project: default blend
    probe = [unit("There is a vacancy for a bus driver.")]
    fresh = Engine().fit(codes, few, []).probabilities(probe)[0, TURNOVER - 1]
    noisy = [Decision(TURNOVER, False, "rules", {"rule": {"phrase": "vacancy"}})] * 8
    faded = Engine().fit(codes, few, noisy).probabilities(probe)[0, TURNOVER - 1]
    assert faded < fresh


def test_cold_start_suggests_from_definitions(codes):
    engine = Engine().fit(codes, [], [])
    assert not engine.calibrator.fitted
    found = engine.suggest([unit("The indicator baselines and monitoring data were wrong.")])
    assert found[0].code_id == DATA
    assert found[0].method == "similarity"
    assert found[0].rationale["evidence"] == 0


def test_predict_gives_each_unit_its_top_code_at_least(engine):
    predicted = engine.predict(PROBES)
    assert [p[0] for p in predicted] == [TURNOVER, PARTNERS, GRANT]


def test_each_code_has_its_own_threshold_and_predict_uses_it(engine):
    assert engine.thresholds.shape == (4,)
    assert ((engine.thresholds >= 0.05) & (engine.thresholds <= 0.95)).all()
    p = engine.probabilities(PROBES)
    engine.thresholds = np.where(np.arange(4) == DATA - 1, 0.0, 1.0)  # only DATA lowered
    assert [DATA in codes for codes in engine.predict(PROBES)] == [True, True, True]
    assert all(len(codes) <= 2 for codes in engine.predict(PROBES))
    assert engine.probabilities(PROBES) == pytest.approx(p)  # thresholds never move scores


def test_units_cut_by_make_units_are_not_analysed_twice(engine, monkeypatch):
    text = "Jo: Our coordinator left. The post was empty for a year and nobody came."
    units = make_units(text, [TurnData(4, len(text), "Jo")], document_id=3)
    bare = [replace(u, doc=None) for u in units]
    expected = engine.suggest(bare)
    analysed: list[str] = []
    pipe = engine.nlp.pipe

    def counting(texts, **options):
        texts = list(texts)
        analysed.extend(texts)
        return pipe(texts, **options)

    monkeypatch.setattr(engine.nlp, "pipe", counting)
    assert engine.suggest(units) == expected
    assert [u.kind for u in units] == ["turn", "sentence", "sentence"]
    assert not set(analysed) & {u.text for u in units}  # only the (empty) question, if any


def test_existing_codings_need_a_single_document(engine):
    with pytest.raises(InvalidInput, match="one document"):
        engine.suggest([unit("a b c", 1), unit("d e f", 2)], existing={TURNOVER: [Span(0, 1)]})


def test_model_version_follows_the_data(codes, examples):
    first = Engine().fit(codes, examples, []).model_version
    assert Engine().fit(codes, examples, []).model_version == first
    assert Engine().fit(codes, examples[1:], []).model_version != first


def test_save_and_load_give_identical_suggestions(engine, tmp_path):
    engine.save(tmp_path / "model")
    loaded = Engine.load(tmp_path / "model")
    assert loaded.model_version == engine.model_version
    assert loaded.suggest(PROBES) == engine.suggest(PROBES)


def test_the_question_asked_steers_the_suggestion(codes, examples):
    about_money = "What did the pump-priming grant pay for?"
    about_partners = "How did the police and other partners get involved?"
    answers = ["It helped a great deal.", "That made all the difference.", "Quite a lot, really."]
    asked = [Example(a, GRANT, True, 30, about_money) for a in answers] + [
        Example(a, PARTNERS, True, 31, about_partners) for a in answers
    ]
    engine = Engine().fit(codes, examples + asked, [])
    probe = "It helped us a lot."
    found = engine.suggest(
        [unit(probe, start=0, context=about_money), unit(probe, start=50, context=about_partners)]
    )
    assert top(found, 0)[0] == GRANT
    assert top(found, 50)[0] == PARTNERS
    best = next(s for s in found if s.start == 0)
    assert best.rationale["question"] == about_money
