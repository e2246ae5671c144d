"""The queue as a user sees it in a real headless mpv steered by a real `moodplayer run`
process, on a private session bus that can be killed and restarted: the music keeps
going, the queue follows the mood, the playing track is known from the start."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from moodplayer.agent.store import StateStore
from moodplayer.testing import PrivateBus, Processes, mpv_command, player_env, start_mpv, tone
from moodplayer.tracks import track_id

pytestmark = pytest.mark.players

MOODPLAYER = str(Path(sys.executable).with_name("moodplayer"))


def _until(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(condition())


class Session:
    """The private session bus (restartable: it keeps its address), a headless mpv on it,
    and `moodplayer run`; everything started here is stopped at the end."""

    def __init__(self, root: Path, bus: PrivateBus, procs: Processes) -> None:
        self.root, self.bus, self.procs = root, bus, procs
        self.address = bus.address
        self.socket = root / "mpv.sock"
        self.agent: subprocess.Popen | None = None
        self.log = root / "agent.log"

    def start_bus(self) -> None:
        self.bus.start()

    def kill_bus(self) -> None:
        self.bus.stop()

    def start_mpv(self, *files: Path) -> subprocess.Popen:
        self.socket.unlink(missing_ok=True)
        proc = start_mpv(self.procs, self.bus, self.socket, *files)
        assert _until(lambda: self.playlist() is not None, 15), "mpv did not start"
        return proc

    def env(self) -> dict[str, str]:
        return player_env(self.bus)

    def run_agent(self, config: Path, *args: str) -> subprocess.Popen:
        self.agent = self.procs.start([MOODPLAYER, "-v", "run", "--config", str(config), *args],
                                      env=self.env(), stdout=self.log.open("w"),
                                      stderr=subprocess.STDOUT, text=True)
        assert _until(lambda: "agent running" in self.log.read_text()
                      or self.agent.poll() is not None), "the agent did not start"
        return self.agent

    def moodplayer(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([MOODPLAYER, *args], env=self.env(), capture_output=True,
                              text=True, timeout=30)

    def mpv(self, *command: object) -> object:
        """One mpv IPC command's data; None if mpv does not answer."""
        return mpv_command(self.socket, *command)

    def playlist(self) -> list[dict] | None:
        return self.mpv("get_property", "playlist")

    def upcoming(self) -> list[str]:
        """The filenames after the playing entry in mpv's playlist."""
        entries = self.playlist() or []
        current = next((i for i, e in enumerate(entries) if e.get("current")), -1)
        return [e["filename"] for e in entries[current + 1:]]

    def stop(self) -> None:
        for proc in reversed(self.procs.procs):
            self.procs.stop(proc)


@pytest.fixture
def session(tmp_path: Path, private_bus: PrivateBus, procs: Processes) -> Iterator[Session]:
    session = Session(tmp_path, private_bus, procs)
    yield session
    session.stop()


def _tracks(library: Path) -> list[Path]:
    return sorted((library / "music").rglob("*.ogg")) + sorted((library / "music").rglob("*.mp3"))


def _decisions() -> list:
    with StateStore() as store:
        return store.decisions()


def _config(make_config, library: Path, session: Session, body: str = "") -> Path:
    return make_config(library, f"players: [mpv]\nmpv_socket: {session.socket}\n"
                                f"queue_length: 2\nnotifications: no\n{body}")


def test_what_cannot_be_queued_is_skipped_and_the_player_kept_fed(
        session, make_config, annotated_library, tmp_path):
    own, *rest = _tracks(annotated_library)
    url = "http://127.0.0.1:9/stream.mp3"
    playlist = tmp_path / "evening.m3u"
    playlist.write_text("\n".join(["#EXTM3U", str(tmp_path / "gone.ogg"), url,
                                   *map(str, rest[:3])]) + "\n", encoding="utf-8")
    session.start_mpv(own)
    session.run_agent(_config(make_config, annotated_library, session,
                              f"sensing: off\ndefault_playlist: {playlist}"))
    # The URL stays a URL, the missing file is left out, and the next tracks are queued.
    assert _until(lambda: session.upcoming() == [url, str(rest[0])], 30), session.upcoming()
    log = session.log.read_text()
    assert f"cannot queue {tmp_path / 'gone.ogg'}" in log
    assert "http:/127.0.0.1" not in log.replace(url, "")
    assert [d.path for d in _decisions()] == [url, str(rest[0])]


def test_stale_picks_are_taken_out_and_the_queue_never_grows(
        session, make_config, annotated_library):
    own = _tracks(annotated_library)[0]
    session.start_mpv(own)
    agent = session.run_agent(_config(make_config, annotated_library, session),
                              "--mood-script", "happy:3,sad:3,happy:3,sad:3,calm:3,happy:3,"
                                               "sad:3,calm:30")
    samples: list[list[str]] = []
    deadline = time.monotonic() + 28
    while time.monotonic() < deadline:
        samples.append(session.upcoming())
        time.sleep(0.25)
    picks = {d.path for d in _decisions()}
    ours = [[f for f in upcoming if f in picks] for upcoming in samples]
    assert max(map(len, ours)) <= 3, ours  # queue_length 2, plus one
    # at the end, each waiting pick was chosen for calm, or kept as one calm would choose
    calm = {d.path for d in _decisions() if d.target == "calm"}
    log = session.log.read_text()
    kept = "\n".join(line for line in log.splitlines()
                     if "re-planning for calm: keeping" in line)
    assert ours[-1] and all(p in calm or p in kept for p in ours[-1]), (ours[-1], calm, kept)
    assert "taking out" in log
    assert agent.poll() is None


