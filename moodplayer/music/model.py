"""The trained track emotion model: features of an Analysis in, valence and arousal out.

The model file (``models/moodplayer-music.json``, written by ``moodplayer.music.train``)
holds a scaler and an ensemble of small networks over standardised features, each giving
the probabilities of the four quadrants of the plane (Q1 pleasant+excited, Q2
unpleasant+excited, Q3 unpleasant+calm, Q4 pleasant+calm); the members are averaged.
Valence is ``2 P(Q1 or Q4) - 1``, arousal ``2 P(Q1 or Q2) - 1``, the confidence the
probability of the quadrant that point lies in, from the networks' logits divided by the
file's ``temperature`` (fitted in training so that the confidence says how often that
quadrant is right; 1 if the file has none). Inference is numpy only. ``load_model()``
raises AnalysisError naming the file when it is missing or not a model this code can use.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import Analysis
from moodplayer.music.descriptors import DESCRIPTORS
from moodplayer.music.musicnn import EMBEDDING_FEATURES, TAG_FEATURES
from moodplayer.resources import model_file

#: The file name the shipped model goes by (``moodplayer.resources.model_file``).
MODEL_NAME = "moodplayer-music.json"
#: The format of the model file this code reads.
FORMAT = "moodplayer-music/2"

Quadrant = Literal["Q1", "Q2", "Q3", "Q4"]
#: Russell quadrants, in the order of a network's outputs: Q1 pleasant+excited,
#: Q2 unpleasant+excited, Q3 unpleasant+calm, Q4 pleasant+calm.
QUADRANTS: tuple[Quadrant, ...] = get_args(Quadrant)

#: Cues of the Analysis itself that the model may read (``mode`` is +1 major, -1 minor).
CUES: tuple[str, ...] = ("bpm", "bpm_confidence", "mode", "key_strength", "mode_strength",
                         "loudness", "dynamic_range", "energy", "onset_rate")
#: Every feature a model may use, in the order ``features()`` returns them.
FEATURES: tuple[str, ...] = (*CUES, *DESCRIPTORS, *TAG_FEATURES, *EMBEDDING_FEATURES)


def features(analysis: Analysis) -> np.ndarray:
    """The feature vector of ``analysis`` in ``FEATURES`` order (float64)."""
    if (len(analysis.descriptors), len(analysis.tags), len(analysis.embeddings)) != (
            len(DESCRIPTORS), len(TAG_FEATURES), len(EMBEDDING_FEATURES)):
        raise AnalysisError(f"analysis version {analysis.version} lacks the model's features: "
                            "re-run `beet moodtag`")
    mode = 1.0 if analysis.mode == "major" else -1.0
    cues = (analysis.bpm, analysis.bpm_confidence, mode, analysis.key_strength,
            mode * analysis.key_strength, analysis.loudness, analysis.dynamic_range,
            analysis.energy, analysis.onset_rate)
    return np.array((*cues, *analysis.descriptors, *analysis.tags, *analysis.embeddings),
                    dtype=np.float64)


@dataclass(frozen=True)
class Prediction:
    """One track's audio estimate: each coordinate in [-1, 1], and how sure the model is."""

    valence: float  # 2 P(Q1 or Q4) - 1
    arousal: float  # 2 P(Q1 or Q2) - 1
    confidence: float  # probability of the quadrant the point lies in


