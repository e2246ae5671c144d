"""Fixtures for the player tests: generated tracks, real players on a private bus.

The bus, the players and their processes come from ``moodplayer.testing`` (the demo and
the benchmarks start them the same way); every process is killed at teardown. What is
left here is the test side: a recorder of what the manager reports, and the stand-in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from moodplayer.player import FeedbackEvent, PlayerListener, PlayerManager, to_uri
from moodplayer.player.identity import MPRIS_PREFIX
from moodplayer.testing import Control, PrivateBus, Processes, prepare_audacious_config, tone

# What the tests import from here (``from .conftest import ...``) comes from the shared module.
from moodplayer.testing import player_env as player_env
from moodplayer.testing import require as require
from moodplayer.testing import spin as spin
from moodplayer.testing import start_audacious as start_audacious
from moodplayer.testing import start_mpv as start_mpv
from moodplayer.testing import start_rhythmbox as start_rhythmbox
from moodplayer.testing import start_vlc as start_vlc
from moodplayer.tracks import track_id


@pytest.fixture(scope="session")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated tracks: two 8 s, one 3 s, one with characters that need URI escaping."""
    root = tmp_path_factory.mktemp("tracks")
    return {
        "long_a": tone(root / "long a.ogg", 8, 440),
        "long_b": tone(root / "long b.mp3", 8, 550),
        "short": tone(root / "short.ogg", 3, 660),
        "odd": tone(root / "odd #1 é%20&.ogg", 3, 770),
    }


@pytest.fixture
def bus(private_bus: PrivateBus) -> PrivateBus:
    """The private session bus (``private_bus``), by the name these tests use."""
    return private_bus


class Recorder(PlayerListener):
    """Collects everything the manager reports."""

    def __init__(self) -> None:
        self.events: list[FeedbackEvent] = []
        self.results: list = []
        self.appeared: list = []
        self.vanished: list = []

    def on_feedback(self, event: FeedbackEvent) -> None:
        self.events.append(event)

    def on_enqueue_result(self, result) -> None:
        self.results.append(result)

    def on_player_appeared(self, player, backend: str) -> None:
        self.appeared.append((player, backend))

    def on_player_vanished(self, player) -> None:
        self.vanished.append(player)

    def kinds(self, kind: str) -> list[FeedbackEvent]:
        """The events of one kind."""
        return [e for e in self.events if e.kind == kind]


def watched(bus: PrivateBus, **kwargs) -> tuple[PlayerManager, Recorder]:
    """A started ``PlayerManager`` on a new connection to ``bus``, with a recorder."""
    manager = PlayerManager(bus.connect(), **kwargs)
    recorder = Recorder()
    manager.add_listener(recorder)
    manager.start()
    return manager, recorder


def assert_plays_next(manager: PlayerManager, recorder: Recorder, control: Control,
                      queued: list[Path], playing: Path) -> None:
    """Enqueue ``queued`` and check what a user hears: the player takes it, ``playing``
    goes on uninterrupted, ``queued[0]`` plays next, and ``playing`` counts as played."""
    manager.enqueue(queued)
    assert spin(lambda: recorder.results)
    assert recorder.results[-1].status == "queued", recorder.results[-1]
    assert control.url() == to_uri(playing), "the playing track was interrupted"
    assert spin(lambda: control.url() == to_uri(queued[0]), 15)
    assert spin(lambda: recorder.kinds("played"), 5), recorder.events
    assert recorder.kinds("played")[0].track.path == str(playing)


def upcoming(manager: PlayerManager) -> list[str]:
    """What ``manager`` reads as waiting after the playing entry, as track ids."""
    listed: list = []
    manager.upcoming(listed.append)
    assert spin(lambda: listed, 5)
    assert listed[0] is not None, "the player's queue could not be read"
    return [track_id(e) for e in listed[0]]


@pytest.fixture(scope="session")
def audacious_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prepared Audacious config dir, made once per session."""
    return prepare_audacious_config(tmp_path_factory.mktemp("audacious"))


STANDIN = Path(__file__).with_name("standin.py")


def start_standin(procs: Processes, bus: PrivateBus, name: str = "spotify",
                  mode: str = "normal", length_s: float = 3.0) -> subprocess.Popen:
    """The stand-in MPRIS service (see standin.py) under ``org.mpris.MediaPlayer2.NAME``."""
    proc = procs.start([sys.executable, str(STANDIN), "--name", name, "--mode", mode,
                        "--length", str(length_s)], env=player_env(bus))
    bus.wait_for(f"{MPRIS_PREFIX}{name}")
    return proc
