"""The camera in the agent: released while paused and while nothing plays, glance mode,
and a camera that goes away and comes back. The camera stand-in is a video made at test
time from a real face image that the insightface wheel ships; the detector weights come
from ../shared (skipped where absent)."""

from __future__ import annotations

import logging
import re
import subprocess
import time
from pathlib import Path

import pytest
from gi.repository import GLib

from moodplayer.agent.camera import vision_settings
from moodplayer.agent.hands import PlayerEvent
from moodplayer.vision.insight import insightface_sample
from moodplayer.vision.settings import VisionPipeline

FACE = insightface_sample("t1.jpg")


@pytest.fixture(scope="module")
def face_video(tmp_path_factory) -> Path:
    """Four seconds of the t1.jpg group photo (smiling faces) as an H.264 video."""
    out = tmp_path_factory.mktemp("camera") / "faces.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-loop", "1", "-i", str(FACE), "-t", "4",
                    "-r", "8", "-vf", "scale=640:-2", "-pix_fmt", "yuv420p", str(out)],
                   check=True, timeout=120)
    return out


@pytest.fixture
def camera_agent(agent_for, face_video, shared_dir):
    detector = shared_dir / "models" / "scrfd_500m.onnx"
    if not detector.is_file():
        pytest.skip(f"{detector} is absent")

    def make(extra: str = "", video: Path = face_video):
        return agent_for(f"sensing: continuous\ncamera: {video}\ndetector: {detector}\n"
                         f"sensitivity: eager\nfps: 4\nabsent_after: 3\n{extra}",
                         grant_consent=True)
    return make


def _run_until(condition, seconds: float, wait_for) -> bool:
    context = GLib.MainContext.default()
    return wait_for(lambda: (context.iteration(False), condition())[1], seconds)


def test_camera_only_while_music_plays_and_not_while_paused(camera_agent, wait_for):
    agent, player = camera_agent()
    player.appear()
    assert agent.status()["camera"] == "released"  # a player, but nothing plays
    player.start_track(player.queue[0])
    assert agent.status()["camera"] == "open"
    assert _run_until(lambda: agent.mood is not None, 30, wait_for)
    assert agent.mood.mood == "happy"
    assert agent.store.moods()[-1].source == "camera"
    agent.pause()
    assert agent.status()["camera"] == "released"
    agent.resume()
    assert agent.status()["camera"] == "open"
    player.pause_playback()
    assert agent.status()["camera"] == "released"


def test_glance_opens_the_camera_only_around_track_starts(camera_agent, wait_for):
    agent, player = camera_agent("sensing: glance\nglance_seconds: 2")
    player.appear()
    player.playing = True
    agent.on_player_event(PlayerEvent("playing", "dummy"))
    assert agent.status()["camera"] == "released"
    player.start_track(player.queue[0])
    assert agent.status()["camera"] == "open"
    assert _run_until(lambda: agent.status()["camera"] == "released", 30, wait_for)
    assert agent.now() == "glancing for 2 s"
    assert agent.status()["camera"] == "open"


def test_camera_gone_reads_absent_then_resumes(camera_agent, face_video, tmp_path,
                                               wait_for):
    video = tmp_path / "camera.mp4"
    video.write_bytes(face_video.read_bytes())
    agent, player = camera_agent(video=video)
    player.appear()
    player.start_track(player.queue[0])
    assert _run_until(lambda: agent.mood is not None, 30, wait_for)
    away = video.rename(tmp_path / "unplugged.mp4")
    assert _run_until(lambda: agent.status()["mood"] == "absent", 60, wait_for)
    assert agent.store.moods()[-1].mood == "absent"
    away.rename(video)
    assert _run_until(lambda: agent.status()["mood"] == "happy", 60, wait_for)


def test_silence_is_counted_from_when_sensing_started(camera_agent, tmp_path, wait_for,
                                                     caplog):
    """Was: "no frames from the camera for 1539 s" a second after start (the machine's
    uptime: the last frame's time was 0 when the camera could not be opened)."""
    caplog.set_level(logging.INFO)
    agent, player = camera_agent(video=tmp_path / "not-there-yet.mp4")
    player.appear()
    started = time.monotonic()
    player.start_track(player.queue[0])
    assert _run_until(lambda: "no frames from the camera" in caplog.text, 30, wait_for)
    waited = time.monotonic() - started
    said = [float(s) for s in re.findall(r"no frames from the camera for (\d+) s", caplog.text)]
    assert said and all(3 <= s <= waited + 1 for s in said)  # absent_after is 3 s
    assert agent.status()["mood"] == "absent"


def test_an_absent_camera_is_not_reported_opened(camera_agent, wait_for, caplog):
    """Was: "camera /dev/video99 opened" right after "... is not available"."""
    caplog.set_level(logging.INFO)
    _agent, player = camera_agent(video=Path("/dev/video99"))
    player.appear()
    player.start_track(player.queue[0])
    assert _run_until(lambda: "is not available" in caplog.text, 30, wait_for)
    _run_until(lambda: False, 1.5, wait_for)  # time for a wrong "opened" line to appear
    assert "opened" not in caplog.text


def test_a_readable_stand_in_is_reported_opened_once_frames_come(camera_agent, wait_for,
                                                                caplog):
    caplog.set_level(logging.INFO)
    agent, player = camera_agent()
    player.appear()
    player.start_track(player.queue[0])
    assert _run_until(lambda: agent.source.frames > 0, 30, wait_for)
    assert caplog.text.count(f"camera {agent.source.spec} opened") == 1


@pytest.mark.parametrize("sensitivity", ["relaxed", "eager"])
def test_the_agent_builds_its_pipeline_with_the_one_builder_from_its_config(
        sensitivity, agent_for, face_video, shared_dir):
    yunet = shared_dir / "models" / "face_detection_yunet_2026may.onnx"
    if not yunet.is_file():
        pytest.skip(f"{yunet} is absent")
    agent, _ = agent_for(f"sensing: continuous\ncamera: {face_video}\nface_detector: yunet\n"
                         f"detector: {yunet}\nsensitivity: {sensitivity}\nabsent_after: 3\n",
                         grant_consent=True)
    preset = agent.config.preset
    pipeline = agent.source.pipeline
    assert isinstance(pipeline, VisionPipeline)
    assert pipeline.settings == vision_settings(agent.config)
    assert pipeline.detector.name == "yunet"
    smoothing = pipeline.smoother.settings
    assert (smoothing.dwell, smoothing.half_life, smoothing.absent_after) == (
        preset.dwell_s, preset.half_life_s, 3)
