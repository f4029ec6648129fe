"""Blend the suggesters' evidence into one calibrated probability per passage and code.

The blend is itself a small logistic regression (stacking), fitted on out-of-fold evidence: the
classifier's decision value, the three similarities and the rule evidence, each also multiplied
by how many examples the code has (``strength``), so the data decide how far to trust the
classifier over the similarities as a code's examples grow; ``strength`` on its own is a prior
(a code coded often is likely to apply again). Because it is fitted on held-out
passages its outputs are probabilities, pooled over codes. A code with at least
``CALIBRATED_AT`` examples and decisions also gets its own intercept and classifier slope
(shrunk towards the pooled ones by the regularisation): only then is its score shown as a
percentage; below that the coder sees low / medium / high with the evidence count.

Before there is enough data to fit anything (a new project), fixed default weights are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

CALIBRATED_AT = 30  # examples + decisions of a code before its scores are shown as percentages
STRENGTH_SCALE = np.log1p(100.0)  # strength 1 at 100 examples

FEATURES = (
    "classifier",
    "classifier_strength",
    "definition",
    "definition_strength",
    "positive",
    "positive_strength",
    "negative",
    "rule",
    "rule_precision",
    "strength",
)
GROUPS: dict[str, tuple[int, ...]] = {
    "classifier": (0, 1),
    "similarity": (2, 3, 4, 5, 6),
    "rules": (7, 8),
}
# A new project's blend: a close coded example or a keyword counts most, a vague likeness to a
# code's definition little.
DEFAULT_WEIGHTS = np.array([0.5, 0.0, 6.0, 0.0, 6.0, 0.0, -6.0, 2.5, 1.0, 0.0])
DEFAULT_INTERCEPT = -3.5
PENALTY = 1.0  # pull of the defaults on the fitted weights (as a unit prior variance)
INTERCEPT_PENALTY = 0.01
THRESHOLD_SHRINK = 20.0  # pseudo-examples pulling a code's threshold to the shared one


@dataclass
class Evidence:
    """Per passage and code (arrays of shape passages x codes)."""

    classifier: npt.NDArray[np.float64]
    definition: npt.NDArray[np.float64]
    positive: npt.NDArray[np.float64]
    negative: npt.NDArray[np.float64]
    rule: npt.NDArray[np.bool_]
    rule_logit: npt.NDArray[np.float64]  # logit of the matched rule's precision (0 if none)
    strength: npt.NDArray[np.float64]  # per code: log1p(examples) / log1p(100)

    def columns(self) -> npt.NDArray[np.float64]:
        """The blend's inputs, one row per (passage, code) pair, passage-major."""
        s = self.strength[None, :]
        parts = [
            self.classifier,
            self.classifier * s,
            self.definition,
            self.definition * s,
            self.positive,
            self.positive * s,
            self.negative,
            self.rule.astype(np.float64),
            self.rule_logit,
            np.broadcast_to(s, self.classifier.shape),
        ]
        return np.stack([p.ravel() for p in parts], axis=1)


def strength_of(examples: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    return np.asarray(np.log1p(examples) / STRENGTH_SCALE, dtype=np.float64)


class Calibrator:
    """Evidence -> probability; ``own`` marks the codes with their own intercept and slope."""

    def __init__(self, n_codes: int) -> None:
        self.weights = DEFAULT_WEIGHTS.copy()
        self.intercept = DEFAULT_INTERCEPT
        self.own = np.zeros(n_codes, dtype=np.bool_)
        self.code_intercept = np.zeros(n_codes)
        self.code_slope = np.zeros(n_codes)
        self.fitted = False

    def _design(self, evidence: Evidence) -> sparse.csr_matrix:
        n, k = evidence.classifier.shape
        pair_code = np.tile(np.arange(k), n)
        own = self.own[pair_code]
        rows = np.flatnonzero(own)
        indicator = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, pair_code[rows])), shape=(n * k, k)
        )
        slope = sparse.csr_matrix(
            (evidence.classifier.ravel()[rows], (rows, pair_code[rows])), shape=(n * k, k)
        )
        return sparse.hstack(
            [sparse.csr_matrix(evidence.columns()), indicator, slope], format="csr"
        )

    def fit(
        self,
        evidence: Evidence,
        y: npt.NDArray[np.int8],
        known: npt.NDArray[np.bool_],
        own: npt.NDArray[np.bool_],
    ) -> Calibrator:
        """Fit on out-of-fold evidence for the known (passage, code) labels.

        A logistic regression whose weights are pulled towards the defaults (not towards
        zero): evidence the data rarely show, such as a keyword no coded passage contains
        yet, keeps its default weight instead of being ignored.
        """
        self.own = own.copy()
        mask = known.ravel()
        design = self._design(evidence)[mask]
        n_base, k = len(FEATURES), len(own)
        prior = np.concatenate([DEFAULT_WEIGHTS, np.zeros(2 * k)])
        weights, self.intercept = _penalised_logistic(
            design, y.ravel()[mask].astype(np.float64), prior, DEFAULT_INTERCEPT
        )
        self.weights = weights[:n_base]
        self.code_intercept = weights[n_base : n_base + k]
        self.code_slope = weights[n_base + k :]
        self.fitted = True
        return self

    def logits(self, evidence: Evidence) -> npt.NDArray[np.float64]:
        n, k = evidence.classifier.shape
        z = (evidence.columns() @ self.weights).reshape(n, k) + self.intercept
        z += np.where(self.own, self.code_intercept + self.code_slope * evidence.classifier, 0.0)
        return np.asarray(z, dtype=np.float64)

    def probabilities(self, evidence: Evidence) -> npt.NDArray[np.float64]:
        return np.asarray(1.0 / (1.0 + np.exp(-self.logits(evidence))), dtype=np.float64)

    def contributions(self, evidence: Evidence) -> dict[str, npt.NDArray[np.float64]]:
        """How much each suggester moved every (passage, code) pair's log-odds."""
        n, k = evidence.classifier.shape
        weighted = evidence.columns() * self.weights
        out = {
            name: weighted[:, list(cols)].sum(axis=1).reshape(n, k) for name, cols in GROUPS.items()
        }
        out["classifier"] += np.where(self.own, self.code_slope * evidence.classifier, 0.0)
        return out


