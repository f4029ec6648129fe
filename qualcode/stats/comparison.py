"""Per-code agreement between coders over a set of documents: the table QA reads.

For each code, every document's units are tallied by which coders coded them
(:mod:`qualcode.stats.units`) and the tallies are added, which is concatenating the
documents' continua (not averaging per-document values). From the pooled tally:

- ``prevalence``: the share of units the average coder coded (the share of all ratings that
  are "coded"; pi in Gwet's AC1, n_1/n in alpha). It is what drives the kappa paradox, so it
  is shown next to the coefficients; ``coded_by_any`` is the share coded by at least one coder.
- ``percent_agreement``: for two coders (both + neither) / units, NVivo's percentage; for more,
  the mean share of agreeing coder pairs per unit.
- ``cohen_kappa``: for two coders the kappa of the pooled 2x2 table; for more, the mean over
  coder pairs where it is defined, with every pair in ``pairwise``.
- ``krippendorff_alpha``: binary nominal alpha, any number of coders, missing documents as
  missing data. The primary coefficient.
- ``gwet_ac1`` with q = 2, robust to low prevalence.

``documents`` holds NVivo's coding-comparison rows (per document and coder pair), which
reproduce NVivo's numbers except that 0/0 is ``None``, not 1. Documents where neither coder of
the pair used the code are left out of those rows: NVivo would show 100% and K = 1 there.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from qualcode.errors import InvalidInput
from qualcode.stats import bootstrap as boot
from qualcode.stats.binary import (
    alpha_disagreements,
    alpha_sums,
    binary_cohen_kappa,
    binary_gwet_ac1,
    binary_krippendorff_alpha,
    binary_percent_agreement,
    binary_prevalence,
    nvivo_kappa,
)
from qualcode.stats.units import UNITS, CodingTally, DocumentLayers, tally

LOW_PREVALENCE, HIGH_PREVALENCE = 0.10, 0.90
POOLING = (
    "each code's values pool all documents by concatenating their units; the overall "
    "mean and median are over the codes where a value is computable"
)
POOLED_ALPHA_NOTE = (
    "1 - sum D_o / sum D_e over codes. Codes are not mutually exclusive (a passage can carry "
    "several), so this is not a multi-category alpha: read it as a disagreement-weighted "
    "average of the per-code binary alphas"
)


@dataclass(frozen=True)
class DocumentRow:
    """One NVivo coding-comparison row: one code, one document, one coder pair."""

    code: str
    document: str | int
    coder_a: str
    coder_b: str
    units: int
    percent_agreement: float | None
    cohen_kappa: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "document": self.document,
            "coders": [self.coder_a, self.coder_b],
            "units": self.units,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
        }


@dataclass(frozen=True)
class CodeAgreement:
    """The agreement row of one code; ``None`` wherever a value is not computable."""

    key: str
    code: str
    code_guid: str | None
    units: int
    prevalence: float | None
    coded_by_any: float | None
    percent_agreement: float | None
    cohen_kappa: float | None
    pairwise: dict[tuple[str, str], float | None]
    krippendorff_alpha: float | None
    gwet_ac1: float | None
    alpha_disagreements: tuple[float, float] | None  # (D_o, D_e), for pooling over codes
    flags: tuple[str, ...] = ()
    documents: tuple[DocumentRow, ...] = ()
    kappa_ci: boot.Interval | None = None
    alpha_ci: boot.Interval | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "code_guid": self.code_guid,
            "key": self.key,
            "prevalence": self.prevalence,
            "coded_by_any": self.coded_by_any,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
            "krippendorff_alpha": self.krippendorff_alpha,
            "gwet_ac1": self.gwet_ac1,
            "units": self.units,
            "pairwise": [
                {"coders": [a, b], "cohen_kappa": kappa} for (a, b), kappa in self.pairwise.items()
            ],
            "flags": list(self.flags),
            "cohen_kappa_ci": self.kappa_ci.to_dict() if self.kappa_ci else None,
            "krippendorff_alpha_ci": self.alpha_ci.to_dict() if self.alpha_ci else None,
            "documents": [row.to_dict() for row in self.documents],
        }


@dataclass(frozen=True)
class AgreementReport:
    """Per-code agreement of ``coders`` on ``unit`` over the documents, with an overall row."""

    coders: tuple[str, ...]
    unit: str
    document_ids: tuple[str | int, ...]
    codes: tuple[CodeAgreement, ...]
    overall: dict[str, Any] = field(default_factory=dict)

    def document_rows(self) -> list[DocumentRow]:
        """Every code's NVivo-style rows, code by code, in document order."""
        return [row for code in self.codes for row in code.documents]

    def to_dict(self) -> dict[str, Any]:
        """The ``agreement --json`` shape of DESIGN.md (with extra fields)."""
        return {
            "coders": list(self.coders),
            "unit": self.unit,
            "documents": len(self.document_ids),
            "document_ids": list(self.document_ids),
            "codes": [code.to_dict() for code in self.codes],
            "overall": self.overall,
        }


