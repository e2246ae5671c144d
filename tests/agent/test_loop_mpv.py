"""The whole loop with real parts: the agent (a real `moodplayer run` process) steering a
real headless mpv (mpv-mpris) on a private session bus, with a scripted mood sequence
standing in for the camera (labelled "scripted" in everything it stores)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from moodplayer.agent.store import StateStore
from moodplayer.testing import Control, PrivateBus, Processes, start_mpv

pytestmark = pytest.mark.players


class Mpv:
    """A headless mpv with the MPRIS plugin and a JSON IPC socket, on ``bus``."""

    def __init__(self, bus: PrivateBus, procs: Processes, socket: Path) -> None:
        self.bus, self.procs, self.socket = bus, procs, socket
        self.proc: subprocess.Popen | None = None

    def start(self, *files: Path) -> None:
        self.proc = start_mpv(self.procs, self.bus, self.socket, *files)

    def stop(self) -> None:
        if self.proc is not None:
            self.procs.stop(self.proc, 10)

    def press_next(self) -> None:
        """What a user skipping a track does."""
        control = Control(self.bus, "mpv")
        control.player("Next")
        control.close()


@pytest.fixture
def mpv(tmp_path: Path, private_bus: PrivateBus, procs: Processes):
    player = Mpv(private_bus, procs, tmp_path / "mpv.sock")
    yield player
    player.stop()


def _store_has(predicate) -> bool:
    with StateStore() as store:
        return predicate(store)


def _own_track(library: Path) -> Path:
    """A track the user plays themselves before the agent steps in."""
    return sorted((library / "music").rglob("*.ogg"))[0]


def _config(make_config, library: Path, socket: Path) -> Path:
    return make_config(library, f"players: [mpv]\nmpv_socket: {socket}\nqueue_length: 2\n"
                                "notifications: no")


def test_queue_follows_the_scripted_mood_and_skips_are_heard(
        make_config, annotated_library, mpv, start_agent, wait_for):
    mpv.start(_own_track(annotated_library))  # the user is listening to something
    config = _config(make_config, annotated_library, mpv.socket)
    agent = start_agent("--config", str(config), "--mood-script", "happy:10,sad:120")
    # The agent queues happy music after the user's track ...
    assert wait_for(lambda: _store_has(lambda s: len(s.decisions()) == 2))
    with StateStore() as store:
        assert {d.target for d in store.decisions()} == {"happy"}
        assert all(m.source == "scripted" for m in store.moods())
        happy = {d.path for d in store.decisions()}
    mpv.press_next()  # ... the user skips their own track, and a happy one plays
    assert wait_for(lambda: _store_has(lambda s: any(
        f.kind == "started" and f.path in happy for f in s.feedback())))
    with StateStore() as store:
        first = next(f.path for f in store.feedback() if f.path in happy)
    mpv.press_next()  # skipped a few seconds in: the agent hears it
    assert wait_for(lambda: _store_has(
        lambda s: any(f.kind == "skipped" and f.path == first for f in s.feedback())))
    # The script turns sad: sad music is queued right after the playing track ...
    assert wait_for(lambda: _store_has(
        lambda s: any(d.target == "sad" for d in s.decisions())), 40)
    mpv.press_next()
    # ... and is what plays next.
    assert wait_for(lambda: _store_has(lambda s: any(
        f.kind == "started" and f.path in {d.path for d in s.decisions() if d.target == "sad"}
        for f in s.feedback())), 40)
    with StateStore() as store:
        sad = [d for d in store.decisions() if d.target == "sad"]
        assert all("sad" in d.reason or d.reason for d in sad)
        assert store.moods()[-1].mood == "sad"
    agent.terminate()
    assert agent.wait(30) == 0
    log = agent.log_path.read_text()
    assert "heard: skipped" in log and "scripted" in log


def test_waits_quietly_for_a_player_and_carries_on_after_a_restart(
        make_config, annotated_library, mpv, start_agent, wait_for, moodplayer_cmd):
    config = _config(make_config, annotated_library, mpv.socket)
    agent = start_agent("--config", str(config), "--mood-script", "calm:300")
    status = subprocess.run([*moodplayer_cmd, "status"], capture_output=True, text=True,
                            timeout=30, check=True).stdout
    assert "player: none" in status
    mpv.start(_own_track(annotated_library))  # a player appears: the agent steers it
    assert wait_for(lambda: _store_has(lambda s: any(f.kind == "started" for f in s.feedback())))
    mpv.stop()  # the player quits ...
    with StateStore() as store:
        before = len(store.decisions())
    mpv.start(_own_track(annotated_library))  # ... and comes back
    assert wait_for(lambda: _store_has(lambda s: len(s.decisions()) > before), 40)
    assert wait_for(lambda: _store_has(
        lambda s: sum(f.kind == "started" for f in s.feedback()) >= 2), 40)
    assert agent.poll() is None
    log = agent.log_path.read_text()
    assert "WARNING" not in log.split("steering mpv", 1)[0]  # quiet while it waited
    assert "Traceback" not in log