def test_the_track_playing_at_start_is_known_and_never_queued_again(
        session, make_config, annotated_library, tmp_path):
    own, *rest = _tracks(annotated_library)
    playlist = tmp_path / "evening.m3u"
    playlist.write_text("\n".join(map(str, [own, *rest[:3]])) + "\n", encoding="utf-8")
    session.start_mpv(own)
    session.run_agent(_config(make_config, annotated_library, session,
                              f"sensing: off\ndefault_playlist: {playlist}"))
    assert _until(lambda: len(_decisions()) == 2)
    status = session.moodplayer("status").stdout
    assert f"playing: {own}" in status, status
    liked = session.moodplayer("like")
    assert liked.returncode == 0 and str(own) in liked.stdout, liked.stdout + liked.stderr
    assert [d.path for d in _decisions()] == [str(rest[0]), str(rest[1])]
    assert own.as_posix() not in session.upcoming()


def test_a_player_started_after_the_agent_is_not_mistaken_for_the_user_taking_over(
        session, make_config, annotated_library, tmp_path):
    """The agent waits for a player; mpv starts with a library track. mpv is on the bus
    before it reports that track, so the agent queued the very track mpv was loading,
    took the user's copy starting for its own pick, and later said "you took over" about
    its own pick, backing off."""
    own, *rest = _tracks(annotated_library)
    playlist = tmp_path / "evening.m3u"
    playlist.write_text("\n".join(map(str, [own, *rest[:3]])) + "\n", encoding="utf-8")
    session.run_agent(_config(make_config, annotated_library, session,
                              f"sensing: off\ndefault_playlist: {playlist}"))
    session.start_mpv(own)
    assert _until(lambda: len(_decisions()) == 2), session.log.read_text()[-2000:]
    log = session.log.read_text()
    assert [d.path for d in _decisions()] == [str(rest[0]), str(rest[1])], log[-3000:]
    assert own.as_posix() not in session.upcoming()
    assert "you took over" not in log


def test_run_play_starts_an_idle_mpv_with_its_first_pick(session, make_config,
                                                         annotated_library, tmp_path):
    """mpv idles once its playlist has played out, and MPRIS Play does nothing there: with
    `run --play` the music used to stay silent (the picks only waited)."""
    played = tone(tmp_path / "played out.ogg", 1, 330)
    session.start_mpv(played)
    assert _until(lambda: session.mpv("get_property", "idle-active") is True, 15)
    session.run_agent(_config(make_config, annotated_library, session), "--play",
                      "--mood-script", "happy:120")
    assert _until(lambda: _decisions(), 30), session.log.read_text()[-2000:]
    first = track_id(_decisions()[0].path)
    assert _until(lambda: track_id(str(session.mpv("get_property", "path"))) == first, 15), \
        (session.mpv("get_property", "path"), first)
    assert session.mpv("get_property", "idle-active") is False


def test_the_agent_survives_the_session_bus_going_away(session, make_config,
                                                       annotated_library, tmp_path):
    own = tone(tmp_path / "own track.ogg", 300, 330)
    mpv = session.start_mpv(own)
    agent = session.run_agent(_config(make_config, annotated_library, session),
                              "--mood-script", "calm:600")
    assert _until(lambda: len(_decisions()) == 2)
    session.kill_bus()
    mpv.terminate()
    assert _until(lambda: "waiting for it to come back" in session.log.read_text(), 15)
    time.sleep(3)
    assert agent.poll() is None, session.log.read_text()[-2000:]
    session.start_bus()
    assert _until(lambda: session.moodplayer("status").returncode == 0, 20), \
        session.log.read_text()[-2000:]
    session.start_mpv(own)  # a player on the new bus: the agent steers it again
    assert _until(lambda: len(_decisions()) == 4, 30), session.log.read_text()[-2000:]
    agent.terminate()
    assert agent.wait(30) == 0
    log = session.log.read_text()
    assert "state flushed" in log and "Traceback" not in log


def test_a_restart_takes_back_its_own_waiting_picks(session, make_config, annotated_library,
                                                    tmp_path):
    """Four short runs against one mpv, the mood changing between them: each run finds
    the picks the one before left waiting, counts them as its own (keeping those that fit
    its mood, taking out the others), and never more than queue_length wait."""
    own = tone(tmp_path / "own track.ogg", 300, 330)  # the user's, playing all along
    session.start_mpv(own)
    config = _config(make_config, annotated_library, session)

    def ours() -> list[str]:
        picks = {d.path for d in _decisions()}
        return [f for f in map(track_id, session.upcoming()) if f in picks]

    for run, mood in enumerate(("calm", "happy", "calm", "happy")):
        agent = session.run_agent(config, "--mood-script", f"{mood}:600")

        def settled(mood: str = mood) -> bool:
            chosen = {d.path for d in _decisions() if d.target == mood}
            kept = "\n".join(line for line in session.log.read_text().splitlines()
                             if f"re-planning for {mood}: keeping" in line)
            waiting = ours()
            return len(waiting) == 2 and all(p in chosen or p in kept for p in waiting)

        assert _until(settled, 40), (run, mood, ours(), session.log.read_text()[-3000:])
        if run:
            assert "were queued by moodplayer before" in session.log.read_text()
        assert len(ours()) == 2, (run, ours())  # queue_length, nothing left behind
        assert "you took over" not in session.log.read_text()
        session.procs.stop(agent)
    assert session.mpv("get_property", "path") == str(own), "the user's track was touched"
