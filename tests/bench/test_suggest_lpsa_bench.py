"""The LPSA suggestion benchmark: the unit labels, and ``qualcode bench suggest --only lpsa``."""

from __future__ import annotations

import json

import pytest

from qualcode.bench.suggest_lpsa import _covers
from qualcode.nlp import TextUnit


def _unit(start: int, end: int) -> TextUnit:
    return TextUnit(1, start, end, "x" * (end - start), "sentence")


def test_suggest_lpsa_bench_labels_units_covered_by_half_the_shorter_span():
    sentence = _unit(100, 140)
    assert _covers(sentence, 90, 200)  # the coding holds the sentence
    assert _covers(sentence, 110, 130)  # the sentence holds the coding
    assert _covers(sentence, 120, 300)  # half of the sentence
    assert not _covers(sentence, 125, 300)  # less than half of either
    assert not _covers(sentence, 140, 200)  # touching is not covering


@pytest.mark.slow
def test_suggest_lpsa_bench_cli_prints_ours_beside_the_baseline(runner):
    args = ["bench", "suggest", "--only", "lpsa", "--documents", "3", "--seeds", "0"]
    result = runner([*args, "--no-speed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["lpsa"]
    assert data["data"]["test"] == 8
    assert data["data"]["coded_test_units"] > 100
    methods = {row["method"]: row for row in data["summary"]}
    assert set(methods) == {"qualcode", "nvivo-centroid"}
    for row in methods.values():
        assert row["size"] == 3
        for metric in ("micro_f1", "macro_f1", "precision_at_1", "recall_at_3", "ece"):
            assert 0.0 <= row[metric] <= 1.0
    assert methods["qualcode"]["recall_at_3"] > methods["nvivo-centroid"]["recall_at_3"]
    bad = runner(["bench", "suggest", "--only", "lpsa", "--seeds", "x"])
    assert bad.exit_code == 1
    assert "--seeds must be whole numbers" in bad.output


def test_suggest_lpsa_bench_fits_on_every_documents_units_as_unlabelled_text(monkeypatch):
    from qualcode.bench.suggest_lpsa import CodedDocument, Corpus, _run
    from qualcode.nlp import CodeInfo, Example
    from qualcode.nlp.engine import Engine

    said = {
        1: ["The coordinator left.", "Staff kept leaving.", "The post stayed vacant."],
        2: ["The grant paid for it.", "Up-front money helped.", "The grant came early."],
    }
    codes = [CodeInfo(1, "Turnover", "Turnover"), CodeInfo(2, "Grant", "Grant")]
    documents = []
    for i in range(3):
        texts = [(code, group[i]) for code, group in said.items()]
        documents.append(
            CodedDocument(
                i,
                f"Interview {i}",
                [Example(t, code, True, document_id=i) for code, t in texts],
                [TextUnit(i, 0, len(t), t, "sentence") for _, t in texts],
                [frozenset({code}) for code, _ in texts],
            )
        )
    seen: list[list[TextUnit]] = []
    fit = Engine.fit

    def spy(self, codes, examples, decisions=(), unlabelled=()):
        seen.append(list(unlabelled))
        return fit(self, codes, examples, decisions, unlabelled)

    monkeypatch.setattr(Engine, "fit", spy)
    rows = _run(Corpus(codes, documents), [0, 1], [2], 2, 0)
    assert {r["method"] for r in rows} == {"qualcode", "nvivo-centroid"}
    assert seen == [[u for d in documents for u in d.units]]
