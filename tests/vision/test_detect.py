"""Real detectors on real faces; the main face among several; missing and broken weights."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.agent.cli import main
from moodplayer.exceptions import VisionError
from moodplayer.vision.detect import make_detector
from moodplayer.vision.insight import insightface_sample
from moodplayer.vision.mainface import MainFaceTracker
from moodplayer.vision.sensor import FaceReader

from .conftest import place

SAMPLE = insightface_sample("t1.jpg")


@pytest.mark.parametrize("name", ["scrfd", "yunet"])
def test_both_detectors_find_the_people_in_a_photo(name, request):
    detector = request.getfixturevalue(name)
    image = cv2.imread(str(SAMPLE))
    faces = detector.detect(image)
    assert len(faces) >= 4
    for f in faces:
        x1, y1, x2, y2 = f.box
        assert f.landmarks.shape == (5, 2)
        # Landmarks inside the box, left eye left of right eye, eyes above the mouth.
        assert ((f.landmarks[:, 0] > x1 - 5) & (f.landmarks[:, 0] < x2 + 5)).all()
        assert ((f.landmarks[:, 1] > y1 - 5) & (f.landmarks[:, 1] < y2 + 5)).all()
        assert f.landmarks[0, 0] < f.landmarks[1, 0]
        assert f.landmarks[:2, 1].max() < f.landmarks[3:, 1].min()


@pytest.mark.parametrize("name", ["scrfd", "yunet"])
def test_a_fer_face_in_a_frame_is_found_where_it_was_put(name, request, fer_test):
    detector = request.getfixturevalue(name)
    face = cv2.imread(str(sorted((fer_test / "happy").glob("*.jpg"))[0]), cv2.IMREAD_GRAYSCALE)
    faces = detector.detect(place(face, side=180, centre=(200, 260)))
    assert len(faces) == 1
    cx = (faces[0].box[0] + faces[0].box[2]) / 2
    cy = (faces[0].box[1] + faces[0].box[3]) / 2
    assert abs(cx - 200) < 40 and abs(cy - 260) < 40


@pytest.mark.parametrize("name", ["scrfd", "yunet"])
def test_an_empty_frame_has_no_face(name, request):
    detector = request.getfixturevalue(name)
    assert detector.detect(np.full((480, 640, 3), 120, np.uint8)) == []


def test_several_faces_do_not_make_the_reading_jump(picker):
    """A happy user and a surprised passer-by of about the same size: the reading stays happy."""
    happy = picker.faces("happy", 1)[0]
    other = picker.faces("surprise", 1)[0]
    reader = FaceReader(picker.detector, picker.model, MainFaceTracker())
    happy_index = picker.model.classes.index("happy")
    tops = []
    for i, other_side in enumerate([150, 170, 190, 215, 200, 180, 215, 160]):
        frame = place(happy, side=200, centre=(180, 240))
        frame = place(other, side=other_side, centre=(480, 240 + 4 * i), frame=frame)
        probs, _ = reader.probabilities(frame)
        assert probs is not None
        tops.append(int(probs.argmax()))
    assert tops == [happy_index] * len(tops)


def test_a_much_larger_face_takes_over(picker):
    happy = picker.faces("happy", 1)[0]
    other = picker.faces("surprise", 1)[0]
    reader = FaceReader(picker.detector, picker.model, MainFaceTracker())
    first, _ = reader.probabilities(place(other, side=300, centre=(480, 240),
                                          frame=place(happy, side=120, centre=(120, 240))))
    assert picker.model.classes[int(first.argmax())] == "surprise"


def test_missing_weights_say_how_to_get_them(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.insightface pack either
    with pytest.raises(VisionError, match="fetch-model scrfd_500m"):
        make_detector("scrfd")
    with pytest.raises(VisionError, match="not found"):
        make_detector("yunet", tmp_path / "nothing.onnx")
    with pytest.raises(VisionError, match="expected one of scrfd, yunet"):
        make_detector("haar")


@pytest.mark.parametrize("kind", ["scrfd", "yunet"])
def test_corrupt_or_empty_weights_are_refused(kind, tmp_path: Path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"")
    with pytest.raises(VisionError, match="empty"):
        make_detector(kind, bad)
    bad.write_bytes(b"\x08\x07not an onnx file" * 50)
    with pytest.raises(VisionError, match=str(bad)):
        make_detector(kind, bad)


def test_a_model_that_is_not_a_detector_is_refused(model):
    with pytest.raises(VisionError, match="not an SCRFD face detector"):
        make_detector("scrfd", model.path)


@pytest.mark.parametrize(("kind", "other", "expected"), [
    ("yunet", "scrfd_path", "not a YuNet face detector"),
    ("scrfd", "yunet_path", "not an SCRFD face detector"),
])
def test_the_other_detectors_weights_are_named_at_load(kind, other, expected, request,
                                                       capsys, mood_video):
    """Was: ``face_detector: yunet`` with SCRFD weights loaded, then every frame raised a
    cv2.error in the log and sensing stopped."""
    weights = request.getfixturevalue(other)
    with pytest.raises(VisionError, match=expected) as caught:
        make_detector(kind, weights)
    message = str(caught.value)
    assert str(weights) in message and "set face_detector: " in message
    assert main(["watch", "--source", str(mood_video), "--detector", kind,
                 "--detector-path", str(weights), "--frames", "3"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
