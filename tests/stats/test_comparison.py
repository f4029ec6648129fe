"""The per-code agreement table equals brute force on 0/1 vectors, and reads like NVivo's."""

from __future__ import annotations

import json
import statistics
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.errors import InvalidInput
from qualcode.stats.agreement import (
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement_multi,
)
from qualcode.stats.comparison import compare
from qualcode.stats.units import DocumentLayers
from qualcode.text.spans import Span

CODES = ("x", "y")


@st.composite
def studies(draw: st.DrawFn, coders: tuple[str, ...]) -> list[DocumentLayers]:
    documents = []
    for number in range(draw(st.integers(1, 3))):
        length = draw(st.integers(0, 30))
        span = st.tuples(st.integers(0, length), st.integers(0, length)).map(
            lambda p: Span(min(p), max(p))
        )
        layers = {
            coder: {code: draw(st.lists(span, max_size=3)) for code in CODES}
            for coder in coders
            if draw(st.integers(0, 5))  # sometimes a coder did not code the document
        }
        cuts = draw(st.lists(st.integers(0, length), unique=True).map(sorted))
        turns = [Span(s, e) for s, e in zip(cuts[::2], cuts[1::2], strict=False)]
        documents.append(DocumentLayers(number, length, turns, layers))
    return documents


def vectors(
    documents: list[DocumentLayers], code: str, coders: tuple[str, ...], unit: str
) -> list[list[int | None]]:
    """Per coder, one 0/1 value per character (or turn) of all documents, None if missing."""
    rows: list[list[int | None]] = [[] for _ in coders]
    for document in documents:
        if unit == "character":
            units = [Span(i, i + 1) for i in range(document.length)]
        else:
            units = [t for t in document.turns or [] if len(t) > 0]
        for row, coder in zip(rows, coders, strict=True):
            if coder not in document.layers:
                row += [None] * len(units)
                continue
            spans = document.layers[coder].get(code, [])
            row += [int(any(len(s) and s.overlaps(u) for s in spans)) for u in units]
    return rows


def close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return actual == pytest.approx(expected, abs=1e-9)


def check_against_brute_force(documents, coders, unit):
    report = compare(documents, coders, CODES, unit=unit)
    for row in report.codes:
        data = vectors(documents, row.key, coders, unit)
        pairwise = {
            (a, b): cohen_kappa(data[i], data[j])
            for (i, a), (j, b) in combinations(enumerate(coders), 2)
        }
        defined = [k for k in pairwise.values() if k is not None]
        ratings = [v for r in data for v in r if v is not None]
        assert row.units == len(data[0])
        assert close(row.percent_agreement, percent_agreement_multi(data))
        assert all(close(row.pairwise[p], pairwise[p]) for p in pairwise)
        assert close(row.cohen_kappa, statistics.fmean(defined) if defined else None)
        assert close(row.krippendorff_alpha, krippendorff_alpha(data))
        assert close(row.gwet_ac1, gwet_ac1(data, categories=[0, 1]))
        assert close(row.prevalence, sum(ratings) / len(ratings) if ratings else None)


@settings(database=None, max_examples=100, deadline=None)
@given(studies(("ann", "bob")), st.sampled_from(["character", "paragraph"]))
def test_comparison_two_coders_equal_brute_force(documents, unit):
    check_against_brute_force(documents, ("ann", "bob"), unit)


@settings(database=None, max_examples=100, deadline=None)
@given(studies(("ann", "bob", "cat")), st.sampled_from(["character", "turn"]))
def test_comparison_three_coders_equal_brute_force(documents, unit):
    check_against_brute_force(documents, ("ann", "bob", "cat"), unit)


