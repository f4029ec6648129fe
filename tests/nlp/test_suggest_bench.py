"""The suggestion benchmark on a small synthetic file shaped like the NHS FFT data."""

from __future__ import annotations

import csv
import json
import random

import numpy as np
import pytest

from qualcode.bench import suggest as bench
from qualcode.errors import InvalidInput

WORDS = {
    "Waiting": ["wait", "queue", "hours", "delay", "late"],
    "Staff manner": ["kind", "friendly", "caring", "polite", "rude"],
    "Parking": ["parking", "car", "park", "spaces", "ticket"],
}


def write_fft(path, answers_per_code: int = 30) -> None:
    rng = random.Random(1)
    codes = [*WORDS, "Labelling not possible"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Comment ID", "FFT question", "FFT answer", "Comment sentiment", *codes])
        n = 0
        for code, words in WORDS.items():
            for _ in range(answers_per_code):
                n += 1
                text = " ".join(rng.choice(words) for _ in range(4)) + " and the rest was fine."
                out.writerow(
                    [
                        n,
                        "What could we improve?",
                        text,
                        "3",
                        *("1" if c == code else "" for c in codes),
                    ]
                )
        out.writerow([n + 1, "Why?", "Did not answer", "", "", "", "", "1"])
        out.writerow([n + 2, "Why?", "", "", "1", "", "", ""])


def test_answers_are_loaded_with_placeholders_and_empty_answers_dropped(tmp_path):
    write_fft(tmp_path / "fft.csv")
    codes, answers = bench.load_answers(tmp_path / "fft.csv", min_examples=5)
    assert codes == list(WORDS)
    assert len(answers) == 90
    assert all(len(a.codes) == 1 for a in answers)
    assert answers[0].question == "What could we improve?"


def test_a_file_of_another_shape_is_a_user_error(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not the NHS FFT"):
        bench.load_answers(tmp_path / "other.csv")
    with pytest.raises(InvalidInput, match="cannot read"):
        bench.load_answers(tmp_path / "missing.csv")


def test_split_is_fixed_and_the_coder_stops_when_every_code_has_enough(tmp_path):
    write_fft(tmp_path / "fft.csv")
    _, answers = bench.load_answers(tmp_path / "fft.csv", min_examples=5)
    train, test = bench.split(len(answers))
    assert (train, test) == bench.split(len(answers))
    assert not set(train) & set(test)
    assert len(test) == 27
    rows = bench.coded_until(answers, train, 3, 4, seed=0)
    counts = np.sum(bench.label_matrix(answers, rows, 3), axis=0)
    assert counts.min() == 4
    assert rows != bench.coded_until(answers, train, 3, 4, seed=1)


def test_code_measures_count_each_codes_hits_with_the_top_code_always_predicted():
    y = np.array([[True, False, False], [False, True, True], [False, True, False]])
    scores = np.array([[0.9, 0.1, 0.0], [0.1, 0.8, 0.2], [0.7, 0.6, 0.1]])
    found = bench.code_measures(scores, np.array([0.5, 0.5, 0.15]), y)
    assert found["precision"] == [0.5, 1.0, 1.0]  # code 0 also predicted on row 2 (its top)
    assert found["recall"] == [1.0, 1.0, 1.0]  # code 1 on row 2 passes 0.5; code 2 its own 0.15
    assert bench.code_measures(scores, 0.5, y)["recall"][2] == 0.0


def test_measures_of_a_perfect_and_a_wrong_ranking():
    y = np.array([[True, False, False], [False, True, True]])
    perfect = np.array([[0.9, 0.1, 0.0], [0.0, 0.8, 0.7]])
    found = bench.measures(perfect, 0.5, y)
    assert (found["micro_f1"], found["precision_at_1"], found["recall_at_3"]) == (1.0, 1.0, 1.0)
    wrong = bench.measures(perfect[::-1].copy(), 0.95, y)
    assert wrong["precision_at_1"] == 0.0
    assert wrong["micro_f1"] == 0.0


@pytest.mark.slow
def test_the_bench_runs_ours_beside_the_baseline_and_formats_a_table(tmp_path):
    write_fft(tmp_path / "fft.csv")
    result = bench.run_suggest_bench(tmp_path / "fft.csv", sizes=(5,), seeds=(0,), min_examples=5)
    json.dumps(result)
    assert [r["method"] for r in result["summary"]] == ["qualcode", "nvivo-centroid"]
    ours = result["summary"][0]
    assert ours["micro_f1"] > 0.8
    assert ours["recall_at_3"] > 0.9
    table = bench.format_table(result)
    assert "qualcode" in table
    assert "nvivo-centroid" in table
    assert "micro-F1" in table
    assert [b["size"] for b in result["bars"]] == [5]
    assert "bar at 5/code" in table
    per_code = result["per_code"]
    assert per_code["size"] == 5
    assert [row["code"] for row in per_code["codes"]] == list(WORDS)
    test_answers = result["data"]["test"]
    assert sum(row["support"] for row in per_code["codes"]) == test_answers  # one code each
    for row in per_code["codes"]:
        assert 0.0 <= row["precision"] <= 1.0
        assert 0.0 <= row["recall"] <= 1.0
        assert row["f1"] > 0.5  # three well separated codes
        assert f"{row['f1']:.3f}" in table
    assert "per code, ours at 5/code" in table
    speed = result["speed"]
    assert speed["transcript_units"] > 0
    assert speed["transcript_suggestions"] > 0
    assert speed["refit_units"] == 90
    assert "ms per unit" in table


def test_the_engine_is_given_every_answer_as_unlabelled_text_never_its_codes(tmp_path, monkeypatch):
    from qualcode.nlp.engine import Engine

    write_fft(tmp_path / "fft.csv")
    codes, answers = bench.load_answers(tmp_path / "fft.csv", min_examples=5)
    units = bench.unlabelled_units(answers)
    assert [u.text for u in units] == [a.text for a in answers]
    assert [u.context for u in units] == [a.question for a in answers]
    assert all(u.doc is not None and u.doc.text == u.text for u in units)
    given: list[int] = []
    fit = Engine.fit

    def spy(self, codes, examples, decisions=(), unlabelled=()):
        given.append(len(unlabelled))
        return fit(self, codes, examples, decisions, unlabelled)

    monkeypatch.setattr(Engine, "fit", spy)
    bench.run_suggest_bench(
        tmp_path / "fft.csv", sizes=(5,), seeds=(0,), min_examples=5, with_speed=False
    )
    assert given == [len(answers)]
