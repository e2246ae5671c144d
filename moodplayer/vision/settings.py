"""What a vision pipeline is built from, and building a ready sensor from it.

The agent's configuration (``moodplayer:`` section: camera, fps, detector, model,
sensitivity, absent_after) is parsed by the agent; ``watch`` and ``calibrate`` fill
these settings from their command line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from moodplayer.vision.calibration import NeutralCalibration
from moodplayer.vision.detect import make_detector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel
from moodplayer.vision.sensor import MoodSensor
from moodplayer.vision.smoothing import MoodEvent, MoodSmoother, SmoothingSettings
from moodplayer.vision.sources import DEFAULT_FPS, open_source


@dataclass(frozen=True)
class VisionSettings:
    """The parts of a pipeline, with their defaults (see docs/readme/vision.md)."""

    source: str = "0"
    fps: float = DEFAULT_FPS
    detector: str = "scrfd"
    detector_path: str = ""
    model_path: str = ""
    threads: int = 1
    calibration: bool = True
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)


def build_sensor(settings: VisionSettings, stop: threading.Event | None = None,
                 on_change: Callable[[MoodEvent], None] | None = None) -> MoodSensor:
    """A ready MoodSensor for ``settings`` (VisionError if a part cannot be loaded).

    The stored neutral calibration is applied when ``settings.calibration`` is on and it
    was made with the same model.
    """
    detector = make_detector(settings.detector, settings.detector_path or None,
                             threads=settings.threads)
    model = ExpressionModel(settings.model_path or DEFAULT_MODEL, threads=settings.threads)
    calibration = NeutralCalibration.for_model(model) if settings.calibration else None
    smoother = MoodSmoother(model.classes, settings.smoothing, calibration)
    source = open_source(settings.source, settings.fps, stop=stop)
    return MoodSensor(source, detector, model, smoother, on_change=on_change)
