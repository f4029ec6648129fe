"""Codebook rules match lemmas and keep a track record that fades a noisy keyword."""

from __future__ import annotations

from nlp_samples import GRANT, PARTNERS, TURNOVER, unit

from qualcode.nlp import CodeInfo, Decision
from qualcode.nlp.rules import RuleSet, RuleSuggester, phrases_of


def matched(rules: RuleSet, nlp, text: str) -> list[tuple[str, str]]:
    found = rules.match(nlp, [nlp(text)])[0]
    return [(rules.rules[m.rule].phrase, text[m.start : m.end]) for m in found]


def test_rules_match_lemmas_not_spellings(nlp):
    rules = RuleSet([CodeInfo(1, "Barriers", "Obstacles", keywords=["barrier", "pump priming"])])
    assert matched(rules, nlp, "There were Barriers everywhere.") == [("barrier", "Barriers")]
    assert matched(rules, nlp, "The pump primed grants were late") == [
        ("pump priming", "pump primed")
    ]
    assert matched(rules, nlp, "No obstacle here") == [("Obstacles", "obstacle")]


def test_names_give_phrases_and_stop_words_alone_never_match(nlp):
    code = CodeInfo(1, "x", "Staff manner & personal attributes", keywords=["the", "Other"])
    assert [p for p, _ in phrases_of(code)] == [
        "the",
        "Other",
        "Staff manner & personal attributes",
        "Staff manner",
        "personal attributes",
    ]
    assert matched(RuleSet([code]), nlp, "The other staff manner was odd") == [
        ("Staff manner", "staff manner")
    ]


def decisions(code_id: int, phrase: str, accepted: int, rejected: int) -> list[Decision]:
    rationale = {"rule": {"phrase": phrase}}
    return [Decision(code_id, True, "rules", rationale)] * accepted + [
        Decision(code_id, False, "rules", rationale)
    ] * rejected


def test_a_noisy_rule_fades_and_a_good_one_rises(codes):
    rules = RuleSet(codes)
    by_phrase = {r.phrase: r for r in rules.rules}
    before = {p: by_phrase[p].precision for p in ("vacancy", "turnover")}
    rules.update(decisions(TURNOVER, "vacancy", 0, 6) + decisions(TURNOVER, "turnover", 7, 2))
    assert by_phrase["vacancy"].precision < before["vacancy"] / 2
    assert by_phrase["turnover"].precision > before["turnover"]
    assert by_phrase["turnover"].rationale() | {"precision": None} == {
        "phrase": "turnover",
        "source": "keyword",
        "accepted": 7,
        "rejected": 2,
        "decided": 9,
        "precision": None,
    }


def test_decisions_count_only_for_the_rule_and_code_they_name(codes):
    rules = RuleSet(codes)
    rules.update(decisions(GRANT, "vacancy", 0, 5) + [Decision(TURNOVER, False, "classifier")])
    assert all(r.decided == 0 for r in rules.rules)


def test_rule_suggester_suggests_the_matched_code_with_its_rule(codes, nlp):
    suggester = RuleSuggester(codes, nlp=nlp)
    found = list(
        suggester.suggest(
            [unit("High turnover and a vacancy in the team."), unit("Nothing to see here.")]
        )
    )
    assert [(s.code_id, s.rationale["rule"]["phrase"]) for s in found] == [(TURNOVER, "turnover")]
    suggester.update(decisions(TURNOVER, "turnover", 0, 8))
    again = list(suggester.suggest([unit("High turnover and a vacancy in the team.")]))
    assert again[0].rationale["rule"]["phrase"] == "vacancy"  # now the more trusted one
    assert PARTNERS not in {s.code_id for s in again}