@settings(database=None, max_examples=100, deadline=None)
@given(studies(("ann", "bob")))
def test_comparison_document_rows_are_per_document_kappa(documents):
    report = compare(documents, ["ann", "bob"], CODES)
    for row in report.codes:
        expected = []
        for document in documents:
            a, b = vectors([document], row.key, ("ann", "bob"), "character")
            if None in a or None in b or not any(a + b):
                continue
            expected.append((document.document_id, cohen_kappa(a, b)))
        got = [(r.document, r.cohen_kappa) for r in row.documents]
        assert [d for d, _ in got] == [d for d, _ in expected]
        assert all(close(k, e) for (_, k), (_, e) in zip(got, expected, strict=True))


def nvivo_document() -> DocumentLayers:
    # the NVivo manual's example: 1000 characters, 50 coded by both, 150 by one, 800 by neither
    return DocumentLayers(
        "interview 1", 1000, None, {"ann": {"x": [Span(0, 150)]}, "bob": {"x": [Span(100, 200)]}}
    )


def test_comparison_nvivo_manual_example():
    report = compare([nvivo_document()], ["ann", "bob"], ["x"])
    (row,) = report.codes
    assert row.percent_agreement == pytest.approx(0.85)
    assert row.cohen_kappa == pytest.approx(70 / 220)
    (document_row,) = row.documents
    assert document_row.document == "interview 1"
    assert document_row.percent_agreement == pytest.approx(0.85)
    assert document_row.cohen_kappa == pytest.approx(70 / 220)
    # binary alpha: o_01 = 150, n_0 = 1750, n_1 = 250, n = 2000
    assert row.krippendorff_alpha == pytest.approx(1 - 1999 * 150 / (1750 * 250))


def test_comparison_pools_documents_by_concatenating_not_averaging():
    first = DocumentLayers(1, 100, None, {"ann": {"x": [Span(0, 50)]}, "bob": {"x": [Span(0, 50)]}})
    second = DocumentLayers(2, 100, None, {"ann": {"x": [Span(0, 10)]}, "bob": {"x": []}})
    (row,) = compare([first, second], ["ann", "bob"], ["x"]).codes
    a = [1] * 50 + [0] * 50 + [1] * 10 + [0] * 90
    b = [1] * 50 + [0] * 50 + [0] * 100
    assert row.cohen_kappa == pytest.approx(cohen_kappa(a, b))
    assert [r.cohen_kappa for r in row.documents] == [1.0, 0.0]  # the mean would be 0.5
    assert row.cohen_kappa != pytest.approx(0.5)


def test_comparison_coder_who_coded_nothing_and_nobody_coding():
    document = DocumentLayers(1, 100, None, {"ann": {"x": [Span(0, 10)]}, "bob": {}})
    x, y = compare([document], ["ann", "bob"], ["x", "y"]).codes
    assert x.cohen_kappa == 0.0
    assert x.documents[0].cohen_kappa == 0.0
    assert (y.cohen_kappa, y.krippendorff_alpha, y.gwet_ac1) == (None, None, None)
    assert y.percent_agreement == 1.0
    assert y.documents == ()
    assert y.flags == ("no coder used this code: kappa, alpha and AC1 are not computable",)


def test_comparison_flags_low_prevalence():
    document = DocumentLayers(
        1, 1000, None, {"ann": {"x": [Span(0, 40)]}, "bob": {"x": [Span(10, 50)]}}
    )
    (row,) = compare([document], ["ann", "bob"], ["x"]).codes
    assert row.prevalence == pytest.approx(0.04)
    assert row.coded_by_any == pytest.approx(0.05)
    assert row.flags == ("prevalence below 10%: kappa and alpha are depressed; see AC1",)
    assert row.gwet_ac1 is not None
    assert row.krippendorff_alpha is not None
    assert row.gwet_ac1 > row.krippendorff_alpha


