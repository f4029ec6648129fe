"""The suggestion engine: fit the suggesters, blend and calibrate them, rank, dedupe, explain.

::

    engine = Engine().fit(codes, examples, decisions, unlabelled)  # seconds, off requests
    found = engine.suggest(units, existing={code_id: [Span(...)]}, top_k=3)

``fit`` learns, from the examples only (never from unreviewed suggestions): the codebook rules'
track records (from the decisions), the classifier, the similarity index, and, on out-of-fold
predictions of the first three, the calibrated blend and the decision thresholds (one shared,
and one per code pulled towards it). Given the project's ``unlabelled`` units (every unit of
its transcripts, coded or not; a seeded sample of at most ``MAX_UNLABELLED``), it also learns
latent features from them (``Featurizer.fit_latent``); without, none.

``suggest`` offers each unit its ``top_k`` codes (never one the coder already applied to an
overlapping span), best first, each with a probability, a confidence label, the suggester that
weighed most and a rationale a coder can check. Units cut by ``units.make_units`` carry their
spaCy analysis, so a transcript's text is analysed once, not again here.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from qualcode.errors import InvalidInput
from qualcode.nlp import CodeInfo, Decision, Example, Suggestion, TextUnit
from qualcode.nlp.calibration import (
    CALIBRATED_AT,
    Calibrator,
    Evidence,
    choose_code_thresholds,
    choose_threshold,
    confidence,
    strength_of,
)
from qualcode.nlp.classifier import LinearModels, informative
from qualcode.nlp.dataset import TrainingSet, build_training_set
from qualcode.nlp.features import Featurizer, Passages, Space
from qualcode.nlp.pipeline import build_nlp, lemma_tokens
from qualcode.nlp.rules import RuleSet
from qualcode.nlp.similarity import Similarity
from qualcode.text.spans import Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as Sentence
    from threadpoolctl import ThreadpoolController

ENGINE_VERSION = "4"  # bump when a change makes stored models or their scores incompatible
FOLDS = 3  # out-of-fold predictions for the blend and threshold; 2 from LARGE rows on
LARGE = 2000
MIN_ROWS_TO_CALIBRATE = 12  # coded passages needed before the blend is learnt from data
MIN_POSITIVES_TO_CALIBRATE = 8
NEAREST_CHARS = 300  # how much of the nearest coded example a rationale quotes
MAX_UNLABELLED = 10_000  # unlabelled units the latent features are fitted on (a seeded sample)


@dataclass
class RuleEvidence:
    hit: npt.NDArray[np.bool_]
    logit: npt.NDArray[np.float64]
    best: npt.NDArray[np.int64]  # index of the best matching rule, -1 if none


@dataclass
class Scored:
    units: Sequence[TextUnit]
    x: sparse.csr_matrix
    evidence: Evidence
    nearest: npt.NDArray[np.int64]
    rules: RuleEvidence
    probabilities: npt.NDArray[np.float64]


class Engine:
    """A project's fitted suggestion engine (plain data in, suggestions out)."""

    def __init__(self, pipeline: str | None = None) -> None:
        self.pipeline = pipeline
        self.codes: list[CodeInfo] = []
        self.model_version = f"{ENGINE_VERSION}-unfitted"
        self.threshold = 0.5
        self.thresholds = np.zeros(0, dtype=np.float64)
        self.evidence_counts = np.zeros(0, dtype=np.int64)
        self._nlp: Language | None = None

    # -- pickling (store.py): the spaCy pipeline is rebuilt, never stored --------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_nlp"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = build_nlp(self.pipeline)
        return self._nlp

    @property
    def code_ids(self) -> list[int]:
        return [c.id for c in self.codes]

    # -- fitting ----------------------------------------------------------------------------
    def fit(
        self,
        codes: Sequence[CodeInfo],
        examples: Sequence[Example],
        decisions: Sequence[Decision] = (),
        unlabelled: Sequence[TextUnit] = (),
    ) -> Engine:
        """Learn from the project's codes, examples and decisions, and from its ``unlabelled``
        units (the latent features); returns ``self``."""
        with _one_blas_thread():
            return self._fit(codes, examples, decisions, sample(unlabelled))

    def _fit(
        self,
        codes: Sequence[CodeInfo],
        examples: Sequence[Example],
        decisions: Sequence[Decision],
        unlabelled: Sequence[TextUnit],
    ) -> Engine:
        self.codes = list(codes)
        digest = _digest(self.codes, examples, decisions, unlabelled)
        self.model_version = f"{ENGINE_VERSION}-{digest}"
        data = build_training_set(self.code_ids, examples)
        docs = list(self.nlp.pipe(data.texts, batch_size=256))
        passages = Passages([" ".join(lemma_tokens(d)) for d in docs], self._lemmas(data.contexts))
        described = Passages(
            self._lemmas([c.description() for c in self.codes]), [""] * len(self.codes)
        )
        self.rules = RuleSet(self.codes)
        self.rules.update(decisions)
        decided_by_code = Counter(d.code_id for d in decisions)
        decided = np.array([decided_by_code[c.id] for c in self.codes], dtype=np.int64)
        positives = data.positives()
        self.evidence_counts = positives + decided
        self.features = Featurizer()
        both = self.features.fit_transform(
            Passages(
                [*passages.lemmas, *described.lemmas], [*passages.contexts, *described.contexts]
            )
        )
        if unlabelled and self.features.fit_latent(self._passages(unlabelled)[1]):
            both = self.features.with_latent(both)
        x, self.definitions = both[: len(data)], both[len(data) :]
        self.word_names = self.features.word_names()
        self.shown_words = informative(self.word_names, self.nlp)
        rules = self._rule_evidence(docs)
        self.strength = strength_of(positives)
        self.calibrator = Calibrator(len(self.codes))
        self.threshold = 0.5
        self.thresholds = np.full(len(self.codes), self.threshold)
        space, defined = self._space(x), self._space(self.definitions)
        if len(data) >= MIN_ROWS_TO_CALIBRATE and positives.sum() >= MIN_POSITIVES_TO_CALIBRATE:
            self._calibrate(data, x, space, defined, rules)
        self.models = LinearModels().fit(x, data.y, data.known)
        self.similarity = Similarity(defined, space, data)
        self.example_texts = [t[:NEAREST_CHARS] for t in data.texts]
        self.example_documents = list(data.document_ids)
        return self

    def _calibrate(
        self,
        data: TrainingSet,
        x: sparse.csr_matrix,
        space: Space,
        defined: Space,
        rules: RuleEvidence,
    ) -> None:
        """Fit the blend and the threshold on out-of-fold evidence (``space``: the rows of
        ``x`` in the similarity space, ``defined``: the codes' descriptions there)."""
        from sklearn.model_selection import KFold

        chunks: list[Evidence] = []
        order: list[npt.NDArray[np.intp]] = []
        folds = FOLDS if len(data) < LARGE else 2
        for train, held in KFold(folds, shuffle=True, random_state=0).split(data.texts):
            subset = data.subset(train)
            models = LinearModels().fit(x[train], subset.y, subset.known)
            similarity = Similarity(defined, space[train], subset)
            held_rules = RuleEvidence(rules.hit[held], rules.logit[held], rules.best[held])
            found, _ = _evidence(
                x[held], space[held], models, similarity, held_rules, self.strength
            )
            chunks.append(found)
            order.append(held)
        rows = np.concatenate(order)
        joined = {
            name: np.concatenate([getattr(c, name) for c in chunks])
            for name in ("classifier", "definition", "positive", "negative", "rule", "rule_logit")
        }
        evidence = Evidence(**joined, strength=self.strength)
        y, known = data.y[rows], data.known[rows]
        own = self.evidence_counts >= CALIBRATED_AT
        self.calibrator.fit(evidence, y, known, own)
        p = self.calibrator.probabilities(evidence)
        self.threshold = choose_threshold(p, y, known)
        self.thresholds = choose_code_thresholds(p, y, known, self.threshold)

    # -- scoring ----------------------------------------------------------------------------
    def _space(self, x: sparse.csr_matrix) -> Space:
        """Similarities are taken over the passages' own words (sparser, so much faster) and
        the latent features."""
        return self.features.similarity_space(x)

    def _passages(self, units: Sequence[TextUnit]) -> tuple[list[Doc | Sentence], Passages]:
        """The units' analyses, and the units as the features see them."""
        docs = self._analyse(units)
        passages = Passages(
            [" ".join(lemma_tokens(d)) for d in docs], self._lemmas([u.context for u in units])
        )
        return docs, passages

    def _lemmas(self, texts: Sequence[str]) -> list[str]:
        """Lemmas of texts that repeat a lot (contexts), each distinct one analysed once."""
        distinct = list(dict.fromkeys(texts))
        lemmas = {
            t: " ".join(lemma_tokens(d))
            for t, d in zip(distinct, self.nlp.pipe(distinct, batch_size=256), strict=True)
        }
        return [lemmas[t] for t in texts]

    def _analyse(self, units: Sequence[TextUnit]) -> list[Doc | Sentence]:
        """Each unit's spaCy analysis: the one it was cut with when that came from this
        engine's pipeline (``make_units``), else its text analysed now."""
        vocab = self.nlp.vocab
        docs: list[Doc | Sentence | None] = [
            u.doc if u.doc is not None and u.doc.vocab is vocab else None for u in units
        ]
        missing = [i for i, d in enumerate(docs) if d is None]
        analysed = self.nlp.pipe((units[i].text for i in missing), batch_size=256)
        for i, doc in zip(missing, analysed, strict=True):
            docs[i] = doc
        return [d for d in docs if d is not None]

    def _rule_evidence(self, docs: Sequence[Doc | Sentence]) -> RuleEvidence:
        n, k = len(docs), len(self.codes)
        column = {code_id: j for j, code_id in enumerate(self.code_ids)}
        hit = np.zeros((n, k), dtype=np.bool_)
        logit = np.zeros((n, k))
        best = np.full((n, k), -1, dtype=np.int64)
        for i, matches in enumerate(self.rules.match(self.nlp, docs)):
            for m in matches:
                rule = self.rules.rules[m.rule]
                j = column[rule.code_id]
                p = rule.precision
                if not hit[i, j] or p > self.rules.rules[best[i, j]].precision:
                    hit[i, j], best[i, j], logit[i, j] = True, m.rule, np.log(p / (1 - p))
        return RuleEvidence(hit, logit, best)

    def score(self, units: Sequence[TextUnit]) -> Scored:
        """Every code's probability for every unit, with the evidence behind it."""
        with _one_blas_thread():
            return self._score(units)

    def _score(self, units: Sequence[TextUnit]) -> Scored:
        docs, passages = self._passages(units)
        x = self.features.transform(passages)
        rules = self._rule_evidence(docs)
        evidence, nearest = _evidence(
            x, self._space(x), self.models, self.similarity, rules, self.strength
        )
        return Scored(units, x, evidence, nearest, rules, self.calibrator.probabilities(evidence))

    def probabilities(self, units: Sequence[TextUnit]) -> npt.NDArray[np.float64]:
        """A (units x codes) array of probabilities, columns in ``code_ids`` order."""
        if not units or not self.codes:
            return np.zeros((len(units), len(self.codes)))
        return self.score(units).probabilities

    def predict(self, units: Sequence[TextUnit]) -> list[list[int]]:
        """The codes each unit would be given: its best code and any at or above that code's
        threshold."""
        if not self.codes:
            return [[] for _ in units]
        out = []
        for row in self.probabilities(units):
            chosen = {int(np.argmax(row))} | set(np.flatnonzero(row >= self.thresholds).tolist())
            out.append([self.codes[j].id for j in sorted(chosen, key=lambda j: -row[j])])
        return out

    def suggest(
        self,
        units: Sequence[TextUnit],
        existing: Mapping[int, Sequence[Span]] | None = None,
        top_k: int = 3,
    ) -> list[Suggestion]:
        """Each unit's ``top_k`` codes, best first, leaving out any code already applied to a
        span overlapping the unit (``existing``: code id -> spans in the units' document)."""
        units = _distinct(units)
        if existing and len({u.document_id for u in units}) > 1:
            raise InvalidInput("existing codings can only be given for one document at a time")
        if not units or not self.codes:
            return []
        scored = self.score(units)
        chosen = self._ranked(units, scored.probabilities, existing or {}, top_k)
        pair_rows, pair_codes = np.nonzero(chosen >= 0)
        pair_codes = chosen[pair_rows, pair_codes]
        parts = self.calibrator.contributions(scored.evidence)
        names = list(parts)
        weighed = np.stack([parts[n][pair_rows, pair_codes] for n in names])
        methods = [names[m] for m in np.argmax(weighed, axis=0).tolist()]
        explained = self.models.top_words(
            scored.x, pair_rows, pair_codes, self.word_names, self.shown_words
        )
        return [
            self._suggestion(scored, i, j, method, words, asked)
            for i, j, method, (words, asked) in zip(
                pair_rows.tolist(), pair_codes.tolist(), methods, explained, strict=True
            )
        ]

    def _ranked(
        self,
        units: Sequence[TextUnit],
        p: npt.NDArray[np.float64],
        existing: Mapping[int, Sequence[Span]],
        top_k: int,
    ) -> npt.NDArray[np.intp]:
        """Each unit's ``top_k`` code columns, best first, skipping codes applied to a span
        overlapping the unit; -1 pads a unit left with fewer."""
        order = np.argsort(-p, axis=1, kind="stable")
        column = {code_id: j for j, code_id in enumerate(self.code_ids)}
        taken = np.zeros(p.shape, dtype=np.bool_)
        starts = np.array([u.start for u in units])
        ends = np.array([u.end for u in units])
        for code_id, spans in existing.items():
            j = column.get(code_id)
            for s in spans if j is not None else ():
                taken[:, j] |= (starts < s.end) & (s.start < ends)  # as Span.overlaps
        if taken.any():
            skipped = np.take_along_axis(taken, order, axis=1)
            order = np.take_along_axis(order, np.argsort(skipped, axis=1, kind="stable"), axis=1)
            order[np.take_along_axis(taken, order, axis=1)] = -1
        return order[:, :top_k]

    # -- explaining -------------------------------------------------------------------------
    def _suggestion(
        self, scored: Scored, i: int, j: int, method: str, words: list[str], asked: bool
    ) -> Suggestion:
        unit = scored.units[i]
        p = float(scored.probabilities[i, j])
        calibrated = bool(self.calibrator.fitted and self.calibrator.own[j])
        rationale: dict[str, Any] = {
            "evidence": int(self.evidence_counts[j]),
            "calibrated": calibrated,
        }
        rule = int(scored.rules.best[i, j])
        if rule >= 0:
            rationale["rule"] = self.rules.rules[rule].rationale()
        if words:
            rationale["words"] = words
        if asked and unit.context:
            rationale["question"] = unit.context
        row = int(scored.nearest[i, j])
        if row >= 0 and scored.evidence.positive[i, j] > 0:
            rationale["nearest"] = {
                "text": self.example_texts[row],
                "document_id": self.example_documents[row],
                "similarity": round(float(scored.evidence.positive[i, j]), 3),
            }
        definition = float(scored.evidence.definition[i, j])
        if definition > 0:
            rationale["definition"] = round(definition, 3)
        return Suggestion(
            unit.document_id,
            unit.start,
            unit.end,
            unit.text,
            self.codes[j].id,
            round(p, 4),
            confidence(p, calibrated),
            method,
            rationale,
            self.model_version,
        )

    # -- storage ----------------------------------------------------------------------------
    def save(self, path: Path) -> Path:
        """Write the fitted engine into the directory ``path`` (see ``store``)."""
        from qualcode.nlp import store

        return store.save(self, path)

    @classmethod
    def load(cls, path: Path) -> Engine:
        """The engine stored in directory ``path``; raises ``store.ModelUnavailable``."""
        from qualcode.nlp import store

        return store.load_or_raise(path)


