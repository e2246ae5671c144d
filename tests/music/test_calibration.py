"""The confidence's temperature: fitted on out-of-fold probabilities, folded into the
exported networks, and recorded in the model file."""

from __future__ import annotations

import numpy as np

from moodplayer.music import train
from moodplayer.music.model import forward


def _probabilities(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _drawn(sharpness: float, n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Quadrants drawn from calibrated probabilities, and those probabilities' logits
    multiplied by ``sharpness`` (above 1: overconfident; below: underconfident)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 1.5, (n, 4))
    p = _probabilities(logits)
    drawn = np.array([rng.choice(4, p=row) for row in p])
    return _probabilities(sharpness * logits), np.eye(4)[drawn]


def test_overconfident_probabilities_get_a_temperature_above_one():
    p, truth = _drawn(2.0)
    assert 1.6 < train.fit_temperature(p, truth) < 2.5


def test_underconfident_probabilities_get_a_temperature_below_one():
    p, truth = _drawn(0.5)
    assert 0.4 < train.fit_temperature(p, truth) < 0.65


def test_calibrated_probabilities_keep_a_temperature_near_one():
    p, truth = _drawn(1.0)
    assert 0.85 < train.fit_temperature(p, truth) < 1.2


def test_calibration_targets_are_each_rows_likeliest_quadrant():
    data = train.Labelled(np.zeros((2, 1)), np.array([[0.1, 0.6, 0.2, 0.1],
                                                      [0.0, 0.0, 0.0, 1.0]]),
                          np.ones(2), np.array(["a", "b"]), np.array(["Q2", "Q4"]))
    assert np.array_equal(train.calibration_targets(data),
                          np.array([[0, 1, 0, 0], [0, 0, 0, 1]]))


def test_the_temperature_divides_the_logits_and_reaches_the_model_file():
    rng = np.random.default_rng(1)
    layers = ((rng.normal(size=(4, 3)), rng.normal(size=4)),)
    fitted = train.Fitted(np.zeros(3), np.ones(3), np.eye(3), (layers,), 10.0)
    hot = train._tempered(fitted, 0.5)
    z = rng.normal(size=(5, 3))
    logits = z @ layers[0][0].T + layers[0][1]
    assert np.allclose(hot.proba(z), _probabilities(logits / 0.5))
    assert np.allclose(forward(hot.exported()[0], z), hot.proba(z))
    doc = train.model_document(hot, ["a", "b", "c"])
    assert doc["temperature"] == 0.5
