"""See the user's mood: camera frames to a smoothed mood signal, usable on its own.

Compose it yourself, or build it from settings::

    from moodplayer.vision import VisionPipeline, VisionSettings
    pipeline = VisionPipeline.load(VisionSettings(source="0"))   # models, loaded once
    sensor = pipeline.open(on_change=print)                       # the camera, taken
    for reading in sensor:          # one MoodReading per sampled frame
        ...

Only numbers leave this package (probabilities, valence-arousal points, moods);
frames and face crops are never stored, logged or kept past the current frame.
Nothing is sent anywhere: ``moodplayer.runtime``, imported first, turns onnxruntime's telemetry off
before onnxruntime is loaded.
"""

import moodplayer.runtime  # noqa: F401  (first: it turns telemetry off)
from moodplayer.vision.calibration import NeutralCalibration
from moodplayer.vision.detect import (
    Detection,
    Detector,
    ScrfdDetector,
    YuNetDetector,
    make_detector,
)
from moodplayer.vision.fer import ExpressionModel, ModelCard, read_card
from moodplayer.vision.mainface import MainFaceTracker
from moodplayer.vision.sensor import FaceReader, MoodReading, MoodSensor
from moodplayer.vision.settings import VisionPipeline, VisionSettings, build_sensor
from moodplayer.vision.smoothing import MoodEvent, MoodSmoother, SmoothingSettings
from moodplayer.vision.sources import (
    CameraSource,
    Frame,
    FrameSource,
    ImageFolderSource,
    VideoFileSource,
    open_source,
)

__all__ = [
    "CameraSource",
    "Detection",
    "Detector",
    "ExpressionModel",
    "FaceReader",
    "Frame",
    "FrameSource",
    "ImageFolderSource",
    "MainFaceTracker",
    "ModelCard",
    "MoodEvent",
    "MoodReading",
    "MoodSensor",
    "MoodSmoother",
    "NeutralCalibration",
    "ScrfdDetector",
    "SmoothingSettings",
    "VideoFileSource",
    "VisionPipeline",
    "VisionSettings",
    "YuNetDetector",
    "build_sensor",
    "make_detector",
    "open_source",
    "read_card",
]
