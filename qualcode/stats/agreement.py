"""Inter-coder agreement coefficients on labels: the textbook definitions, written out plainly.

Two input shapes are used throughout:

- **Two coders**: two equal-length label sequences ``a`` and ``b`` (``a[i]`` and ``b[i]`` label
  the same unit). A position where either label is ``None`` is missing and skipped.
- **Reliability data** (any number of coders): rows are coders, columns are units, ``None``
  marks a value the coder did not give (Krippendorff's layout).

Every coefficient returns ``None`` when it is not defined: no (pairable) units, or only one
category observed, so that chance agreement is 1 and the formula is 0/0. It never returns
1 or NaN for an undefined value, and callers must not average ``None`` as if it were 1.
Gwet's AC1 follows DKPro here and is also ``None`` when only one category is observed,
although its formula would give 1.

The binary (coded / not coded) forms used on the character continuum, computed from counts
rather than label vectors, live in :mod:`qualcode.stats.binary` and are re-exported here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias

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

__all__ = [
    "LEVELS",
    "BinaryCounts",
    "Label",
    "RatingTally",
    "ReliabilityData",
    "alpha_disagreements",
    "binary_cohen_kappa",
    "binary_counts",
    "binary_gwet_ac1",
    "binary_krippendorff_alpha",
    "binary_percent_agreement",
    "binary_prevalence",
    "brennan_prediger",
    "cohen_kappa",
    "count_table",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "nvivo_kappa",
    "percent_agreement",
    "percent_agreement_multi",
    "scott_pi",
]

Label: TypeAlias = str | int | float
ReliabilityData: TypeAlias = Sequence[Sequence[Label | None]]
Weights: TypeAlias = Literal["linear", "quadratic"] | None
Level: TypeAlias = Literal["nominal", "ordinal", "interval", "ratio"]

LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


def _pairs(a: Sequence[Label | None], b: Sequence[Label | None]) -> list[tuple[Label, Label]]:
    if len(a) != len(b):
        raise ValueError(f"label sequences differ in length ({len(a)} and {len(b)})")
    return [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]


def _unit_counts(data: ReliabilityData) -> list[Counter[Label]]:
    """Per unit (column), how many coders gave each value."""
    if not data:
        return []
    width = len(data[0])
    for row_number, row in enumerate(data):
        if len(row) != width:
            raise ValueError(f"coder row {row_number} has {len(row)} units, expected {width}")
    return [Counter(v for v in column if v is not None) for column in zip(*data, strict=True)]


def _ordered(values: Sequence[Label], categories: Sequence[Label] | None) -> list[Label]:
    """Categories in order: as given, else the sorted observed values."""
    if categories is None:
        return sorted(set(values), key=lambda v: (isinstance(v, str), v))
    unknown = set(values) - set(categories)
    if unknown:
        raise ValueError(f"labels not among the categories: {sorted(map(str, unknown))}")
    return list(categories)


def percent_agreement(a: Sequence[Label | None], b: Sequence[Label | None]) -> float | None:
    """Share of units on which the two coders gave the same label (p_o)."""
    pairs = _pairs(a, b)
    if not pairs:
        return None
    return sum(x == y for x, y in pairs) / len(pairs)


def _observed_agreement(units: Sequence[Mapping[Label, int]]) -> float | None:
    """Fleiss' P-bar: mean share of agreeing coder pairs over units rated by two or more."""
    shares = []
    for counts in units:
        rated = sum(counts.values())
        if rated >= 2:
            agreeing = sum(n * (n - 1) for n in counts.values())
            shares.append(agreeing / (rated * (rated - 1)))
    return sum(shares) / len(shares) if shares else None


def _category_shares(units: Sequence[Mapping[Label, int]]) -> dict[Label, float]:
    """Gwet's pi_k: each category's share of a unit's ratings, averaged over rated units."""
    rated = [counts for counts in units if sum(counts.values()) >= 1]
    shares: dict[Label, float] = defaultdict(float)
    for counts in rated:
        total = sum(counts.values())
        for label, n in counts.items():
            shares[label] += n / total / len(rated)
    return dict(shares)


