"""The generated benchmark study is deterministic and well formed."""

from __future__ import annotations

from qualcode.stats.comparison import compare
from qualcode.stats.synthetic import generate_layers


def test_synthetic_study_shape_and_determinism():
    study = generate_layers(10, 400, 8, seed=4, length=5_000)
    assert study.coders == ("coder1", "coder2")
    assert study.codes[0] == "code01"
    assert len(study.codes) == 8
    assert len(study.documents) == 10
    codings = [
        span
        for document in study.documents
        for codes in document.layers.values()
        for spans in codes.values()
        for span in spans
    ]
    assert len(codings) == 400
    assert all(0 <= s.start < s.end <= 5_000 for s in codings)
    assert generate_layers(10, 400, 8, seed=4, length=5_000) == study
    assert generate_layers(10, 400, 8, seed=5, length=5_000) != study


def test_synthetic_coders_agree_partly():
    study = generate_layers(20, 1_000, 5, seed=1, length=5_000)
    report = compare(study.documents, study.coders, study.codes)
    kappas = [row.cohen_kappa for row in report.codes if row.cohen_kappa is not None]
    assert kappas
    assert all(0.2 < k < 0.95 for k in kappas)
