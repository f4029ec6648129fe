"""Bootstrap confidence intervals for per-code kappa and alpha, resampling documents.

Characters are not independent (a coding decision covers a whole passage), so resampling
characters, or Krippendorff's resampling of pairable values, gives intervals that are far too
narrow. Documents are the independent units of a coding study: each replicate draws as many
documents as there are, with replacement, and recomputes the pooled coefficient. Both
coefficients are ratios of sums over documents, so a replicate is a weighted sum of
per-document count vectors, done for all replicates at once with one matrix product.

The interval is the percentile interval of the replicates where the coefficient is defined;
how many were is reported with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval; ``computable`` of ``replicates`` had a defined value."""

    low: float
    high: float
    level: float
    replicates: int
    computable: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "replicates": self.replicates,
            "computable": self.computable,
        }


def resample_weights(n_documents: int, replicates: int, seed: int) -> FloatArray:
    """``replicates x n_documents`` matrix: how often each document is drawn in each resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_documents, size=(replicates, n_documents))
    weights = np.zeros((replicates, n_documents))
    np.add.at(weights, (np.arange(replicates)[:, None], draws), 1.0)
    return weights


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def kappa_replicates(weights: FloatArray, pair_counts: FloatArray) -> FloatArray:
    """Cohen's kappa per replicate, NaN where undefined.

    ``pair_counts`` is ``documents x pairs x 4`` (n11, n10, n01, n00 per coder pair); with
    more than one pair the value is the mean over the pairs where kappa is defined.
    """
    totals = np.einsum("rd,dpc->rpc", weights, pair_counts)
    n11, n10, n01, n00 = (totals[..., i] for i in range(4))
    n = n11 + n10 + n01 + n00
    first, second = n11 + n10, n11 + n01
    chance = first * second + (n - first) * (n - second)
    kappas = _ratio(n * (n11 + n00) - chance, n * n - chance)
    defined = np.isfinite(kappas)
    count = defined.sum(axis=1)
    return _ratio(np.where(defined, kappas, 0.0).sum(axis=1), count.astype(np.float64))


def alpha_replicates(weights: FloatArray, alpha_sums: FloatArray) -> FloatArray:
    """Binary Krippendorff's alpha per replicate from ``documents x 3`` (o_01, n_0, n_1)."""
    o01, n0, n1 = (weights @ alpha_sums).T
    return 1 - _ratio((n0 + n1 - 1) * o01, n0 * n1)


def percentile_interval(values: FloatArray, level: float = 0.95) -> Interval | None:
    """Percentile interval of the finite values; ``None`` when none is finite."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Interval(float(low), float(high), level, int(values.size), int(finite.size))
