"""The commands as a user runs them: watch, calibrate, eval-fer, fetch-model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from moodplayer.agent.cli import main
from moodplayer.vision.calibration import NeutralCalibration, calibration_path
from moodplayer.vision.cli import FLIP_AVERAGE, FLIPS

from .conftest import write_video


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def eager(tmp_path: Path) -> str:
    """A config that follows faces quickly (the clips change expression every few seconds);
    ``watch`` smooths as the agent does, with the configured sensitivity."""
    path = tmp_path / "eager.yaml"
    path.write_text("moodplayer:\n  sensitivity: eager\n  absent_after: 3\n")
    return str(path)


def test_watch_prints_the_mood_stream_as_json(capsys, mood_video: Path, scrfd_path: Path,
                                              eager: str):
    status, out, _ = cli(capsys, "watch", "-c", eager, "--source", str(mood_video),
                         "--detector-path", str(scrfd_path), "--json", "--fps", "4")
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) > 80
    events = [line["event"]["mood"] for line in lines if line["event"]]
    assert events == ["neutral", "happy", "absent", "neutral"]
    faces = [line for line in lines if line["face"]]
    assert all(abs(sum(f["probabilities"].values()) - 1) < 1e-3 for f in faces)


def test_watch_events_only_in_text(capsys, mood_video: Path, scrfd_path: Path, eager: str):
    status, out, _ = cli(capsys, "watch", "-c", eager, "--source", str(mood_video),
                         "--detector-path", str(scrfd_path), "--events-only", "--frames", "60",
                         "--fps", "4")
    assert status == 0
    assert [line.rsplit("now ", 1)[1] for line in out.splitlines()] == ["neutral", "happy"]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--source", "/nonexistent/clip.mp4"], "/nonexistent/clip.mp4", id="source"),
    pytest.param(["--detector-path", "/nonexistent/det.onnx"], "/nonexistent/det.onnx",
                 id="detector"),
    pytest.param(["--model", "/nonexistent/fer.onnx"], "/nonexistent/fer.onnx", id="model"),
])
def test_watch_with_bad_input_says_what_is_wrong(capsys, tmp_path, scrfd_path, model, args,
                                                 message):
    base = ["watch", "--source", str(tmp_path), "--detector-path", str(scrfd_path)]
    (tmp_path / "a.png").write_bytes(b"")  # the folder has one (unreadable) image
    status, _, err = cli(capsys, *base, *args)
    assert status == 1
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("fps", ["0", "nan", "-1", "inf", "fast"])
def test_watch_refuses_a_bad_rate_in_one_line(capsys, fps):
    with pytest.raises(SystemExit) as exit_:
        main(["watch", "--fps", fps])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"--fps: expected a number from 0.2 to 30, got '{fps}'" in err
    assert len(err.strip().splitlines()) == 1


def test_watch_reads_the_configured_camera(capsys, tmp_path, scrfd_path):
    """`watch` took its camera from the command line only, never from moodplayer:."""
    config = tmp_path / "config.yaml"
    config.write_text(f"moodplayer:\n  camera: {tmp_path / 'nowhere.mp4'}\n"
                      f"  detector: {scrfd_path}\n  fps: 3\n")
    status, _, err = cli(capsys, "watch", "-c", str(config), "--frames", "1")
    assert status == 1
    assert str(tmp_path / "nowhere.mp4") in err


def test_calibrate_stores_the_bias_and_watch_uses_it(capsys, tmp_path, picker, scrfd_path):
    from .conftest import place

    faces = picker.faces("neutral", 3, mood="neutral")
    frames = [place(faces[i % 3], side=200 + i % 5) for i in range(48)]
    video = write_video(tmp_path / "rest.avi", frames, fps=8)
    status, out, _ = cli(capsys, "calibrate", "--source", str(video), "--detector-path",
                         str(scrfd_path), "--seconds", "4", "--fps", "4")
    assert status == 0 and "Calibrated on" in out
    stored = json.loads(calibration_path().read_text())
    assert stored["classes"] == list(picker.model.classes)
    assert stored["samples"] >= 10
    assert "model_sha256" in stored
    # Only numbers are stored, and they are found again for the same model.
    assert all(isinstance(w, float) for w in stored["log_weights"])
    assert NeutralCalibration.for_model(picker.model) is not None


def test_calibrate_without_a_face_is_refused(capsys, tmp_path, scrfd_path, model):
    video = write_video(tmp_path / "empty.avi", [np.full((480, 640, 3), 80, np.uint8)] * 40, 8)
    status, _, err = cli(capsys, "calibrate", "--source", str(video), "--detector-path",
                         str(scrfd_path), "--seconds", "3")
    assert status == 1 and "only 0 frames with a face" in err
    assert not calibration_path().exists()


def small_set(fer_test: Path, root: Path, per_class: int = 8) -> Path:
    for label in ("happy", "surprise", "neutral", "sad"):
        (root / label).mkdir(parents=True)
        for p in sorted((fer_test / label).glob("*.jpg"))[:per_class]:
            shutil.copy(p, root / label / p.name)
    return root


def test_eval_fer_reports_accuracy_recall_and_confusion(capsys, tmp_path, fer_test, model):
    data = small_set(fer_test, tmp_path / "set")
    status, out, _ = cli(capsys, "eval-fer", str(data), "--json")
    assert status == 0
    result = json.loads(out)
    assert result["images"] == 32
    confusion = np.array(result["confusion"])
    assert confusion.shape == (7, 7) and confusion.sum() == 32
    assert result["accuracy"] == pytest.approx(np.trace(confusion) / 32, abs=1e-4)
    assert confusion[model.classes.index("disgust")].sum() == 0
    status, out, _ = cli(capsys, "eval-fer", str(data))
    assert status == 0 and "accuracy" in out and "happy" in out


def test_eval_fer_with_a_wrong_layout_says_so(capsys, tmp_path, model):
    (tmp_path / "joy").mkdir()
    status, _, err = cli(capsys, "eval-fer", str(tmp_path))
    assert status == 1 and "joy" in err and "not model classes" in err
    empty = tmp_path / "empty"
    (empty / "happy").mkdir(parents=True)
    status, _, err = cli(capsys, "eval-fer", str(empty))
    assert status == 1 and "no images" in err


def test_fetch_model_with_an_unknown_name(capsys):
    status, _, err = cli(capsys, "fetch-model", "buffalo_xl")
    assert status == 1 and "unknown model 'buffalo_xl'" in err


def test_yunet_with_scrfd_weights_is_one_line(capsys, tmp_path, scrfd_path):
    """`face_detector: yunet` with SCRFD weights logged a cv2.error, then sensing stopped."""
    config = tmp_path / "config.yaml"
    config.write_text(f"moodplayer:\n  face_detector: yunet\n  detector: {scrfd_path}\n"
                      f"  camera: {tmp_path}\n")
    status, _, err = cli(capsys, "watch", "-c", str(config), "--frames", "1")
    assert status == 1
    assert err.strip().splitlines() == [
        f"moodplayer: {scrfd_path}: not a YuNet face detector (expected OpenCV Zoo's "
        "face_detection_yunet ONNX file; for InsightFace SCRFD weights set face_detector: "
        "scrfd)"]


@pytest.mark.parametrize("flip", FLIPS)
def test_every_flip_choice_builds_the_model(flip, model):
    from moodplayer.vision.fer import ExpressionModel

    assert set(FLIP_AVERAGE) == set(FLIPS)
    built = ExpressionModel(model.path, flip_average=FLIP_AVERAGE[flip])
    assert built.classes == model.classes


def test_watch_follows_the_configured_sensitivity(capsys, tmp_path, mood_video, scrfd_path):
    """`watch` read moods with built-in thresholds whatever `sensitivity:` said."""
    events = {}
    for preset in ("eager", "relaxed"):
        config = tmp_path / f"{preset}.yaml"
        config.write_text(f"moodplayer:\n  sensitivity: {preset}\n  detector: {scrfd_path}\n")
        status, out, _ = cli(capsys, "watch", "-c", str(config), "--source", str(mood_video),
                             "--json", "--fps", "4")
        assert status == 0
        events[preset] = [line["event"]["timestamp"] for line in map(json.loads,
                                                                     out.splitlines())
                          if line["event"]]
    assert events["eager"] and len(events["relaxed"]) < len(events["eager"])
