"""Bootstrap replicates are the pooled coefficients of the resampled documents."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.stats.binary import (
    BinaryCounts,
    alpha_sums,
    binary_cohen_kappa,
    binary_krippendorff_alpha,
)
from qualcode.stats.bootstrap import (
    alpha_replicates,
    kappa_replicates,
    percentile_interval,
    resample_weights,
)

DOCUMENTS = [
    BinaryCounts(30, 5, 9, 56),
    BinaryCounts(0, 0, 10, 90),
    BinaryCounts(3, 1, 0, 40),
    BinaryCounts(0, 0, 0, 70),
]


def test_bootstrap_resample_weights_draw_every_document_count_once():
    weights = resample_weights(4, 100, seed=9)
    assert weights.shape == (100, 4)
    assert (weights.sum(axis=1) == 4).all()
    assert (resample_weights(4, 100, seed=9) == weights).all()
    assert not (resample_weights(4, 100, seed=10) == weights).all()


def test_bootstrap_replicates_equal_pooled_coefficients():
    weights = resample_weights(len(DOCUMENTS), 60, seed=2)
    pairs = np.array([[[c.n11, c.n10, c.n01, c.n00]] for c in DOCUMENTS], dtype=np.float64)
    sums = np.array([alpha_sums(c) for c in DOCUMENTS], dtype=np.float64)
    kappas = kappa_replicates(weights, pairs)
    alphas = alpha_replicates(weights, sums)
    for row, kappa, alpha in zip(weights, kappas, alphas, strict=True):
        pooled = BinaryCounts()
        for counts, times in zip(DOCUMENTS, row, strict=True):
            for _ in range(int(times)):
                pooled = pooled + counts
        expected_kappa = binary_cohen_kappa(pooled)
        expected_alpha = binary_krippendorff_alpha(pooled)
        assert np.isnan(kappa) if expected_kappa is None else kappa == pytest.approx(expected_kappa)
        assert np.isnan(alpha) if expected_alpha is None else alpha == pytest.approx(expected_alpha)


def test_bootstrap_kappa_of_several_pairs_is_their_mean_where_defined():
    weights = np.ones((1, 1))
    pairs = np.array([[[5, 1, 1, 5], [0, 0, 0, 12], [2, 2, 2, 6]]], dtype=np.float64)
    expected = (
        binary_cohen_kappa(BinaryCounts(5, 1, 1, 5)) + binary_cohen_kappa(BinaryCounts(2, 2, 2, 6))
    ) / 2
    assert kappa_replicates(weights, pairs)[0] == pytest.approx(expected)


def test_bootstrap_percentile_interval():
    values = np.array([np.nan, *range(101)], dtype=np.float64)
    interval = percentile_interval(values)
    assert interval is not None
    assert (interval.low, interval.high) == (pytest.approx(2.5), pytest.approx(97.5))
    assert (interval.replicates, interval.computable) == (102, 101)
    assert percentile_interval(np.array([np.nan, np.nan])) is None
