"""The label-sequence coefficients against published worked examples and scikit-learn."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.stats.agreement import (
    LEVELS,
    brennan_prediger,
    cohen_kappa,
    count_table,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    percent_agreement_multi,
    scott_pi,
)

PUBLISHED = 0.0005
RECOMPUTED = 1e-6

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers x 12 units.
N = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
COHEN_1960 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
KRIPPENDORFF_2004_A = [[12, 9, 9], [9, 14, 9], [9, 9, 20]]
KRIPPENDORFF_2004_B = [[12, 18, 18], [0, 14, 18], [0, 0, 20]]
PARADOX = [[80, 7], [8, 5]]


def expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """A rows-by-columns contingency table as two label sequences (row = coder A)."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


@pytest.mark.parametrize(
    ("level", "published", "recomputed"),
    [
        ("nominal", 0.743, 0.743421),
        ("ordinal", 0.815, 0.815388),
        ("interval", 0.849, 0.849107),
        ("ratio", 0.797, 0.797403),
    ],
)
def test_agreement_krippendorff_2011_all_levels(level, published, recomputed):
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert alpha == pytest.approx(published, abs=PUBLISHED)
    assert alpha == pytest.approx(recomputed, abs=RECOMPUTED)


def test_agreement_gwet_ac1_and_fleiss_with_missing_on_krippendorff_2011():
    assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(0.775, abs=PUBLISHED)
    assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(0.775444, abs=RECOMPUTED)
    categories, counts = count_table(KRIPPENDORFF_2011)
    assert categories == [1, 2, 3, 4, 5]
    assert fleiss_kappa(counts) == pytest.approx(0.761, abs=PUBLISHED)
    assert fleiss_kappa(counts) == pytest.approx(0.761169, abs=RECOMPUTED)


def test_agreement_percent_multi_on_krippendorff_2011():
    # Gwet's p_a with missing data (irrCAC: .818)
    assert percent_agreement_multi(KRIPPENDORFF_2011) == pytest.approx(0.818, abs=PUBLISHED)


def test_agreement_cohen_1960():
    a, b = expand(COHEN_1960)
    assert percent_agreement(a, b) == pytest.approx(0.70)
    assert cohen_kappa(a, b) == pytest.approx(0.492, abs=PUBLISHED)
    assert cohen_kappa(a, b) == pytest.approx(0.491525, abs=RECOMPUTED)
    assert scott_pi(a, b) == pytest.approx(0.487179, abs=RECOMPUTED)
    assert gwet_ac1([a, b]) == pytest.approx(0.57597, abs=PUBLISHED)
    assert gwet_ac1([a, b]) == pytest.approx(0.575972, abs=RECOMPUTED)


def test_agreement_fleiss_with_two_coders_is_scott_pi():
    a, b = expand(COHEN_1960)
    assert fleiss_kappa(count_table([a, b])[1]) == pytest.approx(scott_pi(a, b), abs=1e-12)


@pytest.mark.parametrize(
    ("table", "kappa"), [(KRIPPENDORFF_2004_A, 0.185766), (KRIPPENDORFF_2004_B, 0.258242)]
)
def test_agreement_kappa_uses_each_coders_marginals(table, kappa):
    a, b = expand(table)
    assert percent_agreement(a, b) == pytest.approx(0.460, abs=PUBLISHED)
    assert scott_pi(a, b) == pytest.approx(0.185766, abs=RECOMPUTED)
    assert cohen_kappa(a, b) == pytest.approx(kappa, abs=RECOMPUTED)


def test_agreement_kappa_paradox():
    a, b = expand(PARADOX)
    assert cohen_kappa(a, b) == pytest.approx(0.314, abs=PUBLISHED)
    assert gwet_ac1([a, b]) == pytest.approx(0.808, abs=PUBLISHED)


