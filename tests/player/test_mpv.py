"""mpv with mpv-mpris and its JSON IPC on a private bus: queueing and feedback."""

from __future__ import annotations

from pathlib import Path

import dbus
import pytest

from moodplayer.player import BackendSettings, to_uri

from .conftest import Control, assert_plays_next, spin, start_mpv, watched

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
