"""Frame sources: folders, video files, and a camera that is absent, comes back, goes away."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.exceptions import VisionError
from moodplayer.vision.sources import (
    CameraSource,
    VideoFileSource,
    open_source,
)

from .conftest import write_video


def numbered_frames(n: int) -> list[np.ndarray]:
    """Frames whose brightness encodes their number (10, 20, 30... up to 250)."""
    return [np.full((120, 160, 3), 10 * (i % 25 + 1), np.uint8) for i in range(n)]


def brightness(frame) -> int:
    return round(float(frame.image.mean()) / 10)


def test_a_video_is_sampled_at_the_rate_asked(tmp_path: Path):
    video = write_video(tmp_path / "v.avi", numbered_frames(20), fps=20)
    source = VideoFileSource(video, fps=4)
    frames = []
    while (f := source.read()) is not None:
        frames.append(f)
    assert [brightness(f) for f in frames] == [1, 6, 11, 16]
    assert [f.timestamp for f in frames] == pytest.approx([0.0, 0.25, 0.5, 0.75])
    assert source.read() is None


def test_an_image_folder_is_read_in_name_order_skipping_bad_files(tmp_path: Path, caplog):
    for i, f in enumerate(numbered_frames(3)):
        cv2.imwrite(str(tmp_path / f"{i:02d}.png"), f)
    (tmp_path / "01b.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "notes.txt").write_text("ignored")
    source = open_source(str(tmp_path), fps=2)
    frames = [source.read() for _ in range(4)]
    assert [brightness(f) for f in frames[:3]] == [1, 2, 3]
    assert [f.timestamp for f in frames[:3]] == [0.0, 0.5, 1.0]
    assert frames[3] is None
    assert "01b.jpg: not a readable" in caplog.text


@pytest.mark.parametrize(("make", "message"), [
    pytest.param(lambda p: p.mkdir(), "no images in the folder", id="empty-folder"),
    pytest.param(lambda p: p.write_bytes(b"\x00garbage" * 999), "not a readable video",
                 id="corrupt-video"),
    pytest.param(lambda p: None, "not a camera index", id="missing"),
])
def test_bad_sources_are_one_clear_error(tmp_path: Path, make, message):
    target = tmp_path / "thing.avi"
    make(target)
    with pytest.raises(VisionError, match=message) as err:
        open_source(str(target))
    assert "thing.avi" in str(err.value)


def test_a_bad_sampling_rate_is_named():
    with pytest.raises(VisionError, match="sampling rate"):
        CameraSource(0, fps=0)


def test_a_video_that_breaks_midway_ends_the_stream_cleanly(tmp_path: Path):
    video = write_video(tmp_path / "v.avi", numbered_frames(40), fps=20)
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])  # cut off mid-stream
    try:
        source = VideoFileSource(video, fps=20)
    except VisionError:
        return  # refused up front: also fine
    frames = []
    while (f := source.read()) is not None:
        frames.append(f)
    assert 0 < len(frames) < 40


def test_a_camera_that_is_absent_is_waited_for_until_stopped(tmp_path: Path, caplog):
    stop = threading.Event()
    camera = CameraSource(str(tmp_path / "video9"), fps=10, retry=0.01, max_retry=0.05,
                          stop=stop)
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    assert camera.read() is None  # returns only because it was stopped
    timer.join()
    assert "is not available (absent or busy); waiting" in caplog.text
    assert caplog.text.count("not available") == 1  # one line per outage, not per retry


def test_a_camera_that_appears_later_is_picked_up(tmp_path: Path, caplog):
    device = tmp_path / "video0.avi"
    ready = write_video(tmp_path / "ready.avi", numbered_frames(5), fps=20)
    camera = CameraSource(str(device), fps=50, retry=0.01, max_retry=0.05)
    plug = threading.Timer(0.2, shutil.copy, (ready, device))
    plug.start()
    frame = camera.read()
    plug.join()
    camera.close()
    assert frame is not None and brightness(frame) == 1
    assert "waiting for it" in caplog.text and "is back" in caplog.text


def test_a_camera_unplugged_mid_stream_is_waited_for_and_resumes(tmp_path: Path, caplog):
    caplog.set_level(logging.WARNING)
    device = tmp_path / "video0.avi"
    write_video(device, numbered_frames(3), fps=20)
    backup = tmp_path / "backup.avi"
    shutil.copy(device, backup)
    camera = CameraSource(str(device), fps=50, retry=0.01, max_retry=0.05)
    seen = [brightness(camera.read()) for _ in range(3)]
    device.unlink()  # unplugged: the stream stops and the device is gone
    replug = threading.Timer(0.2, shutil.copy, (backup, device))
    replug.start()
    after = camera.read()
    replug.join()
    camera.close()
    assert seen == [1, 2, 3]
    assert after is not None and brightness(after) == 1
    assert camera.reconnects == 1
    assert "stopped giving frames" in caplog.text


def test_pause_releases_the_camera_and_resume_takes_it_again(tmp_path: Path):
    device = write_video(tmp_path / "video0.avi", numbered_frames(5), fps=20)
    camera = CameraSource(str(device), fps=50, retry=0.01)
    assert camera.read() is not None
    camera.pause()
    assert camera._cap is None
    camera.resume()
    assert camera.read() is not None
    camera.close()
    assert camera._cap is None and camera.read() is None
