"""What a vision pipeline is built from, and the one place it is built.

The agent's configuration (``moodplayer:`` section: camera, fps, detector, model,
sensitivity, absent_after) is turned into :class:`VisionSettings` by the agent
(``moodplayer.agent.camera.vision_settings``); ``watch`` and ``calibrate`` fill them
from their command line. All of them build with :meth:`VisionPipeline.load`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from moodplayer.vision.calibration import NeutralCalibration
from moodplayer.vision.detect import Detector, FaceDetector, make_detector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel
from moodplayer.vision.sensor import MoodSensor
from moodplayer.vision.smoothing import MoodEvent, MoodSmoother, SmoothingSettings
from moodplayer.vision.sources import DEFAULT_FPS, FrameSource, open_source


@dataclass(frozen=True)
class VisionSettings:
    """The parts of a pipeline, with their defaults (see docs/configuration.md)."""

    source: str = "0"
    fps: float = DEFAULT_FPS
    detector: FaceDetector = "scrfd"
    detector_path: str = ""
    model_path: str = ""
    threads: int = 1
    calibration: bool = True
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)


@dataclass(frozen=True)
class VisionPipeline:
    """The loaded parts of a pipeline: detector, expression model and smoother.

    Loaded once (:meth:`load`); a frame source is added when the camera is taken
    (:meth:`sensor`, :meth:`open`) and may come and go while the parts stay in memory.
    ``run``, ``watch`` and ``calibrate`` all build their pipeline here.
    """

    settings: VisionSettings
    detector: Detector
    model: ExpressionModel
    smoother: MoodSmoother

    @classmethod
    def load(cls, settings: VisionSettings) -> VisionPipeline:
        """Load the parts ``settings`` name (VisionError naming the part that failed).

        The stored neutral calibration is applied when ``settings.calibration`` is on and
        it was made with the same model.
        """
        detector = make_detector(settings.detector, settings.detector_path or None,
                                 threads=settings.threads)
        model = ExpressionModel(settings.model_path or DEFAULT_MODEL, threads=settings.threads)
        calibration = NeutralCalibration.for_model(model) if settings.calibration else None
        return cls(settings, detector, model,
                   MoodSmoother(model.classes, settings.smoothing, calibration))

    def sensor(self, source: FrameSource,
               on_change: Callable[[MoodEvent], None] | None = None) -> MoodSensor:
        """A MoodSensor reading ``source`` with these parts (the smoother carries over)."""
        return MoodSensor(source, self.detector, self.model, self.smoother,
                          on_change=on_change)

    def open(self, stop: threading.Event | None = None,
             on_change: Callable[[MoodEvent], None] | None = None) -> MoodSensor:
        """A MoodSensor on the source ``settings.source`` names (VisionError if unusable)."""
        return self.sensor(open_source(self.settings.source, self.settings.fps, stop=stop),
                           on_change)


def build_sensor(settings: VisionSettings, stop: threading.Event | None = None,
                 on_change: Callable[[MoodEvent], None] | None = None) -> MoodSensor:
    """A ready MoodSensor for ``settings``: :meth:`VisionPipeline.load` then ``open``."""
    return VisionPipeline.load(settings).open(stop, on_change)