def test_agreement_gwet_ac1_uses_given_number_of_categories():
    a, b = expand(COHEN_1960)
    # p_a = .70, pi = (.55, .30, .15) -> sum pi (1 - pi) = .585; q = 3: p_e = .2925, q = 4: .195
    assert gwet_ac1([a, b], categories=[0, 1, 2]) == pytest.approx((0.70 - 0.2925) / 0.7075)
    assert gwet_ac1([a, b], categories=[0, 1, 2, 3]) == pytest.approx((0.70 - 0.195) / 0.805)
    with pytest.raises(ValueError, match="categories"):
        gwet_ac1([a, b], categories=[0, 1])


def test_agreement_brennan_prediger():
    a, b = expand(COHEN_1960)
    assert brennan_prediger(a, b, 3) == pytest.approx((0.70 - 1 / 3) / (2 / 3))
    with pytest.raises(ValueError, match="q"):
        brennan_prediger(a, b, 2)
    assert brennan_prediger([], [], 2) is None


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_agreement_cohen_kappa_matches_sklearn(weights):
    rng = random.Random(7)
    checked = 0
    for _ in range(200):
        size, q = rng.randint(2, 40), rng.randint(2, 5)
        a = [rng.randrange(q) for _ in range(size)]
        # mostly agreeing, so kappa spans its range rather than sitting near 0
        b = [x if rng.random() < 0.6 else rng.randrange(q) for x in a]
        if len(set(a) | set(b)) < 2:
            continue
        expected = cohen_kappa_score(a, b, weights=weights)
        assert cohen_kappa(a, b, weights) == pytest.approx(expected, abs=1e-9)
        checked += 1
    assert checked > 150


def test_agreement_cohen_kappa_unequal_lengths():
    with pytest.raises(ValueError, match="length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="length"):
        percent_agreement([1, 2], [1])


def test_agreement_cohen_kappa_rejects_unknown_weights():
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa([1, 2], [1, 2], "cubic")  # type: ignore[arg-type]


def test_agreement_missing_pairs_are_skipped():
    a = [1, 2, None, 1, 2]
    b = [1, 2, 2, None, 1]
    assert percent_agreement(a, b) == pytest.approx(2 / 3)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa([1, 2, 2], [1, 2, 1]))


def test_agreement_one_category_only_is_not_computable():
    same = [["x"] * 5, ["x"] * 5]
    assert percent_agreement(*same) == 1.0
    assert cohen_kappa(*same) is None
    assert cohen_kappa(*same, weights="quadratic") is None
    assert scott_pi(*same) is None
    assert fleiss_kappa(count_table(same)[1]) is None
    assert gwet_ac1(same) is None
    assert gwet_ac1(same, categories=["x", "y"]) is None
    for level in ("nominal", "ordinal"):
        assert krippendorff_alpha(same, level) is None


def test_agreement_no_units_is_not_computable():
    assert percent_agreement([], []) is None
    assert cohen_kappa([], []) is None
    assert scott_pi([None], [1]) is None
    assert percent_agreement_multi([[1, None], [None, 2]]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None
    assert gwet_ac1([[1, None], [None, 2]]) is None
    assert fleiss_kappa([]) is None


def test_agreement_perfect_agreement_is_one():
    rows = [[1, 2, 3, 1], [1, 2, 3, 1], [1, 2, 3, None]]
    assert krippendorff_alpha(rows) == pytest.approx(1.0)
    assert gwet_ac1(rows) == pytest.approx(1.0)
    assert percent_agreement_multi(rows) == pytest.approx(1.0)
    assert cohen_kappa(rows[0], rows[1]) == pytest.approx(1.0)


def test_agreement_one_coder_never_disagreeing_with_constant_other_is_zero_kappa():
    # coder A always says 0; B varies: kappa is 0 (NVivo's "one coded nothing")
    assert cohen_kappa([0, 0, 0, 0], [0, 1, 0, 1]) == pytest.approx(0.0)


def test_agreement_alpha_levels_need_numbers():
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 1]], "cardinal")  # type: ignore[arg-type]
    assert len(LEVELS) == 4


def test_agreement_ragged_reliability_data_is_refused():
    with pytest.raises(ValueError, match="coder row 1"):
        krippendorff_alpha([[1, 2, 3], [1, 2]])