def _evidence(
    x: sparse.csr_matrix,
    words: Space,
    models: LinearModels,
    similarity: Similarity,
    rules: RuleEvidence,
    strength: npt.NDArray[np.float64],
) -> tuple[Evidence, npt.NDArray[np.int64]]:
    found = similarity.scores(words)
    return Evidence(
        models.decision(x),
        found.definition,
        found.positive,
        found.negative,
        rules.hit,
        rules.logit,
        strength,
    ), found.nearest


def _one_blas_thread() -> AbstractContextManager[object]:
    """The engine's matrices are small: BLAS threads only contend with the web server's (and
    on a busy machine made the blend's fit ten times slower)."""
    limits: AbstractContextManager[object] = _threadpools().limit(limits=1, user_api="blas")
    return limits


@lru_cache(maxsize=1)
def _threadpools() -> ThreadpoolController:
    """The process's thread pools, found once: looking for them reads the process's memory
    map, which cost more than scoring a unit."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _distinct(units: Sequence[TextUnit]) -> list[TextUnit]:
    seen: set[tuple[int, int, int]] = set()
    out = []
    for unit in units:
        key = (unit.document_id, unit.start, unit.end)
        if key not in seen:
            seen.add(key)
            out.append(unit)
    return out


def sample(units: Sequence[TextUnit], limit: int = MAX_UNLABELLED) -> Sequence[TextUnit]:
    """At most ``limit`` of the units, a seeded sample in their order (the same units give the
    same sample)."""
    if len(units) <= limit:
        return units
    return [units[i] for i in sorted(random.Random(0).sample(range(len(units)), limit))]


def _digest(
    codes: Sequence[CodeInfo],
    examples: Sequence[Example],
    decisions: Sequence[Decision],
    unlabelled: Sequence[TextUnit] = (),
) -> str:
    """A short hash of everything a fit depends on (same data, same version)."""
    sha = hashlib.sha256()
    for part in (
        *(
            (
                c.id,
                c.path,
                c.name,
                c.definition,
                c.inclusion,
                c.exclusion,
                c.typical_example,
                c.atypical_example,
                tuple(c.keywords),
            )
            for c in codes
        ),
        *((e.text, e.code_id, e.positive, e.document_id, e.context) for e in examples),
        *((d.code_id, d.accepted, str((d.rationale or {}).get("rule"))) for d in decisions),
        *((u.text, u.context) for u in unlabelled),
    ):
        sha.update(repr(part).encode())
        sha.update(b"\x00")
    return sha.hexdigest()[:12]