def percent_agreement_multi(reliability_data: ReliabilityData) -> float | None:
    """Percent agreement for any number of coders: the mean share of agreeing coder pairs.

    A unit rated by ``r`` coders, ``r_k`` of whom chose ``k``, agrees to the degree
    ``sum r_k (r_k - 1) / (r (r - 1))``; units rated by fewer than two coders are left out.
    With two coders and no missing values this is plain percent agreement.
    """
    return _observed_agreement(_unit_counts(reliability_data))


def cohen_kappa(
    a: Sequence[Label | None],
    b: Sequence[Label | None],
    weights: Weights = None,
    *,
    categories: Sequence[Label] | None = None,
) -> float | None:
    """Cohen's kappa (1960) for two coders, with each coder's own marginals for chance.

    ``weights`` gives weighted kappa with linear ``|i - j|`` or quadratic ``(i - j)**2``
    disagreement weights, ``i`` and ``j`` being positions in ``categories`` (default: the
    sorted observed labels, as scikit-learn does). Raises ``ValueError`` if the sequences
    differ in length.
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"unknown weights {weights!r}: use None, 'linear' or 'quadratic'")
    pairs = _pairs(a, b)
    if not pairs:
        return None
    order = _ordered([v for pair in pairs for v in pair], categories)
    position = {label: i for i, label in enumerate(order)}
    observed = Counter((position[x], position[y]) for x, y in pairs)
    first = Counter(position[x] for x, _ in pairs)
    second = Counter(position[y] for _, y in pairs)
    n = len(pairs)

    def weight(i: int, j: int) -> int:
        if weights == "linear":
            return abs(i - j)
        if weights == "quadratic":
            return (i - j) ** 2
        return int(i != j)

    disagreement = sum(weight(i, j) * count for (i, j), count in observed.items()) / n
    chance = sum(weight(i, j) * first[i] * second[j] for i in first for j in second) / (n * n)
    if chance == 0:
        return None
    return 1 - disagreement / chance


def scott_pi(a: Sequence[Label | None], b: Sequence[Label | None]) -> float | None:
    """Scott's pi (1955): like kappa, but chance from the two coders' pooled marginals."""
    pairs = _pairs(a, b)
    if not pairs:
        return None
    pooled = Counter(v for pair in pairs for v in pair)
    if len(pooled) < 2:
        return None
    observed = sum(x == y for x, y in pairs) / len(pairs)
    chance = sum((count / (2 * len(pairs))) ** 2 for count in pooled.values())
    return (observed - chance) / (1 - chance)


def brennan_prediger(a: Sequence[Label | None], b: Sequence[Label | None], q: int) -> float | None:
    """Brennan and Prediger's kappa_n (1981): chance agreement fixed at 1/q.

    MAXQDA's "kappa" is this, with ``q`` the number of codes in its result table.
    """
    if q < 2:
        raise ValueError(f"q must be at least 2, got {q}")
    pairs = _pairs(a, b)
    if len({v for pair in pairs for v in pair}) > q:
        raise ValueError(f"more than q={q} distinct labels observed")
    observed = percent_agreement(a, b)
    if observed is None:
        return None
    return (observed - 1 / q) / (1 - 1 / q)


def count_table(
    reliability_data: ReliabilityData, categories: Sequence[Label] | None = None
) -> tuple[list[Label], list[list[int]]]:
    """Reliability data as a units x categories table of how many coders chose each category."""
    units = _unit_counts(reliability_data)
    order = _ordered([label for counts in units for label in counts], categories)
    return order, [[counts[label] for label in order] for counts in units]


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa (1971) from a units x categories table of rating counts.

    Rows may sum to different numbers of ratings (missing data): agreement is then the mean
    share of agreeing pairs over units with at least two ratings, and chance is
    ``sum pi_k**2`` with ``pi_k`` each category's share of a unit's ratings averaged over
    rated units, as in Gwet (2014) and irrCAC. With complete data this is the classic
    formula; with two coders it equals Scott's pi, not Cohen's kappa.
    """
    units: list[dict[Label, int]] = [{k: n for k, n in enumerate(row) if n} for row in counts]
    observed = _observed_agreement(units)
    shares = _category_shares(units)
    if observed is None or len(shares) < 2:
        return None
    chance = sum(p * p for p in shares.values())
    return (observed - chance) / (1 - chance)