def test_comparison_overall_row():
    document = DocumentLayers(
        1,
        100,
        None,
        {
            "ann": {"x": [Span(0, 30)], "y": [Span(50, 60)], "z": []},
            "bob": {"x": [Span(0, 20)], "y": [Span(55, 70)], "z": []},
        },
    )
    report = compare([document], ["ann", "bob"], ["x", "y", "z"])
    x, y, _ = report.codes
    assert report.overall["krippendorff_alpha"] == {
        "mean": pytest.approx((x.krippendorff_alpha + y.krippendorff_alpha) / 2),
        "median": pytest.approx((x.krippendorff_alpha + y.krippendorff_alpha) / 2),
        "computable": 2,
        "not_computable": 1,
    }
    (do_x, de_x), (do_y, de_y) = x.alpha_disagreements, y.alpha_disagreements
    assert report.overall["pooled_krippendorff_alpha"] == pytest.approx(
        1 - (do_x + do_y) / (de_x + de_y)
    )
    assert "not mutually exclusive" in report.overall["pooled_krippendorff_alpha_note"]


def test_comparison_to_dict_is_the_design_json_shape():
    labels = {"x": ("Barriers/Staff turnover", "0b9f1c3e-guid")}
    report = compare([nvivo_document()], ["ann", "bob"], ["x", "y"], labels=labels, bootstrap=5)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["coders"] == ["ann", "bob"]
    assert data["unit"] == "character"
    assert data["documents"] == 1
    first, second = data["codes"]
    for key in ("code", "code_guid", "prevalence", "percent_agreement", "cohen_kappa"):
        assert key in first
    assert (first["code"], first["code_guid"]) == ("Barriers/Staff turnover", "0b9f1c3e-guid")
    assert (second["code"], second["code_guid"], second["cohen_kappa"]) == ("y", None, None)
    assert first["units"] == 1000
    assert first["pairwise"] == [{"coders": ["ann", "bob"], "cohen_kappa": first["cohen_kappa"]}]
    assert data["overall"]["bootstrap"]["note"] == "fewer than two documents: no intervals"


def test_comparison_bootstrap_of_identical_documents_is_a_point():
    report = compare([nvivo_document()] * 4, ["ann", "bob"], ["x"], bootstrap=50, seed=1)
    (row,) = report.codes
    assert row.kappa_ci is not None
    assert row.alpha_ci is not None
    assert row.kappa_ci.low == pytest.approx(row.cohen_kappa)
    assert row.kappa_ci.high == pytest.approx(row.cohen_kappa)
    assert row.alpha_ci.low == pytest.approx(row.krippendorff_alpha)
    assert row.kappa_ci.computable == 50


def test_comparison_bootstrap_is_seeded():
    documents = [
        DocumentLayers(i, 100, None, {"ann": {"x": [Span(0, 3 * i)]}, "bob": {"x": [Span(5, 40)]}})
        for i in range(1, 30)
    ]
    first = compare(documents, ["ann", "bob"], ["x"], bootstrap=200, seed=3).codes[0]
    again = compare(documents, ["ann", "bob"], ["x"], bootstrap=200, seed=3).codes[0]
    other = compare(documents, ["ann", "bob"], ["x"], bootstrap=200, seed=4).codes[0]
    assert first.kappa_ci == again.kappa_ci
    assert first.alpha_ci != other.alpha_ci
    assert first.kappa_ci is not None
    assert first.kappa_ci.low < first.cohen_kappa < first.kappa_ci.high


def test_comparison_bad_arguments():
    documents = [nvivo_document()]
    with pytest.raises(InvalidInput, match="two different coders"):
        compare(documents, ["ann"], ["x"])
    with pytest.raises(InvalidInput, match="two different coders"):
        compare(documents, ["ann", "ann"], ["x"])
    with pytest.raises(InvalidInput, match="unknown unit"):
        compare(documents, ["ann", "bob"], ["x"], unit="word")
    with pytest.raises(InvalidInput, match="only once"):
        compare(documents, ["ann", "bob"], ["x", "x"])
    with pytest.raises(InvalidInput, match="negative"):
        compare(documents, ["ann", "bob"], ["x"], bootstrap=-1)
