"""The count-based binary coefficients equal the label-sequence ones on expanded 0/1 data."""

from __future__ import annotations

import random

import pytest

from qualcode.stats.agreement import (
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    percent_agreement_multi,
)
from qualcode.stats.binary import (
    BinaryCounts,
    RatingTally,
    alpha_disagreements,
    binary_cohen_kappa,
    binary_counts,
    binary_gwet_ac1,
    binary_krippendorff_alpha,
    binary_percent_agreement,
    binary_prevalence,
    nvivo_kappa,
)


def same(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return actual == pytest.approx(expected, abs=1e-9)


def rating_tally(rows: list[list[int | None]]) -> RatingTally:
    cells: dict[tuple[int, int], int] = {}
    for column in zip(*rows, strict=True):
        values = [v for v in column if v is not None]
        key = (len(values), sum(values))
        cells[key] = cells.get(key, 0) + 1
    return RatingTally(cells)


def test_binary_nvivo_manual_example():
    # 1000 characters: 50 coded by both, 150 by one only, 800 by neither -> 85%
    counts = BinaryCounts(n11=50, n10=100, n01=50, n00=800)
    assert binary_percent_agreement(counts) == pytest.approx(0.85)
    # EF1 = 150 * 100 / 1000 = 15, EF2 = 850 * 900 / 1000 = 765, K = (850 - 780) / (1000 - 780)
    assert nvivo_kappa(counts) == pytest.approx(70 / 220)
    assert binary_cohen_kappa(counts) == pytest.approx(70 / 220)


def test_binary_paradox_table():
    counts = BinaryCounts(n11=80, n10=7, n01=8, n00=5)
    assert binary_cohen_kappa(counts) == pytest.approx(0.314, abs=0.0005)
    assert binary_gwet_ac1(counts) == pytest.approx(0.808, abs=0.0005)


def test_binary_two_coders_equal_sequence_functions():
    rng = random.Random(3)
    for _ in range(300):
        size = rng.randint(0, 30)
        p = rng.random()
        a = [int(rng.random() < p) for _ in range(size)]
        b = [x if rng.random() < 0.7 else int(rng.random() < p) for x in a]
        counts = binary_counts(a, b)
        assert counts.total == size
        assert same(binary_percent_agreement(counts), percent_agreement(a, b))
        assert same(binary_cohen_kappa(counts), cohen_kappa(a, b))
        assert same(nvivo_kappa(counts), cohen_kappa(a, b))
        assert same(binary_krippendorff_alpha(counts), krippendorff_alpha([a, b]))
        assert same(binary_gwet_ac1(counts), gwet_ac1([a, b], categories=[0, 1]))


def test_binary_many_coders_with_missing_equal_sequence_functions():
    rng = random.Random(5)
    for _ in range(300):
        coders, size = rng.randint(2, 5), rng.randint(0, 25)
        truth = [int(rng.random() < 0.3) for _ in range(size)]
        rows: list[list[int | None]] = [
            [None if rng.random() < 0.2 else (t if rng.random() < 0.8 else 1 - t) for t in truth]
            for _ in range(coders)
        ]
        tally = rating_tally(rows)
        assert same(binary_percent_agreement(tally), percent_agreement_multi(rows))
        assert same(binary_krippendorff_alpha(tally), krippendorff_alpha(rows))
        assert same(binary_gwet_ac1(tally), gwet_ac1(rows, categories=[0, 1]))
        ratings = [v for row in rows for v in row if v is not None]
        assert same(binary_prevalence(tally), sum(ratings) / len(ratings) if ratings else None)


def test_binary_alpha_disagreements_give_alpha():
    counts = BinaryCounts(n11=30, n10=5, n01=9, n00=56)
    observed, expected = alpha_disagreements(counts) or (0.0, 0.0)
    assert 1 - observed / expected == pytest.approx(binary_krippendorff_alpha(counts))
    assert alpha_disagreements(BinaryCounts(n11=1)) == (0.0, 0.0)  # one unit: 2 values
    assert alpha_disagreements(BinaryCounts()) is None


def test_binary_coder_who_coded_nothing_gives_kappa_zero():
    # A coded nothing; B coded 10 of 100 characters: NVivo shows K = 0
    counts = BinaryCounts(n11=0, n10=0, n01=10, n00=90)
    assert nvivo_kappa(counts) == 0.0
    assert binary_cohen_kappa(counts) == 0.0


def test_binary_nobody_coded_is_not_computable():
    counts = BinaryCounts(n00=100)
    assert binary_percent_agreement(counts) == 1.0
    assert binary_prevalence(counts) == 0.0
    assert binary_cohen_kappa(counts) is None
    assert nvivo_kappa(counts) is None
    assert binary_krippendorff_alpha(counts) is None
    assert binary_gwet_ac1(counts) is None
    assert nvivo_kappa(BinaryCounts()) is None
    assert binary_percent_agreement(BinaryCounts()) is None


def test_binary_counts_and_tallies_add():
    total = BinaryCounts(1, 2, 3, 4) + BinaryCounts(10, 20, 30, 40)
    assert total == BinaryCounts(11, 22, 33, 44)
    tally = RatingTally({(2, 1): 3}) + RatingTally({(2, 1): 2, (3, 0): 1})
    assert tally.cells == {(2, 1): 5, (3, 0): 1}
    with pytest.raises(ValueError, match="length"):
        binary_counts([1], [1, 0])
