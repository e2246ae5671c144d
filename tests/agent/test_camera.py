"""The camera in the agent: released while paused and while nothing plays, glance mode,
and a camera that goes away and comes back. The camera stand-in is a video made at test
time from a real face image that the insightface wheel ships; the detector weights come
from ../shared (skipped where absent)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gi.repository import GLib

from moodplayer.agent.hands import PlayerEvent
from moodplayer.vision.runtime import insightface_sample

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
