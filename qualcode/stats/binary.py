"""Agreement on binary units (coded with a code / not coded) computed from counts.

Per-code agreement on the character continuum would need one 0/1 value per character per
coder: millions of values for a modest study. Every coefficient qualcode reports for a
binary code depends only on how many units fall into each cell, so these functions take the
counts instead and are O(1) in the number of characters:

- :class:`BinaryCounts` is the 2x2 table of two coders (NVivo's coding comparison);
- :class:`RatingTally` counts units by (coders who rated it, coders who coded it), which is
  all that Krippendorff's alpha, Gwet's AC1 and Fleiss' percent agreement need for any
  number of coders, missing ratings included.

Each function equals its label-sequence twin in :mod:`qualcode.stats.agreement` applied to
the expanded 0/1 vectors, and returns ``None`` in the same undefined cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BinaryCounts:
    """Two coders' 2x2 table: ``n11`` units both coded, ``n10`` only the first, ``n01`` only
    the second, ``n00`` neither."""

    n11: int = 0
    n10: int = 0
    n01: int = 0
    n00: int = 0

    @property
    def total(self) -> int:
        return self.n11 + self.n10 + self.n01 + self.n00

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        return BinaryCounts(
            self.n11 + other.n11, self.n10 + other.n10, self.n01 + other.n01, self.n00 + other.n00
        )

    def tally(self) -> RatingTally:
        return RatingTally({(2, 2): self.n11, (2, 1): self.n10 + self.n01, (2, 0): self.n00})


def binary_counts(a: Sequence[int | bool], b: Sequence[int | bool]) -> BinaryCounts:
    """The 2x2 table of two equal-length 0/1 sequences."""
    if len(a) != len(b):
        raise ValueError(f"sequences differ in length ({len(a)} and {len(b)})")
    cells = Counter((bool(x), bool(y)) for x, y in zip(a, b, strict=True))
    return BinaryCounts(
        cells[True, True], cells[True, False], cells[False, True], cells[False, False]
    )


@dataclass(frozen=True)
class RatingTally:
    """Binary units for any number of coders: ``cells[(rated, coded)]`` is the number of units
    rated by ``rated`` coders (the others' values are missing), ``coded`` of whom coded it."""

    cells: Mapping[tuple[int, int], int] = field(default_factory=dict)

    def __add__(self, other: RatingTally) -> RatingTally:
        total = Counter(self.cells)
        total.update(other.cells)
        return RatingTally(dict(total))


Binary = BinaryCounts | RatingTally


def _tally(counts: Binary) -> RatingTally:
    return counts.tally() if isinstance(counts, BinaryCounts) else counts


def binary_percent_agreement(counts: Binary) -> float | None:
    """Mean share of agreeing coder pairs over units rated by two or more coders.

    For two coders: (units coded by both + units coded by neither) / units, NVivo's
    percentage agreement.
    """
    units = agreeing = 0.0
    for (rated, coded), n in _tally(counts).cells.items():
        if rated >= 2 and n:
            pairs = coded * (coded - 1) + (rated - coded) * (rated - coded - 1)
            agreeing += n * pairs / (rated * (rated - 1))
            units += n
    return agreeing / units if units else None


def binary_prevalence(counts: Binary) -> float | None:
    """Share of all ratings that are "coded": the average coder's share of units coded."""
    ratings = sum(rated * n for (rated, _), n in _tally(counts).cells.items())
    coded = sum(c * n for (_, c), n in _tally(counts).cells.items())
    return coded / ratings if ratings else None


def binary_cohen_kappa(counts: BinaryCounts) -> float | None:
    """Cohen's kappa of a 2x2 table; ``None`` when both coders used one and the same value."""
    n = counts.total
    first, second = counts.n11 + counts.n10, counts.n11 + counts.n01
    chance = first * second + (n - first) * (n - second)  # n**2 * p_e, exact in integers
    if chance == n * n:
        return None
    return (n * (counts.n11 + counts.n00) - chance) / (n * n - chance)


def nvivo_kappa(counts: BinaryCounts) -> float | None:
    """NVivo's coding-comparison kappa, K = (TA - sum EF) / (TU - sum EF), term by term.

    EF1 = coded by A x coded by B / TU, EF2 = not coded by A x not coded by B / TU, TA = units
    of agreement, TU = total units. It is Cohen's kappa on the 2x2 table. NVivo shows 1 when
    neither user coded the source (0/0); qualcode reports ``None`` ("not computable").
    """
    total = counts.total
    if total == 0:
        return None
    coded_a, coded_b = counts.n11 + counts.n10, counts.n11 + counts.n01
    expected = (coded_a * coded_b + (total - coded_a) * (total - coded_b)) / total
    agreement = counts.n11 + counts.n00
    if total - expected == 0:
        return None
    return (agreement - expected) / (total - expected)


def alpha_sums(counts: Binary) -> tuple[float, float, float]:
    """Additive sufficient statistics of binary alpha: (o_01, n_0, n_1).

    ``o_01`` is the coincidence count of (not coded, coded) pairs, each unit with ``m >= 2``
    ratings contributing ``coded * (m - coded) / (m - 1)``; ``n_0`` and ``n_1`` count the
    pairable values of each kind. Sums over documents or bootstrap resamples stay valid.
    """
    o01 = n0 = n1 = 0.0
    for (rated, coded), n in _tally(counts).cells.items():
        if rated >= 2:
            o01 += n * coded * (rated - coded) / (rated - 1)
            n1 += n * coded
            n0 += n * (rated - coded)
    return o01, n0, n1


def alpha_from_sums(o01: float, n0: float, n1: float) -> float | None:
    """alpha = 1 - (n - 1) o_01 / (n_0 n_1); ``None`` when only one value occurs."""
    if n0 == 0 or n1 == 0:
        return None
    return 1 - (n0 + n1 - 1) * o01 / (n0 * n1)


def alpha_disagreements(counts: Binary) -> tuple[float, float] | None:
    """Observed and expected disagreement (D_o, D_e) of binary alpha; ``None`` if n < 2."""
    o01, n0, n1 = alpha_sums(counts)
    n = n0 + n1
    if n < 2:
        return None
    return 2 * o01 / n, 2 * n0 * n1 / (n * (n - 1))


def binary_krippendorff_alpha(counts: Binary) -> float | None:
    """Krippendorff's alpha (nominal) for binary units, any number of coders, missing data."""
    return alpha_from_sums(*alpha_sums(counts))


def binary_gwet_ac1(counts: Binary) -> float | None:
    """Gwet's AC1 with q = 2: chance agreement 2 pi (1 - pi), pi the mean share coded.

    ``None`` when there is no pairable unit or only one value occurs, as in
    :func:`qualcode.stats.agreement.gwet_ac1`.
    """
    tally = _tally(counts)
    observed = binary_percent_agreement(tally)
    rated_units = sum(n for (rated, _), n in tally.cells.items() if rated >= 1)
    share = sum(n * coded / rated for (rated, coded), n in tally.cells.items() if rated >= 1)
    if observed is None or not rated_units:
        return None
    coded = sum(n * c for (_, c), n in tally.cells.items())
    uncoded = sum(n * (r - c) for (r, c), n in tally.cells.items())
    if coded == 0 or uncoded == 0:
        return None
    pi = share / rated_units
    chance = 2 * pi * (1 - pi)
    return (observed - chance) / (1 - chance)
