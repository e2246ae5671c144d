"""The confidence's temperature: fitted on out-of-fold probabilities, recorded in the
model file, and read there for the confidence alone (valence and arousal keep their
ranks)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from moodplayer.exceptions import AnalysisError
from moodplayer.music import train
from moodplayer.music.model import FEATURES, parse_model, quadrant_point


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


def test_the_temperature_moves_the_confidence_only_and_reaches_the_model_file(tmp_path):
    rng = np.random.default_rng(1)
    layers = ((rng.normal(size=(4, 3)), rng.normal(size=4)),)
    fitted = replace(train.Fitted(np.zeros(3), np.ones(3), np.eye(3), (layers,), 10.0),
                     temperature=0.5)
    z = rng.normal(size=(5, 3))
    logits = z @ layers[0][0].T + layers[0][1]
    assert np.allclose(fitted.proba(z), _probabilities(logits))
    assert np.allclose(fitted.proba(z, tempered=True), _probabilities(logits / 0.5))
    doc = train.model_document(fitted, FEATURES[:3])
    assert doc["temperature"] == 0.5
    model = parse_model(doc, tmp_path / "m.json")
    x = np.zeros((5, len(FEATURES)))
    x[:, :3] = z
    valence, arousal, conf = model.plane(x)
    plain = quadrant_point(_probabilities(logits))
    assert np.allclose(valence, plain[0]) and np.allclose(arousal, plain[1])
    assert np.allclose(conf, quadrant_point(_probabilities(logits),
                                            _probabilities(logits / 0.5))[2])
    assert np.all(conf >= plain[2] - 1e-12)  # sharpened: at least as sure


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_a_model_file_with_a_bad_temperature_says_so(tmp_path, bad):
    doc = train.model_document(train.Fitted(np.zeros(3), np.ones(3), np.eye(3), ((
        (np.ones((4, 3)), np.zeros(4)),),), 10.0), FEATURES[:3])
    doc["temperature"] = bad
    with pytest.raises(AnalysisError, match="temperature"):
        parse_model(doc, tmp_path / "m.json")