def _penalised_logistic(
    x: sparse.csr_matrix,
    y: npt.NDArray[np.float64],
    prior: npt.NDArray[np.float64],
    prior_intercept: float,
    penalty: float = PENALTY,
) -> tuple[npt.NDArray[np.float64], float]:
    """Logistic regression with an L2 penalty towards ``prior`` (deterministic L-BFGS)."""
    from scipy.optimize import minimize
    from scipy.special import expit

    p = x.shape[1]
    xt = x.T.tocsr()

    def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        w, b = theta[:p], theta[p]
        z = x @ w + b
        residual = expit(z) - y
        gap = w - prior
        value = (
            np.logaddexp(0.0, z).sum()
            - y @ z
            + 0.5 * penalty * gap @ gap
            + 0.5 * INTERCEPT_PENALTY * (b - prior_intercept) ** 2
        )
        grad = np.concatenate(
            [
                xt @ residual + penalty * gap,
                [residual.sum() + INTERCEPT_PENALTY * (b - prior_intercept)],
            ]
        )
        return float(value), grad

    start = np.concatenate([prior, [prior_intercept]])
    found = minimize(
        loss,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500, "ftol": 1e-8, "gtol": 1e-3},
    )
    return np.asarray(found.x[:p], dtype=np.float64), float(found.x[p])


def confidence(probability: float, calibrated: bool) -> str:
    """What the coder is shown: a percentage once calibrated, else a coarse label."""
    if calibrated:
        return f"{round(probability * 100)}%"
    if probability >= 0.6:
        return "high"
    return "medium" if probability >= 0.3 else "low"


def choose_threshold(
    p: npt.NDArray[np.float64],
    y: npt.NDArray[np.int8],
    known: npt.NDArray[np.bool_],
    default: float = 0.5,
) -> float:
    """The score above which a code is predicted (besides each passage's top code) that
    maximises micro-F1 on fully coded passages (out-of-fold scores, training data only)."""
    full = known.all(axis=1)
    if not full.any() or not y[full].any():
        return default
    p, y = p[full], y[full].astype(bool)
    top = np.zeros_like(y)
    top[np.arange(len(p)), np.argmax(p, axis=1)] = True
    best, best_f1 = default, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        predicted = top | (p >= t)
        tp = np.count_nonzero(predicted & y)
        f1 = 2 * tp / (np.count_nonzero(predicted) + np.count_nonzero(y))
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def choose_code_thresholds(
    p: npt.NDArray[np.float64],
    y: npt.NDArray[np.int8],
    known: npt.NDArray[np.bool_],
    shared: float,
    shrink: float = THRESHOLD_SHRINK,
) -> npt.NDArray[np.float64]:
    """Each code's own threshold: the one that maximises that code's F1 on fully coded
    passages (out-of-fold scores, training data only), pulled towards the ``shared`` one by
    ``shrink`` pseudo-examples, so a code with few examples keeps nearly the shared threshold.

    One threshold for all codes maximises micro-F1, which the frequent codes dominate: a rare
    code's scores run lower, so it is then hardly ever predicted (macro-F1 suffers)."""
    k = p.shape[1]
    out = np.full(k, shared, dtype=np.float64)
    full = known.all(axis=1)
    if not full.any():
        return out
    p, y = p[full], y[full].astype(bool)
    top = np.zeros_like(y)
    top[np.arange(len(p)), np.argmax(p, axis=1)] = True
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    for j in range(k):
        positives = int(np.count_nonzero(y[:, j]))
        if not positives:
            continue
        predicted = top[None, :, j] | (p[None, :, j] >= grid[:, None])  # (grid, passages)
        tp = np.count_nonzero(predicted & y[None, :, j], axis=1)
        f1 = 2 * tp / (np.count_nonzero(predicted, axis=1) + positives)
        best = float(grid[int(np.argmax(f1 + 1e-9 * (grid == shared)))])
        out[j] = (positives * best + shrink * shared) / (positives + shrink)
    return out


def expected_calibration_error(
    scores: npt.NDArray[np.float64], outcomes: npt.NDArray[np.bool_], bins: int = 10
) -> float:
    """Mean |accuracy - confidence| over equal-width score bins, weighted by bin size."""
    confident = np.asarray(scores, dtype=np.float64).ravel()
    right = np.asarray(outcomes, dtype=np.float64).ravel()
    if confident.size == 0:
        return 0.0
    which = np.minimum((confident * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(right[inside].mean() - confident[inside].mean())
    return float(total / confident.size)
