"""From noisy per-frame probabilities to a steady mood: EMA, confidence, hysteresis, dwell.

A new mood is announced only when the smoothed reading has pointed clearly at it
(confident enough, and past the hysteresis margin from the current mood) for the
whole minimum dwell. A face gone for ``absent_after`` seconds announces "absent",
which is not "neutral".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moodplayer.emotion import MOOD_CENTRES, NEUTRAL_RADIUS, VA, Mood, mood_of, point_of
from moodplayer.vision.calibration import NeutralCalibration


@dataclass(frozen=True, slots=True)
class MoodEvent:
    """An announced change: a mood (with its point and confidence) or ``absent``."""

    timestamp: float
    mood: Mood | None
    point: VA | None
    confidence: float

    @property
    def absent(self) -> bool:
        """True when the event says the face has gone (not a mood, not neutral)."""
        return self.mood is None

    def as_dict(self) -> dict:
        """Plain data for JSON."""
        return {"timestamp": round(self.timestamp, 3), "mood": self.mood or "absent",
                "valence": None if self.point is None else round(self.point.valence, 3),
                "arousal": None if self.point is None else round(self.point.arousal, 3),
                "confidence": round(self.confidence, 3)}


@dataclass(frozen=True, slots=True)
class SmoothingSettings:
    """Knobs of the smoother, with their defaults (times in seconds)."""

    half_life: float = 1.5
    min_confidence: float = 0.15
    hysteresis: float = 0.1
    dwell: float = 2.0
    absent_after: float = 3.0

    def __post_init__(self) -> None:
        for name in ("half_life", "dwell", "absent_after", "hysteresis"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {getattr(self, name)!r}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {self.min_confidence!r}")


class MoodSmoother:
    """Turns per-frame probabilities (or "no face") into mood-change events."""

    def __init__(self, classes: Sequence[str], settings: SmoothingSettings | None = None,
                 calibration: NeutralCalibration | None = None) -> None:
        self.classes = tuple(classes)
        self.settings = settings or SmoothingSettings()
        self.calibration = calibration
        self.mood: Mood | None = None
        self.absent = False
        self.probabilities: np.ndarray | None = None
        self._start: float | None = None
        self._last_seen: float | None = None
        self._candidate: Mood | None = None
        self._since = 0.0

    def update(self, probabilities: np.ndarray | None, timestamp: float) -> MoodEvent | None:
        """Feed one sampled frame (None: no face); returns an event if the mood changed."""
        s = self.settings
        if self._start is None:
            self._start = timestamp
        if probabilities is None:
            # A frame or two without a face (a missed detection, a turned head) is a
            # gap, not evidence against the candidate: its dwell keeps running.
            gone = timestamp - (self._last_seen if self._last_seen is not None else self._start)
            if gone >= s.absent_after and not self.absent:
                self.probabilities, self._last_seen = None, None
                self.mood, self.absent, self._candidate = None, True, None
                return MoodEvent(timestamp, None, None, 0.0)
            return None
        p = np.asarray(probabilities, dtype=np.float64)
        if self.calibration is not None:
            p = self.calibration.apply(p)
        if self.probabilities is None or self._last_seen is None:
            self.probabilities = p
        else:
            dt = max(0.0, timestamp - self._last_seen)
            a = 1.0 - 0.5 ** (dt / s.half_life) if s.half_life > 0 else 1.0
            self.probabilities = (1 - a) * self.probabilities + a * p
        self._last_seen = timestamp
        point, confidence = point_of(self.probabilities, self.classes)
        candidate = mood_of(point)
        if (candidate == self.mood and not self.absent) or confidence < s.min_confidence \
                or not self._clear(point, candidate):
            self._candidate = None
            return None
        if candidate != self._candidate:
            self._candidate, self._since = candidate, timestamp
        if timestamp - self._since < s.dwell:
            return None
        self.mood, self.absent, self._candidate = candidate, False, None
        return MoodEvent(timestamp, candidate, point, confidence)

    def _clear(self, point: VA, candidate: Mood) -> bool:
        """Whether ``point`` is past the hysteresis margin from the current mood."""
        current, margin = self.mood, self.settings.hysteresis
        if current is None or self.absent:
            return True
        radius = math.hypot(point.valence, point.arousal)
        if candidate == "neutral":
            return radius < NEUTRAL_RADIUS - margin / 2
        if current == "neutral":
            return radius > NEUTRAL_RADIUS + margin / 2
        return (point.distance(MOOD_CENTRES[current])
                - point.distance(MOOD_CENTRES[candidate])) > margin
