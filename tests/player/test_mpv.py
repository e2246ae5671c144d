"""mpv with mpv-mpris and its JSON IPC on a private bus: queueing and feedback."""

from __future__ import annotations

from pathlib import Path

import dbus
import pytest

from moodplayer.player import BackendSettings, PlayerManager, to_uri
from moodplayer.testing import mpv_command

from .conftest import Control, Recorder, assert_plays_next, spin, start_mpv, upcoming, watched

pytestmark = pytest.mark.players


@pytest.fixture
def mpv_setup(bus, procs, tracks, tmp_path: Path):
    """mpv playing the 8 s track, a manager with the IPC socket, and a user's control."""
    socket = tmp_path / "mpv.sock"
    proc = start_mpv(procs, bus, socket, tracks["long_a"])
    manager, recorder = watched(bus, settings=BackendSettings(mpv_socket=socket))
    assert spin(lambda: recorder.appeared), "mpv was not discovered"
    control = Control(bus, "mpv")
    assert spin(lambda: control.url() == to_uri(tracks["long_a"]))
    yield manager, recorder, control, proc
    control.close()
    manager.stop()


def test_enqueued_track_plays_next_without_interrupting(mpv_setup, tracks):
    manager, recorder, control, _ = mpv_setup
    assert recorder.appeared[0][1] == "mpv"
    assert_plays_next(manager, recorder, control, [tracks["odd"]], tracks["long_a"])


def test_next_early_is_a_skip_and_an_ending_track_is_played(mpv_setup, tracks):
    manager, recorder, control, _ = mpv_setup
    manager.enqueue([tracks["short"]])
    assert spin(lambda: recorder.results)
    control.player("Seek", dbus.Int64(-60_000_000))  # back to the start, however slow startup was
    spin(lambda: False, 2.0)  # the user listens for two seconds, then presses Next
    control.player("Next")
    assert spin(lambda: recorder.kinds("skipped"), 5)
    skip = recorder.kinds("skipped")[0]
    assert skip.track.path == str(tracks["long_a"])
    assert 1.0 < skip.position_s < 4.0 and skip.length_s == pytest.approx(8, abs=0.5)
    # The 3 s track then ends by itself: played.
    assert spin(lambda: recorder.kinds("played"), 10)
    assert recorder.kinds("played")[0].track.path == str(tracks["short"])


def _mpv_playlist(socket: Path) -> list[str]:
    """mpv's playlist filenames (what the user sees in its playlist)."""
    return [entry["filename"] for entry in mpv_command(socket, "get_property", "playlist")]


def test_remove_takes_out_upcoming_entries_and_never_the_playing_one(mpv_setup, tracks,
                                                                       tmp_path):
    manager, recorder, control, _ = mpv_setup
    manager.enqueue([tracks["short"], tracks["odd"]])
    assert spin(lambda: recorder.results)
    assert manager.can_remove()
    answers = []
    manager.remove([tracks["short"], tracks["long_a"]],
                   done=lambda removed, why: answers.append((removed, why)))
    assert spin(lambda: answers)
    assert answers == [((to_uri(tracks["short"]),), "")]
    assert control.url() == to_uri(tracks["long_a"]), "the playing track was touched"
    assert _mpv_playlist(tmp_path / "mpv.sock") == [str(tracks["long_a"]), str(tracks["odd"])]


def test_enqueue_after_an_upcoming_entry_keeps_the_order(mpv_setup, tracks, tmp_path):
    manager, recorder, _, _ = mpv_setup
    manager.enqueue([tracks["short"]])
    assert spin(lambda: recorder.results)
    manager.enqueue([tracks["odd"]], after=tracks["short"])
    assert spin(lambda: len(recorder.results) == 2)
    assert _mpv_playlist(tmp_path / "mpv.sock") == [
        str(tracks["long_a"]), str(tracks["short"]), str(tracks["odd"])]
    assert upcoming(manager) == [str(tracks["short"]), str(tracks["odd"])]


class StatusRecorder(Recorder):
    """Also records playback status changes."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[str] = []

    def on_status(self, player, status) -> None:
        self.statuses.append(status)


def test_pause_and_play_are_reported_as_status(bus, procs, tracks, tmp_path):
    socket = tmp_path / "mpv.sock"
    start_mpv(procs, bus, socket, tracks["long_a"])
    manager = PlayerManager(bus.connect(), settings=BackendSettings(mpv_socket=socket))
    recorder = StatusRecorder()
    manager.add_listener(recorder)
    manager.start()
    control = Control(bus, "mpv")
    try:
        assert spin(lambda: recorder.appeared)
        control.player("Pause")
        assert spin(lambda: recorder.statuses == ["Paused"], 5), recorder.statuses
        control.player("Play")
        assert spin(lambda: recorder.statuses == ["Paused", "Playing"], 5)
    finally:
        control.close()
        manager.stop()


def test_a_track_played_through_at_three_times_speed_counts_as_played(mpv_setup, tmp_path):
    _, recorder, control, _ = mpv_setup
    mpv_command(tmp_path / "mpv.sock", "set_property", "speed", 3.0)
    control.player("Seek", dbus.Int64(-60_000_000))  # from the start: 8 s of music in ~2.7 s
    assert spin(lambda: recorder.kinds("played") or recorder.kinds("skipped"), 15)
    assert recorder.kinds("skipped") == [], recorder.events
    assert recorder.kinds("played")[0].position_s > 7.0


def test_a_track_started_from_idle_and_played_through_counts_as_played(bus, procs, tracks,
                                                                       tmp_path):
    # mpv-mpris often says Stopped all along for a track loaded into an idle mpv (a race
    # inside the plugin): three times, so that it shows.
    socket = tmp_path / "mpv.sock"
    start_mpv(procs, bus, socket)
    manager, recorder = watched(bus, settings=BackendSettings(mpv_socket=socket))
    try:
        assert spin(lambda: recorder.appeared)
        for done in range(1, 4):
            mpv_command(socket, "loadfile", str(tracks["short"]))
            assert spin(lambda: len(recorder.kinds("played") + recorder.kinds("skipped"))
                        == done, 10)  # noqa: B023 - used at once
        assert recorder.kinds("skipped") == [], recorder.events
        assert all(e.position_s > 2.5 for e in recorder.kinds("played"))
    finally:
        manager.stop()
