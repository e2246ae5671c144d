"""Vision fixtures: the real detectors and model, and real FER-2013 faces placed in frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.emotion import read_face
from moodplayer.vision.detect import ScrfdDetector, YuNetDetector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel
from moodplayer.vision.sensor import FaceReader

FRAME = (480, 640)  # rows, columns


def _shared_weights(shared_dir: Path, name: str) -> Path:
    path = shared_dir / "models" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (detector weights are not part of the project)")
    return path


@pytest.fixture(scope="session")
def scrfd_path(shared_dir: Path) -> Path:
    """The SCRFD-500M weights in ../shared/models."""
    return _shared_weights(shared_dir, "scrfd_500m.onnx")


@pytest.fixture(scope="session")
def yunet_path(shared_dir: Path) -> Path:
    """The YuNet weights in ../shared/models."""
    return _shared_weights(shared_dir, "face_detection_yunet_2026may.onnx")


@pytest.fixture(scope="session")
def fer_test(shared_dir: Path) -> Path:
    """FER-2013's test split (PrivateTest) in ../shared/data."""
    path = shared_dir / "data" / "fer2013" / "test"
    if not path.is_dir():
        pytest.skip(f"{path} is absent (FER-2013 is research data, not part of the project)")
    return path


@pytest.fixture(scope="session")
def scrfd(scrfd_path: Path) -> ScrfdDetector:
    """The real SCRFD detector, loaded once."""
    return ScrfdDetector(scrfd_path)


@pytest.fixture(scope="session")
def yunet(yunet_path: Path) -> YuNetDetector:
    """The real YuNet detector, loaded once."""
    return YuNetDetector(yunet_path)


@pytest.fixture(scope="session")
def model() -> ExpressionModel:
    """The project's own expression model from models/."""
    if not DEFAULT_MODEL.is_file():
        pytest.skip(f"{DEFAULT_MODEL} is absent (export it: see models/moodplayer-fer.md)")
    return ExpressionModel(DEFAULT_MODEL)


def place(face: np.ndarray, side: int = 200, centre: tuple[int, int] = (320, 240),
          frame: np.ndarray | None = None, background: int = 90) -> np.ndarray:
    """A 640x480 BGR frame with the gray ``face`` image scaled to ``side`` pixels at ``centre``."""
    if frame is None:
        frame = np.full((*FRAME, 3), background, np.uint8)
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    x0, y0 = centre[0] - side // 2, centre[1] - side // 2
    frame[y0:y0 + side, x0:x0 + side] = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    return frame


class FacePicker:
    """Real FER-2013 test faces that the whole pipeline reads as a given mood."""

    def __init__(self, root: Path, detector: ScrfdDetector, model: ExpressionModel) -> None:
        self.root, self.detector, self.model = root, detector, model
        self._reader = FaceReader(detector, model)

    def read(self, frame: np.ndarray):
        """Probabilities of the main face in ``frame`` (None if no face)."""
        self._reader.tracker.reset()
        return self._reader.probabilities(frame)[0]

    def faces(self, label: str, count: int, mood: str | None = None,
              limit: int = 300) -> list[np.ndarray]:
        """``count`` gray faces of class ``label`` that, placed in a frame, read as that
        class (and as ``mood``, if given)."""
        found = []
        for path in sorted((self.root / label).glob("*.jpg"))[:limit]:
            face = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            probs = self.read(place(face))
            if probs is None or self.model.classes[int(probs.argmax())] != label:
                continue
            if mood is None or read_face(probs, self.model.classes)[0] == mood:
                found.append(face)
                if len(found) == count:
                    return found
        pytest.skip(f"fewer than {count} {label} test faces read as {mood or label}")

    def readings(self, label: str, count: int) -> list[np.ndarray]:
        """The readings of the first ``count`` faces of class ``label`` that the detector
        finds, placed in a frame: whatever the model makes of them."""
        found = []
        for path in sorted((self.root / label).glob("*.jpg")):
            probs = self.read(place(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)))
            if probs is not None:
                found.append(probs)
                if len(found) == count:
                    return found
        pytest.skip(f"fewer than {count} {label} test faces where the detector finds one")


@pytest.fixture(scope="session")
def picker(fer_test: Path, scrfd: ScrfdDetector, model: ExpressionModel) -> FacePicker:
    """Chooses real faces by what the real pipeline reads in them."""
    return FacePicker(fer_test, scrfd, model)


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    """Encode ``frames`` (BGR) as an MJPEG AVI: test input, made by the test."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MJPEG video here"
    for f in frames:
        writer.write(f)
    writer.release()
    return path


#: The expression story of the end-to-end video: (start s, end s, what is shown).
STORY = ((0.0, 6.0, "neutral"), (6.0, 14.0, "happy"), (14.0, 19.0, None),
         (19.0, 26.0, "neutral"))
VIDEO_FPS = 8.0
#: When, inside the happy part, one single frame shows a neutral face instead.
ODD_FRAME = 10.0


@pytest.fixture(scope="session")
def mood_video(tmp_path_factory: pytest.TempPathFactory, picker: FacePicker) -> Path:
    """A video of real FER-2013 faces following STORY; the face moves a little every frame."""
    faces = {"neutral": picker.faces("neutral", 4, mood="neutral"),
             "happy": picker.faces("happy", 4, mood="happy")}
    rng = np.random.default_rng(7)
    frames = []
    for i in range(int(STORY[-1][1] * VIDEO_FPS)):
        t = i / VIDEO_FPS
        shown = next(what for start, end, what in STORY if start <= t < end)
        if shown == "happy" and abs(t - ODD_FRAME) < 1e-9:
            shown = "neutral"
        if shown is None:
            frames.append(np.full((*FRAME, 3), 90, np.uint8))
            continue
        face = faces[shown][(i // 4) % len(faces[shown])]
        side = int(190 + rng.integers(-15, 16))
        centre = (int(320 + rng.integers(-30, 31)), int(240 + rng.integers(-20, 21)))
        frames.append(place(face, side=side, centre=centre))
    return write_video(tmp_path_factory.mktemp("video") / "story.avi", frames, VIDEO_FPS)
