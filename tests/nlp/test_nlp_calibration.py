"""The blend's calibration helpers: thresholds from training data, ECE, confidence labels."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.nlp.calibration import (
    Calibrator,
    Evidence,
    choose_code_thresholds,
    choose_threshold,
    confidence,
    expected_calibration_error,
)


def test_threshold_adds_second_codes_only_when_they_pay():
    p = np.array([[0.9, 0.7, 0.1], [0.8, 0.2, 0.1], [0.3, 0.6, 0.5]])
    y = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]], dtype=np.int8)
    t = choose_threshold(p, y, np.ones_like(y, dtype=bool))
    assert 0.3 < t <= 0.5  # takes 0.7 and 0.5, leaves 0.3 and 0.2 out


def test_threshold_ignores_partly_known_rows_and_defaults_without_data():
    p = np.array([[0.9, 0.1]])
    y = np.array([[1, 0]], dtype=np.int8)
    assert choose_threshold(p, y, np.array([[True, False]]), default=0.42) == 0.42


def test_a_code_whose_scores_run_low_gets_a_lower_threshold_of_its_own():
    # code 0 leads 150 passages; code 1 leads 50 (where code 0 scores a misleading 0.45)
    # and is also on 20 of code 0's passages, where it scores only 0.3
    rng = np.random.default_rng(0)
    y = np.zeros((200, 2), dtype=np.int8)
    y[:150, 0] = 1
    y[150:, 1] = 1
    y[:20, 1] = 1
    p = np.zeros((200, 2))
    p[:, 0] = np.where(y[:, 0] == 1, 0.9, 0.45)
    p[:, 1] = np.where(y[:, 1] == 1, 0.3, 0.05) + 0.02 * rng.random(200)
    p[150:, 1] = 0.6
    known = np.ones_like(y, dtype=bool)
    shared = choose_threshold(p, y, known)
    assert shared > 0.45  # one threshold for all must leave code 0's 0.45s out
    own = choose_code_thresholds(p, y, known, shared, shrink=0.0)
    assert own[0] == pytest.approx(shared)
    assert own[1] <= 0.3  # code 1's second codes are taken
    pulled = choose_code_thresholds(p, y, known, shared, shrink=1e6)
    assert pulled == pytest.approx([shared, shared], abs=1e-3)  # shrunk to the shared one
    middle = choose_code_thresholds(p, y, known, shared)
    assert own[1] < middle[1] < shared


def test_codes_without_positives_keep_the_shared_threshold():
    p = np.array([[0.9, 0.2], [0.8, 0.1]])
    y = np.array([[1, 0], [1, 0]], dtype=np.int8)
    found = choose_code_thresholds(p, y, np.ones_like(y, dtype=bool), 0.42)
    assert found[1] == 0.42
    assert choose_code_thresholds(p, y, np.zeros_like(y, dtype=bool), 0.42).tolist() == [
        0.42,
        0.42,
    ]


def test_expected_calibration_error_of_perfect_and_overconfident_scores():
    outcomes = np.array([True, False] * 50)
    assert expected_calibration_error(np.full(100, 0.5), outcomes) == pytest.approx(0.0)
    assert expected_calibration_error(np.full(100, 0.95), outcomes) == pytest.approx(0.45)
    assert expected_calibration_error(np.array([]), np.array([], dtype=bool)) == 0.0


def test_confidence_is_a_percentage_only_when_calibrated():
    assert confidence(0.724, True) == "72%"
    assert [confidence(p, False) for p in (0.1, 0.45, 0.8)] == ["low", "medium", "high"]


def evidence(n: int, k: int, rng: np.random.Generator) -> tuple[Evidence, np.ndarray]:
    y = (rng.random((n, k)) < 0.3).astype(np.int8)
    noise = rng.normal(size=(n, k))
    ev = Evidence(
        classifier=3 * y - 1.5 + noise,
        definition=np.zeros((n, k)),
        positive=0.2 * y + 0.05 * rng.random((n, k)),
        negative=np.zeros((n, k)),
        rule=np.zeros((n, k), dtype=bool),
        rule_logit=np.zeros((n, k)),
        strength=np.full(k, 0.5),
    )
    return ev, y


def test_fitted_blend_trusts_the_informative_evidence_and_ranks_by_it():
    rng = np.random.default_rng(0)
    ev, y = evidence(300, 3, rng)
    calibrator = Calibrator(3).fit(
        ev, y, np.ones_like(y, dtype=bool), own=np.array([True, False, False])
    )
    assert calibrator.fitted
    assert calibrator.weights[0] > 0
    p = calibrator.probabilities(ev)
    assert p[y == 1].mean() > 0.6 > 0.2 > p[y == 0].mean()
    parts = calibrator.contributions(ev)
    assert set(parts) == {"classifier", "similarity", "rules"}
    assert (parts["rules"] == 0.0).all()
    assert parts["classifier"][y == 1].mean() > 0 > parts["classifier"][y == 0].mean()
