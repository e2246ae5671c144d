"""Faults: players that do not answer, refuse, quit, restart, come twice; bad metadata;
files that cannot be opened; the session bus going away. Nothing crashes or blocks, one
log line says what happened, and the tracks still reach a player."""

from __future__ import annotations

import logging

import pytest

from moodplayer.player import BackendSettings, PlayerManager, TrackRef, to_uri
from moodplayer.testing.players import MPV_MPRIS

from .conftest import (
    Control,
    Recorder,
    player_env,
    require,
    spin,
    start_mpv,
    start_standin,
    watched,
)

pytestmark = pytest.mark.players

TRACK = "7GhIk7Il098yCjg4BQjzvb"


def managed(bus, **kwargs) -> tuple[PlayerManager, Recorder]:
    """A started manager with short timeouts, and its recorder."""
    return watched(bus, timeout_s=0.5, **kwargs)


@pytest.mark.parametrize("mode, reason", [
    pytest.param("silent", "no answer", id="no-answer"),
    pytest.param("error", "stand-in refuses", id="error"),
])
def test_a_broken_player_hands_the_track_to_the_next(bus, procs, tracks, tmp_path, caplog,
                                                     mode, reason):
    caplog.set_level(logging.WARNING)
    start_standin(procs, bus, "broken", mode=mode)
    socket = tmp_path / "mpv.sock"
    start_mpv(procs, bus, socket)
    control = Control(bus, "mpv")
    control.player("Pause")  # nothing plays: the broken player is first in priority
    control.close()
    manager, recorder = managed(bus, priority=["broken", "mpv"],
                                settings=BackendSettings(mpv_socket=socket, timeout_s=0.5))
    try:
        assert spin(lambda: len(recorder.appeared) == 2, 5)
        assert spin(lambda: str(manager.active()) == "broken", 3)
        manager.enqueue([tracks["short"]])
        assert spin(lambda: any(r.status == "queued" for r in recorder.results), 5)
        final = next(r for r in recorder.results if r.status == "queued")
        assert final.player == "mpv"
        assert any(reason in r.getMessage() and "broken" in r.getMessage()
                   for r in caplog.records)
    finally:
        manager.stop()


def test_player_quits_with_held_tracks_and_gets_them_when_it_returns(bus, procs, caplog):
    caplog.set_level(logging.INFO)
    proc = start_standin(procs, bus, "spotify", length_s=30)
    manager, recorder = managed(bus)
    try:
        assert spin(lambda: recorder.appeared)
        control = Control(bus, "spotify")
        control.player("OpenUri", "spotify:track:4uLU6hMCjMI75M1A2tKUQC")
        control.close()
        assert spin(lambda: recorder.kinds("started"))
        manager.enqueue([TrackRef(spotify_id=TRACK)])
        assert spin(lambda: recorder.results)
        procs.kill(proc)
        assert spin(lambda: recorder.vanished, 5)
        assert manager.waiting() == 1, "the queue intent was dropped"
        assert any("still to play" in r.getMessage() for r in caplog.records)
        start_standin(procs, bus, "spotify")  # restarted: a new connection
        control = Control(bus, "spotify")
        assert spin(lambda: manager.waiting() == 0 and len(recorder.appeared) == 2, 5)
        assert spin(lambda: f"spotify:track:{TRACK}" in [
            str(u) for u in control.obj.Opened(dbus_interface="org.mpris.MediaPlayer2.Player")],
            5)
        control.close()
    finally:
        manager.stop()


def test_two_instances_are_two_players_and_the_playing_one_is_active(bus, procs):
    start_standin(procs, bus, "spotify")
    start_standin(procs, bus, "spotify.instance2")
    manager, recorder = managed(bus, priority=["spotify"])
    try:
        assert spin(lambda: len(recorder.appeared) == 2, 5)
        control = Control(bus, "spotify.instance2")
        control.player("OpenUri", f"spotify:track:{TRACK}")
        control.close()
        assert spin(lambda: str(manager.active()) == "spotify.instance2", 5)
    finally:
        manager.stop()


def test_duplicate_bus_names_of_one_mpv_are_one_player(bus, procs, tracks, tmp_path):
    # Without --no-config, Debian's mpv autoloads mpv-mpris from /etc/mpv/scripts, and
    # --script loads it again: two bus names, one connection.
    require("mpv")
    procs.start(["mpv", f"--script={MPV_MPRIS}", "--no-video", "--ao=null",
                 "--idle=yes", "--no-terminal", str(tracks["short"])],
                env=player_env(bus, HOME=str(tmp_path)))
    bus.wait_for("org.mpris.MediaPlayer2.mpv")
    manager, recorder = managed(bus)
    try:
        assert spin(lambda: recorder.kinds("played"), 8)
        spin(lambda: False, 0.5)
        assert len(manager.players()) == 1, manager.players()
        assert len(recorder.kinds("started")) == 1
    finally:
        manager.stop()


def test_malformed_metadata_is_logged_and_ignored(bus, procs, caplog):
    caplog.set_level(logging.WARNING)
    start_standin(procs, bus, "spotify", mode="malformed")
    manager, recorder = managed(bus)
    try:
        assert spin(lambda: recorder.appeared)
        assert spin(lambda: any("malformed" in r.getMessage() for r in caplog.records), 3)
        spin(lambda: False, 0.5)
        assert manager.active() is not None  # still followed
    finally:
        manager.stop()


def test_a_file_that_cannot_be_opened_is_reported_and_the_rest_queued(bus, procs, tracks,
                                                                      tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    socket = tmp_path / "mpv.sock"
    start_mpv(procs, bus, socket, tracks["long_a"])
    manager, recorder = managed(bus, settings=BackendSettings(mpv_socket=socket))
    try:
        assert spin(lambda: recorder.appeared)
        missing = tmp_path / "gone.ogg"
        manager.enqueue([missing, tracks["short"]])
        assert spin(lambda: any(r.status == "queued" for r in recorder.results), 5)
        queued = next(r for r in recorder.results if r.status == "queued")
        assert queued.refused == ((str(missing), "no such file"),)
        assert queued.uris == (to_uri(tracks["short"]),)
        assert [r.getMessage() for r in caplog.records if str(missing) in r.getMessage()] == [
            f"cannot queue {missing}: no such file"]
    finally:
        manager.stop()


def test_session_bus_going_away_and_coming_back(bus, procs, tracks, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    socket = tmp_path / "mpv.sock"
    mpv = start_mpv(procs, bus, socket, tracks["long_a"])
    manager = PlayerManager(address=bus.address, timeout_s=0.5)  # it owns its connection
    recorder = Recorder()
    manager.add_listener(recorder)
    manager.start()
    try:
        assert spin(lambda: recorder.appeared)
        procs.kill(mpv)
        bus.stop()
        assert spin(lambda: any("went away" in r.getMessage() for r in caplog.records), 5)
        assert recorder.vanished
        manager.enqueue([tracks["short"]])  # kept while there is no bus
        assert manager.waiting() == 1
        bus.start()
        start_mpv(procs, bus, socket, tracks["long_a"])
        assert spin(lambda: len(recorder.appeared) == 2, 10), "not rediscovered"
        assert spin(lambda: manager.waiting() == 0, 5)
    finally:
        manager.stop()