def _flags(pooled: CodingTally, prevalence: float | None, alpha: float | None) -> list[str]:
    if not pooled.units:
        return ["no units"]
    ratings = pooled.ratings()
    if not any(rated >= 2 for rated, _ in ratings.cells):
        return ["no unit was rated by two coders: nothing to compare"]
    if not pooled.coded_by_any:
        return ["no coder used this code: kappa, alpha and AC1 are not computable"]
    if alpha is None:
        return ["only one value occurs: kappa, alpha and AC1 are not computable"]
    if prevalence is not None and prevalence < LOW_PREVALENCE:
        return ["prevalence below 10%: kappa and alpha are depressed; see AC1"]
    if prevalence is not None and prevalence > HIGH_PREVALENCE:
        return ["prevalence above 90%: kappa and alpha are depressed; see AC1"]
    return []


def _mean(values: Sequence[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _document_rows(
    key: str,
    documents: Sequence[DocumentLayers],
    tallies: Sequence[CodingTally],
    coders: Sequence[str],
) -> list[DocumentRow]:
    rows = []
    for document, doc_tally in zip(documents, tallies, strict=True):
        for a, b in combinations(coders, 2):
            if a not in document.layers or b not in document.layers:
                continue
            counts = doc_tally.pair(a, b)
            if counts.n11 + counts.n10 + counts.n01 == 0:
                continue
            rows.append(
                DocumentRow(
                    key,
                    document.document_id,
                    a,
                    b,
                    counts.total,
                    binary_percent_agreement(counts),
                    nvivo_kappa(counts),
                )
            )
    return rows


def _intervals(
    weights: boot.FloatArray, tallies: Sequence[CodingTally], coders: Sequence[str]
) -> tuple[boot.Interval | None, boot.Interval | None]:
    pairs = list(combinations(coders, 2))
    pair_counts = np.array(
        [[[c.n11, c.n10, c.n01, c.n00] for c in (t.pair(a, b) for a, b in pairs)] for t in tallies],
        dtype=np.float64,
    )
    sums = np.array([alpha_sums(t.ratings()) for t in tallies], dtype=np.float64)
    return (
        boot.percentile_interval(boot.kappa_replicates(weights, pair_counts)),
        boot.percentile_interval(boot.alpha_replicates(weights, sums)),
    )


def _code_agreement(
    key: str,
    label: tuple[str, str | None],
    documents: Sequence[DocumentLayers],
    coders: Sequence[str],
    unit: str,
    weights: boot.FloatArray | None,
) -> CodeAgreement:
    tallies = [tally(document, key, coders, unit) for document in documents]
    pooled = CodingTally(tuple(coders))
    for doc_tally in tallies:
        pooled.cells.update(doc_tally.cells)
    ratings = pooled.ratings()
    pairwise = {(a, b): binary_cohen_kappa(pooled.pair(a, b)) for a, b in combinations(coders, 2)}
    prevalence = binary_prevalence(ratings)
    alpha = binary_krippendorff_alpha(ratings)
    flags = _flags(pooled, prevalence, alpha)
    kappa_ci = alpha_ci = None
    if weights is not None:
        kappa_ci, alpha_ci = _intervals(weights, tallies, coders)
    return CodeAgreement(
        key=key,
        code=label[0],
        code_guid=label[1],
        units=pooled.units,
        prevalence=prevalence,
        coded_by_any=pooled.coded_by_any / pooled.units if pooled.units else None,
        percent_agreement=binary_percent_agreement(ratings),
        cohen_kappa=_mean(list(pairwise.values())),
        pairwise=pairwise,
        krippendorff_alpha=alpha,
        gwet_ac1=binary_gwet_ac1(ratings),
        alpha_disagreements=alpha_disagreements(ratings),
        flags=tuple(flags),
        documents=tuple(_document_rows(label[0], documents, tallies, coders)),
        kappa_ci=kappa_ci,
        alpha_ci=alpha_ci,
    )


def _summary(values: Sequence[float | None]) -> dict[str, float | int | None]:
    defined = [v for v in values if v is not None]
    return {
        "mean": statistics.fmean(defined) if defined else None,
        "median": statistics.median(defined) if defined else None,
        "computable": len(defined),
        "not_computable": len(values) - len(defined),
    }


def _overall(codes: Sequence[CodeAgreement]) -> dict[str, Any]:
    terms = [c.alpha_disagreements for c in codes if c.alpha_disagreements is not None]
    expected = sum(d_e for _, d_e in terms)
    return {
        "pooling": POOLING,
        "codes": len(codes),
        "krippendorff_alpha": _summary([c.krippendorff_alpha for c in codes]),
        "cohen_kappa": _summary([c.cohen_kappa for c in codes]),
        "gwet_ac1": _summary([c.gwet_ac1 for c in codes]),
        "percent_agreement": _summary([c.percent_agreement for c in codes]),
        "pooled_krippendorff_alpha": 1 - sum(d_o for d_o, _ in terms) / expected
        if expected
        else None,
        "pooled_krippendorff_alpha_note": POOLED_ALPHA_NOTE,
    }


def compare(
    documents: Sequence[DocumentLayers],
    coders: Sequence[str],
    codes: Sequence[str],
    unit: str = "character",
    bootstrap: int = 0,
    seed: int = 0,
    labels: Mapping[str, tuple[str, str | None]] | None = None,
) -> AgreementReport:
    """Agreement of ``coders`` on each of ``codes`` (code keys) over ``documents``.

    ``labels`` maps a code key to its (path, guid) for display; a key without one is shown
    as itself with no guid. With ``bootstrap`` > 0, each code gets percentile 95% intervals
    for kappa and alpha from that many resamples of the documents (seeded with ``seed``).
    """
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise InvalidInput("agreement needs at least two different coders")
    if len(set(codes)) != len(codes):
        raise InvalidInput("each code may be compared only once")
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}: use one of {', '.join(UNITS)}")
    if bootstrap < 0:
        raise InvalidInput(f"bootstrap replicates must not be negative, got {bootstrap}")
    weights = None
    if bootstrap and len(documents) >= 2:
        weights = boot.resample_weights(len(documents), bootstrap, seed)
    labels = labels or {}
    rows = tuple(
        _code_agreement(key, labels.get(key, (key, None)), documents, coders, unit, weights)
        for key in codes
    )
    overall = _overall(rows)
    if bootstrap:
        overall["bootstrap"] = {
            "replicates": bootstrap,
            "seed": seed,
            "resampled": "documents",
            "level": 0.95,
            "note": None if weights is not None else "fewer than two documents: no intervals",
        }
    return AgreementReport(
        tuple(coders), unit, tuple(d.document_id for d in documents), rows, overall
    )
