"""The trained track emotion model: features of an Analysis in, valence and arousal out.

The model file (``models/moodplayer-music.json``, written by ``moodplayer.music.train``)
holds, per head (valence, arousal), a logistic regression on standardised features:
``p = sigmoid(w . (x - mean) / scale + b)``. A head's output in the plane is ``2p - 1``.
Inference is numpy only. ``load_model()`` raises AnalysisError naming the file when it is
missing or not a model this code can use.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import Analysis
from moodplayer.music.descriptors import DESCRIPTORS
from moodplayer.resources import model_file

#: The file name the shipped model goes by (``moodplayer.resources.model_file``).
MODEL_NAME = "moodplayer-music.json"
#: The format of the model file this code reads.
FORMAT = "moodplayer-music/1"

Head = Literal["valence", "arousal"]
HEADS: tuple[Head, ...] = get_args(Head)

#: Cues of the Analysis itself that the model may read (``mode`` is +1 major, -1 minor).
CUES: tuple[str, ...] = ("bpm", "bpm_confidence", "mode", "key_strength", "mode_strength",
                         "loudness", "dynamic_range", "energy", "onset_rate")
#: Every feature a model may use, in the order ``features()`` returns them.
FEATURES: tuple[str, ...] = (*CUES, *DESCRIPTORS)


def features(analysis: Analysis) -> np.ndarray:
    """The feature vector of ``analysis`` in ``FEATURES`` order (float64)."""
    if len(analysis.descriptors) != len(DESCRIPTORS):
        raise AnalysisError(f"analysis version {analysis.version} has no descriptors: "
                            "re-run `beet moodtag`")
    mode = 1.0 if analysis.mode == "major" else -1.0
    cues = (analysis.bpm, analysis.bpm_confidence, mode, analysis.key_strength,
            mode * analysis.key_strength, analysis.loudness, analysis.dynamic_range,
            analysis.energy, analysis.onset_rate)
    return np.array((*cues, *analysis.descriptors), dtype=np.float64)


@dataclass(frozen=True)
class Prediction:
    """One track's audio estimate: each head in [-1, 1], and how sure the model is."""

    valence: float  # 2 P(pleasant) - 1
    arousal: float  # 2 P(excited) - 1
    confidence: float  # 0.25..1: probability the quadrant (signs of both) is right


@dataclass(frozen=True)
class MusicModel:
    """A loaded model: which features it reads, how to scale them, and each head's weights."""

    version: str
    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: dict[str, np.ndarray]
    intercepts: dict[str, float]
    path: Path

    def logits(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each head's log-odds for feature rows ``x`` (n, len(FEATURES)) in ``FEATURES`` order."""
        cols = [FEATURES.index(name) for name in self.feature_names]
        z = (np.atleast_2d(x)[:, cols] - self.mean) / self.scale
        return {h: z @ self.weights[h] + self.intercepts[h] for h in HEADS}

    def predict(self, analysis: Analysis) -> Prediction:
        """The valence/arousal estimate of one analysed track."""
        logit = self.logits(features(analysis))
        p = {h: 1.0 / (1.0 + math.exp(-float(np.clip(logit[h][0], -30, 30)))) for h in HEADS}
        sure = max(p["valence"], 1 - p["valence"]) * max(p["arousal"], 1 - p["arousal"])
        return Prediction(2 * p["valence"] - 1, 2 * p["arousal"] - 1, sure)


def _bad(path: Path, why: str) -> AnalysisError:
    return AnalysisError(f"{path}: not a usable moodplayer music model ({why}); "
                         "reinstall moodplayer or retrain with `python -m moodplayer.music.train`")


def parse_model(data: object, path: Path) -> MusicModel:
    """A MusicModel from the decoded JSON ``data``; AnalysisError naming ``path`` if invalid."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(path, f"format is not {FORMAT}")
    try:
        names = tuple(str(n) for n in data["features"])
        unknown = [n for n in names if n not in FEATURES]
        if unknown:
            raise _bad(path, f"unknown features {', '.join(unknown)}")
        mean = np.array(data["scaler"]["mean"], dtype=np.float64)
        scale = np.array(data["scaler"]["scale"], dtype=np.float64)
        weights = {h: np.array(data["heads"][h]["coef"], dtype=np.float64) for h in HEADS}
        intercepts = {h: float(data["heads"][h]["intercept"]) for h in HEADS}
        version = str(data["version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"missing or malformed {exc}") from exc
    arrays = [mean, scale, *weights.values()]
    if any(a.shape != (len(names),) for a in arrays):
        raise _bad(path, f"arrays do not match its {len(names)} features")
    if not all(np.all(np.isfinite(a)) for a in arrays) or np.any(scale <= 0):
        raise _bad(path, "weights or scaler are not finite and positive")
    return MusicModel(version, names, mean, scale, weights, intercepts, path)


def read_model(path: Path) -> MusicModel:
    """The model in the JSON file ``path``; AnalysisError naming it if missing or corrupt."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise AnalysisError(f"{path}: music model file not found; reinstall moodplayer or "
                            "retrain with `python -m moodplayer.music.train`") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"unreadable: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _bad(path, f"not JSON: {exc}") from exc
    return parse_model(data, path)


@functools.lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> MusicModel:
    """The shipped model (or the one at ``path``), read once per process."""
    return read_model(path or model_file(MODEL_NAME))
