"""Similarity to what a code means and to what was coded with it (the cold start).

Three cosine similarities per passage and code, in the featurizer's similarity space
(:class:`~qualcode.nlp.features.Space`: the passage words and, if fitted, the latent block):

- ``definition``: to the code's own words (name, definition, inclusion criteria, examples,
  keywords), which is all a new code has;
- ``positive``: to the nearest passage coded with it, which is also shown to the coder as the
  reason ("like this coded example from document 3");
- ``negative``: to the nearest passage where a suggestion of it was rejected.

The engine weighs them against the classifier by how many examples the code has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from qualcode.nlp import CodeInfo, Decision, Example, Suggestion, TextUnit
from qualcode.nlp.dataset import TrainingSet, build_training_set
from qualcode.nlp.features import Featurizer, Passages, Space

if TYPE_CHECKING:
    from spacy.language import Language

CHUNK = 1024  # rows scored at a time, to bound memory with many examples


@dataclass
class Similarities:
    definition: npt.NDArray[np.float64]  # (passages, codes)
    positive: npt.NDArray[np.float64]
    negative: npt.NDArray[np.float64]
    nearest: npt.NDArray[np.int64]  # index into the stored positives, -1 if none


class ExampleIndex:
    """Stored example rows, with which codes each is an example (or a rejection) of."""

    def __init__(self, x: Space, labels: npt.NDArray[np.bool_]) -> None:
        keep = np.flatnonzero(labels.any(axis=1))
        self.x = x[keep].transposed()
        self.labels = labels[keep]
        self.rows = keep  # the training rows they came from
        self.columns = [np.flatnonzero(self.labels[:, j]) for j in range(labels.shape[1])]

    def nearest(self, x: Space) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Per passage and code: the best cosine to an example of the code, and which."""
        n, k = len(x), self.labels.shape[1]
        best = np.zeros((n, k), dtype=np.float64)
        which = np.full((n, k), -1, dtype=np.int64)
        if self.rows.size == 0:
            return best, which
        for start in range(0, n, CHUNK):
            cos = x[start : start + CHUNK].cosines(self.x)
            for j, cols in enumerate(self.columns):
                if cols.size:
                    arg = np.argmax(cos[:, cols], axis=1)
                    best[start : start + CHUNK, j] = cos[np.arange(len(cos)), cols[arg]]
                    which[start : start + CHUNK, j] = self.rows[cols[arg]]
        return best, which


class Similarity:
    """Fitted similarity scorer over one featurizer's space."""

    def __init__(self, definitions: Space, x: Space, data: TrainingSet) -> None:
        self.definitions = definitions.transposed()
        self.positives = ExampleIndex(x, (data.y == 1) & data.known)
        self.negatives = ExampleIndex(x, data.rejected)

    def scores(self, x: Space) -> Similarities:
        definition = x.cosines(self.definitions).astype(np.float64)
        positive, nearest = self.positives.nearest(x)
        negative, _ = self.negatives.nearest(x)
        return Similarities(definition, positive, negative, nearest)


class SimilaritySuggester:
    """Similarity on its own, as a :class:`~qualcode.nlp.Suggester`."""

    name = "similarity"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        examples: Sequence[Example] = (),
        nlp: Language | None = None,
    ) -> None:
        from qualcode.nlp.pipeline import build_nlp

        self.codes = list(codes)
        self.nlp = nlp or build_nlp()
        self.examples = list(examples)
        self._fit()

    def _passages(self, texts: Sequence[str], contexts: Sequence[str]) -> Passages:
        from qualcode.nlp.pipeline import lemmatise

        return Passages(lemmatise(self.nlp, texts), lemmatise(self.nlp, contexts))

    def _fit(self) -> None:
        self.data = build_training_set([c.id for c in self.codes], self.examples)
        described = self._passages([c.description() for c in self.codes], [""] * len(self.codes))
        passages = self._passages(self.data.texts, self.data.contexts)
        both = Passages(
            [*passages.lemmas, *described.lemmas], [*passages.contexts, *described.contexts]
        )
        self.features = Featurizer().fit(both)
        self.similarity = Similarity(self._space(described), self._space(passages), self.data)

    def _space(self, passages: Passages) -> Space:
        return self.features.similarity_space(self.features.transform(passages))

    def suggest(self, units: Sequence[TextUnit]) -> Iterable[Suggestion]:
        if not units or not self.codes:
            return
        found = self.similarity.scores(
            self._space(self._passages([u.text for u in units], [u.context for u in units]))
        )
        score = np.maximum(found.definition, found.positive) - found.negative
        for i, unit in enumerate(units):
            j = int(np.argmax(score[i]))
            rationale: dict[str, object] = {"definition": round(float(found.definition[i, j]), 3)}
            row = int(found.nearest[i, j])
            if row >= 0 and found.positive[i, j] > 0:
                rationale["nearest"] = {
                    "text": self.data.texts[row],
                    "document_id": self.data.document_ids[row],
                    "similarity": round(float(found.positive[i, j]), 3),
                }
            yield Suggestion(
                unit.document_id,
                unit.start,
                unit.end,
                unit.text,
                self.codes[j].id,
                float(max(score[i, j], 0.0)),
                "uncalibrated",
                self.name,
                rationale,
                "",
            )

    def update(self, decisions: Sequence[Decision]) -> None:
        """Accepted passages become examples, rejected ones counter-examples."""
        added = [Example(d.text, d.code_id, d.accepted) for d in decisions if d.text.strip()]
        if added:
            self.examples.extend(added)
            self._fit()
