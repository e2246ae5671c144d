"""Fixtures for the agent's tests: a private session bus, a real annotated beets library."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import dbus
import pytest
from dbus.mainloop.glib import DBusGMainLoop

from moodplayer.agent.config import load_config
from moodplayer.agent.control import BUS_NAME as AGENT_NAME
from moodplayer.agent.hands import PlayerEvent
from moodplayer.agent.service import Agent, RunOptions
from moodplayer.agent.store import StateStore
from moodplayer.testing import PrivateBus, Processes

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def moodplayer_cmd() -> list[str]:
    """The installed ``moodplayer`` console script, as a command prefix."""
    return [str(VENV_BIN / "moodplayer")]


@pytest.fixture
def session_bus(private_bus: PrivateBus) -> str:
    """The address of the private session bus (``private_bus``), the test's session bus."""
    return private_bus.address


@pytest.fixture(scope="session")
def annotated_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real beets library of generated tracks annotated by `beet moodtag`; its root.

    Made by the README's demo command itself (``moodplayer demo --library-only``), so
    the demo's first stage is checked on the way.
    """
    root = tmp_path_factory.mktemp("library")
    result = subprocess.run([str(VENV_BIN / "moodplayer"), "demo", "--library-only",
                             "--tracks", "6", "--dir", str(root)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    listed = [line for line in result.stdout.splitlines()
              if " BPM " in line and " | " in line and not line.startswith("$")]
    assert len(listed) == 6, result.stdout
    assert all(line.rsplit("| ", 1)[1].strip() for line in listed)  # a mood label each
    return root


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    """Writes a beets config for a library root with a given ``moodplayer:`` body."""
    def make(library_root: Path, moodplayer: str = "", name: str = "config.yaml") -> Path:
        body = textwrap.indent(textwrap.dedent(moodplayer).strip(), "  ")
        path = tmp_path / name
        path.write_text(f"directory: {library_root / 'music'}\n"
                        f"library: {library_root / 'library.db'}\n"
                        + (f"moodplayer:\n{body}\n" if body else "moodplayer: {}\n"),
                        encoding="utf-8")
        return path
    return make


def _wait_for(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    """Poll ``condition`` until it is true or ``seconds`` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def start_agent(private_bus: PrivateBus, moodplayer_cmd: list[str], tmp_path: Path,
                procs: Processes):
    """Starts ``moodplayer -v run ARGS`` on the private bus; waits until it is on the bus."""
    started: list[subprocess.Popen] = []

    def start(*args: str, wait: bool = True, **popen) -> subprocess.Popen:
        log = (tmp_path / f"agent{len(started)}.log").open("w")
        popen.setdefault("stdout", log)
        popen.setdefault("stderr", subprocess.STDOUT)
        proc = procs.start([*moodplayer_cmd, "-v", "run", *args], text=True, **popen)
        proc.log_path = Path(log.name)
        started.append(proc)
        if wait:
            assert _wait_for(lambda: private_bus.has_name(AGENT_NAME)
                            or proc.poll() is not None), "the agent did not start"
            assert proc.poll() is None, proc.log_path.read_text()
        return proc

    yield start
    for proc in started:
        procs.stop(proc)


@pytest.fixture
def wait_for() -> Callable[..., bool]:
    """``wait_for(condition, seconds=30)``: poll until true; returns the last value."""
    return _wait_for


@pytest.fixture
def agent_on_bus(private_bus: PrivateBus) -> Callable[[], bool]:
    """Whether an agent owns its name on the private bus right now."""
    return lambda: private_bus.has_name(AGENT_NAME)


class DummyHands:
    """Stands in for the player layer in logic tests: the agent's player interface, in
    memory, recording every request; its other methods act like a player."""

    def __init__(self) -> None:
        self.name = ""
        self.playing = False
        self.playing_path = ""
        self.queue: list[str] = []
        self.on_event = None

    @property
    def available(self) -> bool:
        return bool(self.name)

    def start(self, on_event) -> None:
        self.on_event = on_event

    can_remove = True

    def enqueue(self, paths, done, after=None) -> None:
        # after ``after``, else right after the playing track, as mpv does
        at = self.queue.index(after) + 1 if after in self.queue else 0
        self.queue[at:at] = paths
        done(list(paths), [], "")

    def upcoming(self, done) -> None:
        done(list(self.queue))

    def remove(self, paths, done) -> None:
        removed = [p for p in paths if p in self.queue]
        for path in removed:
            self.queue.remove(path)
        done(removed, "")

    def play(self) -> None:
        self.playing = True

    def close(self) -> None:
        self.name = ""

    # what a player does
    def appear(self) -> None:
        self.name = "dummy"
        self.on_event(PlayerEvent("appeared", "dummy"))

    def start_track(self, path: str) -> None:
        if path in self.queue:
            self.queue.remove(path)
        self.playing, self.playing_path = True, path
        self.on_event(PlayerEvent("started", "dummy", path))

    def skip(self, path: str, at: float = 3.0) -> None:
        self.on_event(PlayerEvent("skipped", "dummy", path, at))

    def pause_playback(self) -> None:
        self.playing = False
        self.on_event(PlayerEvent("paused", "dummy", self.playing_path))


@pytest.fixture
def agent_for(session_bus, make_config, annotated_library):
    """``agent_for(config_body, **run_options)``: an Agent on a DummyHands player."""
    DBusGMainLoop(set_as_default=True)
    made: list[Agent] = []

    def make(body: str = "sensing: off", **options) -> tuple[Agent, DummyHands]:
        config = load_config(make_config(annotated_library, "notifications: no\n" + body))
        hands = DummyHands()
        agent = Agent(config, RunOptions(**options), StateStore(),
                      dbus.bus.BusConnection(session_bus), hands)
        hands.start(agent.on_player_event)
        made.append(agent)
        return agent, hands

    yield make
    for agent in made:
        agent.shutdown()
