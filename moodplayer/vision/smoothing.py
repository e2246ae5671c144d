"""From noisy per-frame probabilities to a steady mood: EMA, confidence, hysteresis, dwell.

The smoothed reading (a moving average of the probabilities) shows a mood
(:func:`moodplayer.emotion.read_face`). It points clearly at a new mood when it is
confident enough and that mood is more probable than the current one by the hysteresis
margin. The first frame that does so starts the dwell of that mood's quadrant (several
may be in their dwell at once; happy and energetic share Q1's, neutral has its own). A
quadrant's mood is announced once its minimum dwell has passed, if the reading pointed
clearly at a mood of it in at least ``DWELL_SHARE`` of the frames since and the current
mood was not shown in more of them: the one of its moods pointed at most often (a face
read half happy, half energetic is followed to Q1). Once ``DWELL_GRACE`` of the minimum
dwell has passed, a dwell ends as soon as it falls below that share. A frame or two that
read otherwise (an expression the model is unsure of flickers between moods, and the
moving average takes a frame or two to turn each time) does not start the dwell over: a
mood the model reads at 40 % waits as long as one it reads at 90 %, as long as it is
what the face shows most of the time (docs/benchmarks/loop.md,
``bench/vision_follow.py``). A face gone for
``absent_after`` seconds announces "absent", which is not "neutral".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moodplayer.emotion import VA, Mood, mood_masses, mood_point, quadrant_of_mood, read_face
from moodplayer.vision.calibration import NeutralCalibration

#: The least share of the frames since a mood's dwell began that must have pointed
#: clearly at it for it to be announced (or to stay the candidate). Chosen on FER-2013
#: ``val`` face sets (``bench/vision_follow.py``): 0.4 (with the current mood not shown
#: more often) follows 80 % of them within the dwell + 3 s where 0.5 followed 74 %.
DWELL_SHARE = 0.4

#: The part of the minimum dwell, from its start, in which a candidate is not dropped
#: for falling below ``DWELL_SHARE`` (it must still have the share to be announced): one
#: face of a set read otherwise (people taking turns: sad, neutral, sad, sad) no longer
#: starts the dwell over. Chosen on FER-2013 ``val`` face sets (``bench/vision_follow.py``,
#: seeds 0-2): 0.5 follows 84-86 % within the dwell + 3 s where 0 followed 80-84 %, with
#: as many mood changes; 1 (the dwell judged over its whole length) adds changes.
DWELL_GRACE = 0.5


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
    """Knobs of the smoother, with their defaults (times in seconds; ``hysteresis`` is how
    much more probable, 0..1, a new mood must be than the current one)."""

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


def _region(mood: Mood) -> str:
    """What a dwell is kept for: the mood's quadrant (happy and energetic share Q1), or
    the mood itself where it lies in none (neutral)."""
    return quadrant_of_mood(mood) or mood


class _Dwell:
    """One candidate region's dwell: when it began, the frames since, how many of them
    pointed clearly at a mood of it (and at which), and what the smoothed reading showed
    in each."""

    def __init__(self, since: float, mood: Mood) -> None:
        self.since = since
        self.frames, self.agreed = 1, 1
        self.shown: Counter[Mood] = Counter({mood: 1})
        self.pointed: Counter[Mood] = Counter({mood: 1})

    def read(self, shown: Mood, agreed: bool) -> None:
        """Count one more frame, which showed ``shown`` (clearly the candidate: ``agreed``)."""
        self.frames += 1
        self.agreed += agreed
        self.shown[shown] += 1
        if agreed:
            self.pointed[shown] += 1

    @property
    def mood(self) -> Mood:
        """The candidate's mood: the one of its region pointed at most often."""
        return self.pointed.most_common(1)[0][0]

    def outweighs(self, current: Mood | None) -> bool:
        """Whether the candidate was read clearly at least as often as the ``current``
        mood was shown since its dwell began."""
        return current is None or self.agreed >= self.shown[current]


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
        #: Moving average (same half-life) of each frame's own confidence.
        self.confidence = 0.0
        self._start: float | None = None
        self._last_seen: float | None = None
        #: Each candidate region's dwell (``_region``).
        self._dwells: dict[str, _Dwell] = {}

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
                self.mood, self.absent, self._dwells = None, True, {}
                return MoodEvent(timestamp, None, None, 0.0)
            return None
        p = np.asarray(probabilities, dtype=np.float64)
        if self.calibration is not None:
            p = self.calibration.apply(p)
        _, _, frame_confidence = read_face(p, self.classes)
        if self.probabilities is None or self._last_seen is None:
            self.probabilities, self.confidence = p, frame_confidence
        else:
            dt = max(0.0, timestamp - self._last_seen)
            a = 1.0 - 0.5 ** (dt / s.half_life) if s.half_life > 0 else 1.0
            self.probabilities = (1 - a) * self.probabilities + a * p
            self.confidence = (1 - a) * self.confidence + a * frame_confidence
        self._last_seen = timestamp
        mood, _, _ = read_face(self.probabilities, self.classes)
        pointing = (mood != self.mood or self.absent) \
            and self.confidence >= s.min_confidence and self._clear(mood)
        region = _region(mood)
        dwells = {}
        for candidate, dwell in self._dwells.items():
            dwell.read(mood, pointing and region == candidate)
            if timestamp - dwell.since < DWELL_GRACE * s.dwell \
                    or dwell.agreed >= DWELL_SHARE * dwell.frames:  # else read otherwise too often
                dwells[candidate] = dwell
        if pointing and region not in dwells:
            dwells[region] = _Dwell(timestamp, mood)
        self._dwells = dwells
        due = [d for d in dwells.values() if timestamp - d.since >= s.dwell
               and d.outweighs(None if self.absent else self.mood)]
        if not due:
            return None
        mood = max(due, key=lambda d: d.agreed / d.frames).mood
        self.mood, self.absent, self._dwells = mood, False, {}
        return MoodEvent(timestamp, mood, mood_point(self.probabilities, self.classes, mood),
                         self.confidence)

    def _clear(self, candidate: Mood) -> bool:
        """Whether the smoothed reading makes ``candidate`` more probable than the current
        mood by the hysteresis margin."""
        if self.mood is None or self.absent:
            return True
        masses = mood_masses(self.probabilities, self.classes)
        return masses.get(candidate, 0.0) - masses.get(self.mood, 0.0) > \
            self.settings.hysteresis