def gwet_ac1(
    reliability_data: ReliabilityData, categories: Sequence[Label] | None = None
) -> float | None:
    """Gwet's AC1 (2008) for any number of coders, with missing values.

    Chance agreement is ``sum pi_k (1 - pi_k) / (q - 1)``. ``q`` is ``len(categories)`` when
    given (fix it to the codebook's size, or to 2 for a per-code binary analysis), else the
    number of observed categories, as irrCAC does. ``None`` when fewer than two categories
    are observed (DKPro's rule; the formula itself would give 1).
    """
    units = _unit_counts(reliability_data)
    observed = _observed_agreement(units)
    shares = _category_shares(units)
    if categories is not None:
        _ordered(list(shares), categories)
    q = len(categories) if categories is not None else len(shares)
    if observed is None or len(shares) < 2:
        return None
    chance = sum(p * (1 - p) for p in shares.values()) / (q - 1)
    return (observed - chance) / (1 - chance)


def _differences(
    level: Level, values: list[Label], totals: Mapping[Label, float]
) -> dict[tuple[Label, Label], float]:
    """Krippendorff's squared difference delta^2 for every ordered pair of values."""
    if level == "nominal":
        return {(c, k): float(c != k) for c in values for k in values}
    if level == "ordinal":
        cumulative: dict[Label, float] = {}
        running = 0.0
        for value in values:
            running += totals[value]
            cumulative[value] = running
        deltas: dict[tuple[Label, Label], float] = {}
        for c in values:
            for k in values:
                low, high = (c, k) if cumulative[c] <= cumulative[k] else (k, c)
                between = cumulative[high] - cumulative[low] + totals[low]
                deltas[c, k] = (between - (totals[c] + totals[k]) / 2) ** 2
        return deltas
    number = {value: _numeric(value, level) for value in values}
    if level == "interval":
        return {(c, k): (number[c] - number[k]) ** 2 for c in values for k in values}
    if level == "ratio":
        return {(c, k): _ratio_difference(number[c], number[k]) for c in values for k in values}
    raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")


def _numeric(value: Label, level: str) -> float:
    if isinstance(value, str):
        raise ValueError(f"{level} alpha needs numeric values, got {value!r}")
    return float(value)


def _ratio_difference(c: float, k: float) -> float:
    return ((c - k) / (c + k)) ** 2 if c + k else 0.0


def krippendorff_alpha(reliability_data: ReliabilityData, level: Level = "nominal") -> float | None:
    """Krippendorff's alpha (2004; 2011) for any number of coders, with missing values.

    Units with fewer than two values are dropped; each remaining unit contributes its
    ``m(m - 1)`` ordered value pairs with weight ``1/(m - 1)`` to the coincidence matrix,
    and ``alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck``. ``None`` when only one
    value occurs (expected disagreement 0).
    """
    coincidences: dict[tuple[Label, Label], float] = defaultdict(float)
    for counts in _unit_counts(reliability_data):
        m = sum(counts.values())
        if m < 2:
            continue
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[c, k] += pairs / (m - 1)
    totals: dict[Label, float] = defaultdict(float)
    for (c, _), o in coincidences.items():
        totals[c] += o
    values = _ordered(list(totals), None)
    if len(values) < 2:
        return None
    delta = _differences(level, values, totals)
    n = sum(totals.values())
    observed = sum(o * delta[pair] for pair, o in coincidences.items())
    expected = sum(totals[c] * totals[k] * delta[c, k] for c in values for k in values)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected
