"""Codebook rules: a code's keywords and name, matched on lemmas, each with a track record.

"barriers" matches the keyword "barrier" and "Pump-priming grants" matches "pump priming
grant", because both the phrase and the passage are compared as lower-case lemmas (spaCy's
``PhraseMatcher`` on ``LEMMA``). A code's name counts as a phrase, and so does each part of a
name joined by ``&`` or a comma ("Staff manner & personal attributes").

Every rule keeps its track record from the coders' decisions on the suggestions it caused:
its precision is the mean of a Beta posterior, so a new keyword starts from what its source
deserves (an author's keyword more than a name) and a noisy keyword fades as its suggestions
are rejected, while a good one rises as they are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.nlp import CodeInfo, Decision, Suggestion, TextUnit

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

# Beta prior (successes, failures) by where a rule's phrase came from
PRIORS: dict[str, tuple[float, float]] = {"keyword": (3.0, 2.0), "name": (2.0, 3.0)}
MAX_NAME_WORDS = 5  # longer names are descriptions, not phrases anyone says


@dataclass
class Rule:
    code_id: int
    phrase: str
    source: str  # "keyword" or "name"
    accepted: int = 0
    rejected: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def precision(self) -> float:
        a, b = PRIORS[self.source]
        return (self.accepted + a) / (self.decided + a + b)

    def rationale(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "source": self.source,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "decided": self.decided,
            "precision": round(self.precision, 3),
        }


@dataclass(frozen=True)
class Match:
    rule: int  # index into RuleSet.rules
    start: int  # character offsets in the matched text
    end: int


def phrases_of(code: CodeInfo) -> list[tuple[str, str]]:
    """(phrase, source) pairs of a code: its keywords, its name and the name's parts."""
    found = [(k.strip(), "keyword") for k in code.keywords if k.strip()]
    name = code.name.strip()
    if name and len(name.split()) <= MAX_NAME_WORDS:
        found.append((name, "name"))
    parts = [p.strip() for p in re.split(r"\s*(?:&|,)\s*", name)]
    if len(parts) > 1:
        found.extend((p, "name") for p in parts if p and len(p.split()) <= MAX_NAME_WORDS)
    seen: set[str] = set()
    unique = []
    for phrase, source in found:
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            unique.append((phrase, source))
    return unique


class RuleSet:
    """All codes' rules and one matcher for them (built lazily: it holds the vocabulary)."""

    def __init__(self, codes: Sequence[CodeInfo]) -> None:
        self.rules = [
            Rule(code.id, phrase, source) for code in codes for phrase, source in phrases_of(code)
        ]
        self._matcher: PhraseMatcher | None = None
        self._vocab: Vocab | None = None
        self._keys: dict[int, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.rules = state["rules"]
        self._matcher = None
        self._vocab = None
        self._keys = {}

    def _bind(self, nlp: Language) -> PhraseMatcher:
        from spacy.matcher import PhraseMatcher

        if self._matcher is None or self._vocab is not nlp.vocab:
            matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
            keys: dict[int, int] = {}
            patterns = nlp.pipe(rule.phrase for rule in self.rules)
            for index, pattern in enumerate(patterns):
                if any(not (t.is_stop or t.is_punct or t.is_space) for t in pattern):
                    key = f"qualcode-rule-{index}"
                    matcher.add(key, [pattern])
                    keys[nlp.vocab.strings[key]] = index
            self._matcher, self._vocab, self._keys = matcher, nlp.vocab, keys
        return self._matcher

    def match(self, nlp: Language, docs: Sequence[Doc | Span]) -> list[list[Match]]:
        """Each doc's (or sentence's) rule matches, in text order, with character offsets
        into its own text."""
        matcher = self._bind(nlp)
        out: list[list[Match]] = []
        for doc in docs:
            found = []
            base: int = getattr(doc, "start_char", 0)
            for key, start, end in matcher(doc):
                span = doc.doc[start:end]  # a span's matches are counted in its whole doc
                found.append(Match(self._keys[key], span.start_char - base, span.end_char - base))
            out.append(sorted(found, key=lambda m: (m.start, m.end)))
        return out

    def update(self, decisions: Sequence[Decision]) -> None:
        """Count each decision against the rule its suggestion named (by code and phrase)."""
        index = {(r.code_id, r.phrase.lower()): r for r in self.rules}
        for decision in decisions:
            named = decision.rationale.get("rule") if decision.rationale else None
            phrase = named.get("phrase") if isinstance(named, dict) else None
            rule = index.get((decision.code_id, str(phrase).lower())) if phrase else None
            if rule is None:
                continue
            if decision.accepted:
                rule.accepted += 1
            else:
                rule.rejected += 1


class RuleSuggester:
    """The codebook rules on their own, as a :class:`~qualcode.nlp.Suggester`: a matched
    phrase suggests its code with the rule's precision as the score."""

    name = "rules"

    def __init__(self, codes: Sequence[CodeInfo], nlp: Language | None = None) -> None:
        from qualcode.nlp.pipeline import build_nlp

        self.nlp = nlp or build_nlp()
        self.rules = RuleSet(codes)

    def suggest(self, units: Sequence[TextUnit]) -> Iterable[Suggestion]:
        docs = list(self.nlp.pipe(u.text for u in units))
        for unit, matches in zip(units, self.rules.match(self.nlp, docs), strict=True):
            best: dict[int, Rule] = {}
            for m in matches:
                rule = self.rules.rules[m.rule]
                if rule.code_id not in best or rule.precision > best[rule.code_id].precision:
                    best[rule.code_id] = rule
            for rule in sorted(best.values(), key=lambda r: -r.precision):
                yield Suggestion(
                    unit.document_id,
                    unit.start,
                    unit.end,
                    unit.text,
                    rule.code_id,
                    rule.precision,
                    "uncalibrated",
                    self.name,
                    {"rule": rule.rationale()},
                    "",
                )

    def update(self, decisions: Sequence[Decision]) -> None:
        self.rules.update(decisions)
