"""The vision pipeline in one object: frame -> main face -> aligned crop -> expression -> mood.

``MoodSensor.read()`` returns one :class:`MoodReading` per sampled frame; a reading
carries the frame's probabilities (or says there was no face), the smoothed mood, and
a :class:`MoodEvent` when the announced mood changed. Only numbers leave this module:
the frame and the face crop are dropped before ``read()`` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from moodplayer.emotion import VA, Mood, read_face
from moodplayer.vision.align import align_face
from moodplayer.vision.detect import Detector
from moodplayer.vision.fer import ExpressionModel
from moodplayer.vision.mainface import MainFaceTracker
from moodplayer.vision.smoothing import MoodEvent, MoodSmoother
from moodplayer.vision.sources import FrameSource

log = logging.getLogger(__name__)

#: Mean brightness (0-255) under which a frame counts as too dark to read.
DARK_LEVEL = 12.0


@dataclass(frozen=True, slots=True)
class MoodReading:
    """What one sampled frame said.

    ``face`` is False when no face was found (``reason`` says why: "no face" or
    "too dark"); then ``probabilities``, ``point`` are None and confidence is 0.
    ``mood`` is the smoothed, announced mood (None before the first announcement
    and while absent); ``absent`` is True once the face has been gone a while.
    """

    timestamp: float
    face: bool
    probabilities: dict[str, float] | None
    point: VA | None
    confidence: float
    mood: Mood | None
    absent: bool
    event: MoodEvent | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        """Plain data for JSON (no image, ever)."""
        return {
            "timestamp": round(self.timestamp, 3), "face": self.face, "reason": self.reason,
            "probabilities": None if self.probabilities is None
            else {c: round(p, 4) for c, p in self.probabilities.items()},
            "valence": None if self.point is None else round(self.point.valence, 3),
            "arousal": None if self.point is None else round(self.point.arousal, 3),
            "confidence": round(self.confidence, 3),
            "mood": "absent" if self.absent else self.mood,
            "event": None if self.event is None else self.event.as_dict(),
        }


class FaceReader:
    """Detector, main-face choice, alignment and expression model for single frames."""

    def __init__(self, detector: Detector, model: ExpressionModel,
                 tracker: MainFaceTracker | None = None) -> None:
        self.detector = detector
        self.model = model
        self.tracker = tracker or MainFaceTracker()

    def probabilities(self, image: np.ndarray) -> tuple[np.ndarray | None, str]:
        """Class probabilities of the main face in ``image`` (BGR), or (None, why not)."""
        if float(image.mean()) < DARK_LEVEL:
            return None, "too dark"
        face = self.tracker.choose(self.detector.detect(image))
        if face is None:
            return None, "no face"
        crop = align_face(image, face.landmarks, self.model.spec.size, self.model.card.template)
        return self.model.predict(crop), ""


class MoodSensor:
    """Source, detector, expression model and smoother composed; one reading per frame.

    ``on_change`` (optional) is called with every :class:`MoodEvent`.
    """

    def __init__(self, source: FrameSource, detector: Detector, model: ExpressionModel,
                 smoother: MoodSmoother | None = None,
                 tracker: MainFaceTracker | None = None,
                 on_change: Callable[[MoodEvent], None] | None = None) -> None:
        self.source = source
        self.model = model
        self.reader = FaceReader(detector, model, tracker)
        self.smoother = smoother or MoodSmoother(model.classes)
        self.on_change = on_change

    def read(self) -> MoodReading | None:
        """The reading of the next sampled frame, or None when the source has ended."""
        frame = self.source.read()
        if frame is None:
            return None
        probs, reason = self.reader.probabilities(frame.image)
        timestamp = frame.timestamp
        del frame
        event = self.smoother.update(probs, timestamp)
        if self.smoother.absent:
            self.reader.tracker.reset()
        if event is not None:
            log.info("mood: %s (confidence %.2f)", event.mood or "absent", event.confidence)
            if self.on_change is not None:
                try:
                    self.on_change(event)
                except Exception:
                    log.exception("mood-change handler failed; carrying on")
        if probs is None:
            return MoodReading(timestamp, False, None, None, 0.0, self.smoother.mood,
                               self.smoother.absent, event, reason)
        _, point, confidence = read_face(probs, self.model.classes)
        return MoodReading(timestamp, True,
                           {c: float(p) for c, p in zip(self.model.classes, probs, strict=True)},
                           point, confidence, self.smoother.mood, self.smoother.absent, event)

    def __iter__(self) -> Iterator[MoodReading]:
        """Readings until the source ends."""
        while (reading := self.read()) is not None:
            yield reading

    def close(self) -> None:
        """Release the source."""
        self.source.close()