def quadrant_point(p: np.ndarray, sure: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valence, arousal, confidence) of quadrant probabilities ``p`` (n, 4): the point
    ``2 P(Q1 or Q4) - 1``, ``2 P(Q1 or Q2) - 1`` and the probability of its quadrant,
    read from ``sure`` (the calibrated probabilities) where given, else from ``p``."""
    valence = 2 * (p[:, 0] + p[:, 3]) - 1
    arousal = 2 * (p[:, 0] + p[:, 1]) - 1
    index = np.where(arousal >= 0, np.where(valence >= 0, 0, 1),
                     np.where(valence >= 0, 3, 2))
    return valence, arousal, (p if sure is None else sure)[np.arange(len(p)), index]


#: One network: (weights (out, in), bias (out,)) per dense layer; ReLU between layers.
Layers = tuple[tuple[np.ndarray, np.ndarray], ...]


def forward(layers: Layers, z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Quadrant probabilities (n, 4) of one network on standardised rows ``z``, its
    logits divided by ``temperature``."""
    h = z
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    h = h / temperature
    h = np.exp(h - h.max(axis=1, keepdims=True))
    return h / h.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class MusicModel:
    """A loaded model: which features it reads, how to scale them, and its networks."""

    version: str
    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    members: tuple[Layers, ...]
    path: Path
    temperature: float = 1.0  # divides the logits the confidence is read from

    @functools.cached_property
    def _columns(self) -> np.ndarray:
        """Where the model's features sit in a ``FEATURES`` row (looked up once)."""
        return np.array([FEATURES.index(name) for name in self.feature_names])

    def proba(self, x: np.ndarray, temperature: float = 1.0) -> np.ndarray:
        """Quadrant probabilities (n, 4) for feature rows ``x`` in ``FEATURES`` order, the
        logits divided by ``temperature``."""
        z = (np.atleast_2d(x)[:, self._columns] - self.mean) / self.scale
        return sum(forward(layers, z, temperature) for layers in self.members) / len(
            self.members)

    def plane(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(valence, arousal, confidence) arrays for feature rows ``x``: the point from
        the probabilities, the confidence from the calibrated ones."""
        return quadrant_point(self.proba(x), self.proba(x, self.temperature))

    def predict(self, analysis: Analysis) -> Prediction:
        """The valence/arousal estimate of one analysed track."""
        valence, arousal, confidence = self.plane(features(analysis))
        return Prediction(float(valence[0]), float(arousal[0]), float(confidence[0]))


def _bad(path: Path, why: str) -> AnalysisError:
    return AnalysisError(f"{path}: not a usable moodplayer music model ({why}); "
                         "reinstall moodplayer or retrain with `python -m moodplayer.music.train`")


def _layers(member: object, inputs: int) -> Layers:
    """One network's layers, checked to chain from ``inputs`` features to 4 outputs."""
    out = []
    for layer in member["layers"]:  # type: ignore[index]
        w = np.array(layer["w"], dtype=np.float64)
        b = np.array(layer["b"], dtype=np.float64)
        if w.ndim != 2 or w.shape[1] != inputs or b.shape != (w.shape[0],):
            raise ValueError(f"layer shapes {w.shape} / {b.shape} do not chain")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError("weights are not finite")
        out.append((w, b))
        inputs = w.shape[0]
    if not out or inputs != len(QUADRANTS):
        raise ValueError(f"a network must end in {len(QUADRANTS)} outputs")
    return tuple(out)


def parse_model(data: object, path: Path) -> MusicModel:
    """A MusicModel from the decoded JSON ``data``; AnalysisError naming ``path`` if invalid."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(path, f"format is not {FORMAT}")
    try:
        names = tuple(str(n) for n in data["features"])
        unknown = [n for n in names if n not in FEATURES]
        if unknown:
            raise _bad(path, f"unknown features {', '.join(unknown)}")
        if tuple(data["classes"]) != QUADRANTS:
            raise ValueError(f"classes are not {', '.join(QUADRANTS)}")
        mean = np.array(data["scaler"]["mean"], dtype=np.float64)
        scale = np.array(data["scaler"]["scale"], dtype=np.float64)
        members = tuple(_layers(m, len(names)) for m in data["members"])
        version = str(data["version"])
        temperature = float(data.get("temperature", 1.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, f"missing or malformed {exc}") from exc
    if mean.shape != (len(names),) or scale.shape != (len(names),) or not members:
        raise _bad(path, f"scaler or networks do not match its {len(names)} features")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale))) or np.any(scale <= 0):
        raise _bad(path, "scaler is not finite and positive")
    if not (np.isfinite(temperature) and temperature > 0):
        raise _bad(path, f"temperature {temperature} is not finite and positive")
    return MusicModel(version, names, mean, scale, members, path, temperature)

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
