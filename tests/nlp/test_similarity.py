"""Similarity to a code's own words and to its coded examples (the cold start)."""

from __future__ import annotations

from nlp_samples import DATA, PARTNERS, TURNOVER, unit

from qualcode.nlp import CodeInfo, Decision, Example
from qualcode.nlp.similarity import SimilaritySuggester


def test_cold_start_uses_the_codes_own_words(nlp, codes):
    suggester = SimilaritySuggester(codes, [], nlp=nlp)
    found = list(
        suggester.suggest(
            [unit("The indicator baselines were wrong."), unit("We worked with the police.")]
        )
    )
    assert [s.code_id for s in found] == [DATA, PARTNERS]
    assert all("nearest" not in s.rationale and s.rationale["definition"] > 0 for s in found)


def test_nearest_coded_example_is_the_rationale(nlp, codes, examples):
    suggester = SimilaritySuggester(codes, examples, nlp=nlp)
    [found] = suggester.suggest([unit("The coordinator left us and the post stayed empty.")])
    assert found.code_id == TURNOVER
    assert found.rationale["nearest"] == {
        "text": "The coordinator left and the post stayed vacant for months.",
        "document_id": 10 + TURNOVER,
        "similarity": found.rationale["nearest"]["similarity"],
    }


def test_a_rejection_counts_against_its_code(nlp):
    codes = [CodeInfo(1, "A", "Money"), CodeInfo(2, "B", "People")]
    examples = [
        Example("The grant money came late.", 1, True, 1),
        Example("The staff were kind.", 2, True, 1),
    ]
    suggester = SimilaritySuggester(codes, examples, nlp=nlp)
    probe = [unit("The grant money was late again.")]
    [first] = suggester.suggest(probe)
    assert first.code_id == 1
    assert first.rationale["nearest"]["text"] == "The grant money came late."
    suggester.update([Decision(1, False, "similarity", text="The grant money was late again.")])
    [again] = suggester.suggest(probe)
    assert again.code_id == 2  # the rejected passage now counts against "Money"
