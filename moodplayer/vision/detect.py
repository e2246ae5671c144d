"""Face detection: InsightFace SCRFD (default) or OpenCV's YuNet, boxes plus 5 landmarks.

Landmarks come in one order for both detectors, as seen in the image: left eye,
right eye, nose tip, left mouth corner, right mouth corner.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

import cv2
import numpy as np

from moodplayer import runtime
from moodplayer.exceptions import VisionError
from moodplayer.vision import insight, weights

log = logging.getLogger(__name__)

FaceDetector = Literal["scrfd", "yunet"]
#: Detector names for configuration and the command line.
FACE_DETECTORS: tuple[FaceDetector, ...] = get_args(FaceDetector)
#: Each detector's manifest entry.
DETECTORS: dict[FaceDetector, str] = {"scrfd": "scrfd_500m", "yunet": "yunet"}


@dataclass(frozen=True, slots=True)
class Detection:
    """One face: box (x1, y1, x2, y2) in pixels, detector score, 5x2 landmarks."""

    box: tuple[float, float, float, float]
    score: float
    landmarks: np.ndarray

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])


class Detector(Protocol):
    """Anything that finds faces in a BGR frame."""

    name: str

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """Every face found in ``frame`` (uint8 BGR), best first."""
        ...


class ScrfdDetector:
    """InsightFace SCRFD through ``insightface.model_zoo.get_model``, on onnxruntime."""

    name = "scrfd"

    def __init__(self, path: str | Path, input_size: int = 640, threshold: float = 0.5,
                 threads: int = 1, providers: tuple[str, ...] = runtime.CPU
                 ) -> None:
        path = Path(path)
        runtime.check_model_file(path, "SCRFD detector", VisionError)
        try:
            model = insight.insightface_model(path, threads, providers)
        except Exception as exc:  # onnxruntime and protobuf raise many kinds
            raise runtime.unloadable(path, exc, VisionError) from exc
        if model is None or not hasattr(model, "detect") or not getattr(model, "use_kps", 0):
            raise VisionError(f"{path}: not an SCRFD face detector with 5 landmarks (expected "
                              f"InsightFace SCRFD weights such as scrfd_500m.onnx; for "
                              f"OpenCV's YuNet set face_detector: yunet)")
        model.prepare(-1, input_size=(input_size, input_size), det_thresh=threshold)
        self._model = model

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """Every face found in ``frame`` (uint8 BGR), highest score first."""
        boxes, kps = self._model.detect(frame)
        found = [Detection(tuple(float(v) for v in b[:4]), float(b[4]),
                           np.asarray(k, dtype=np.float32))
                 for b, k in zip(boxes, kps, strict=True)]
        return sorted(found, key=lambda d: -d.score)


class YuNetDetector:
    """OpenCV Zoo's YuNet through ``cv2.FaceDetectorYN`` (MIT-licensed weights)."""

    name = "yunet"

    def __init__(self, path: str | Path, threshold: float = 0.6, nms: float = 0.3,
                 top_k: int = 50) -> None:
        path = Path(path)
        runtime.check_model_file(path, "YuNet detector", VisionError)
        try:
            self._model = cv2.FaceDetectorYN.create(str(path), "", (320, 320), threshold,
                                                    nms, top_k)
            # FaceDetectorYN loads any ONNX file; another model fails only when it runs,
            # so run it once on a blank frame here rather than on the first camera frame.
            self._model.detect(np.zeros((320, 320, 3), np.uint8))
        except cv2.error as exc:
            raise VisionError(f"{path}: not a YuNet face detector (expected OpenCV Zoo's "
                              f"face_detection_yunet ONNX file; for InsightFace SCRFD weights "
                              f"set face_detector: scrfd)") from exc
        self._size: tuple[int, int] = (320, 320)

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """Every face found in ``frame`` (uint8 BGR), highest score first."""
        size = (frame.shape[1], frame.shape[0])
        if size != self._size:
            self._model.setInputSize(size)
            self._size = size
        _, faces = self._model.detect(frame)
        if faces is None:
            return []
        found = []
        for f in faces:
            x, y, w, h = (float(v) for v in f[:4])
            # YuNet lists the subject's right eye (image left) first: the same order.
            found.append(Detection((x, y, x + w, y + h), float(f[14]),
                                   np.asarray(f[4:14], dtype=np.float32).reshape(5, 2)))
        return sorted(found, key=lambda d: -d.score)


def make_detector(kind: str = "scrfd", path: str | Path | None = None,
                  threads: int = 1) -> Detector:
    """A detector of ``kind`` (``scrfd`` or ``yunet``) from ``path`` or its usual place.

    Raises VisionError for an unknown kind, a missing file (with how to get it) or a
    file that is not such a detector.
    """
    if kind not in DETECTORS:
        raise VisionError(f"unknown detector {kind!r}: expected one of {', '.join(DETECTORS)}")
    file = weights.locate(DETECTORS[kind], path)
    if kind == "yunet":
        return YuNetDetector(file)
    return ScrfdDetector(file, threads=threads)
