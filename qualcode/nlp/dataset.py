"""Training examples grouped into labelled rows: one row per distinct passage.

A passage someone coded is positive for its codes and, implicitly, negative for every other
code (they read it and did not code it so). A rejected suggestion is a negative for its own code
only; the passage's other codes stay unknown (``known`` is false), so the classifier for those
codes does not learn from it. When one passage is both coded and rejected for a code, the
coding wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qualcode.nlp import Example


@dataclass
class TrainingSet:
    """Rows of passages; columns follow ``code_ids``."""

    texts: list[str]
    contexts: list[str]
    document_ids: list[int | None]
    code_ids: list[int]
    y: npt.NDArray[np.int8]  # 1 positive, 0 negative (where known)
    known: npt.NDArray[np.bool_]
    rejected: npt.NDArray[np.bool_]  # explicitly rejected suggestions (a subset of known)

    def __len__(self) -> int:
        return len(self.texts)

    def positives(self) -> npt.NDArray[np.int64]:
        """Positive rows per code."""
        return np.asarray((self.y * self.known).sum(axis=0), dtype=np.int64)

    def subset(self, rows: npt.NDArray[np.intp]) -> TrainingSet:
        return TrainingSet(
            [self.texts[i] for i in rows],
            [self.contexts[i] for i in rows],
            [self.document_ids[i] for i in rows],
            self.code_ids,
            self.y[rows],
            self.known[rows],
            self.rejected[rows],
        )


def build_training_set(code_ids: Sequence[int], examples: Sequence[Example]) -> TrainingSet:
    """Group examples by passage (document, text, context) into rows."""
    column = {code_id: j for j, code_id in enumerate(code_ids)}
    rows: dict[tuple[int | None, str, str], int] = {}
    positive: list[set[int]] = []
    negative: list[set[int]] = []
    for example in examples:
        j = column.get(example.code_id)
        text = example.text.strip()
        if j is None or not text:
            continue
        key = (example.document_id, text, example.context.strip())
        if key not in rows:
            rows[key] = len(rows)
            positive.append(set())
            negative.append(set())
        (positive if example.positive else negative)[rows[key]].add(j)
    n, k = len(rows), len(code_ids)
    y = np.zeros((n, k), dtype=np.int8)
    known = np.zeros((n, k), dtype=np.bool_)
    rejected = np.zeros((n, k), dtype=np.bool_)
    for i, (pos, neg) in enumerate(zip(positive, negative, strict=True)):
        rejected[i, sorted(neg - pos)] = True
        if pos:
            known[i, :] = True
            y[i, sorted(pos)] = 1
        else:
            known[i, sorted(neg)] = True
    keys = list(rows)
    return TrainingSet(
        [t for _, t, _ in keys],
        [c for _, _, c in keys],
        [d for d, _, _ in keys],
        list(code_ids),
        y,
        known,
        rejected,
    )
