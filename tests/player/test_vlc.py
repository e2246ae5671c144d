"""VLC (libvlc with its D-Bus module) on a private bus: TrackList.AddTrack after current."""

from __future__ import annotations

import dbus
import pytest

from moodplayer.player import to_uri

from .conftest import Control, assert_plays_next, spin, start_vlc, watched

pytestmark = pytest.mark.players

APPEND = dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/Append")


@pytest.fixture
def vlc_setup(bus, procs, tracks):
    """VLC playing the 8 s track, a manager, and a user's control."""
    proc = start_vlc(procs, bus)
    control = Control(bus, "vlc")
    control.obj.AddTrack(to_uri(tracks["long_a"]), APPEND, True,
                         dbus_interface="org.mpris.MediaPlayer2.TrackList")
    manager, recorder = watched(bus)
    assert spin(lambda: recorder.appeared), "VLC was not discovered"
    assert spin(lambda: control.url() == to_uri(tracks["long_a"]))
    yield manager, recorder, control, proc
    control.close()
    manager.stop()


def test_vlc_plays_the_enqueued_track_next(vlc_setup, tracks):
    manager, recorder, control, _ = vlc_setup
    assert recorder.appeared[0][1] == "tracklist"
    assert spin(lambda: manager.player("vlc").tracker.track is not None)
    assert_plays_next(manager, recorder, control, [tracks["odd"], tracks["short"]],
                      tracks["long_a"])
    # The order is kept: the second enqueued track follows the first.
    assert spin(lambda: control.url() == to_uri(tracks["short"]), 10)
    assert not recorder.kinds("skipped"), "VLC's spurious Seeked must not count as a skip"


def test_vlc_next_at_two_seconds_is_a_skip(vlc_setup, tracks):
    manager, recorder, control, _ = vlc_setup
    assert spin(lambda: manager.player("vlc").tracker.track is not None)
    manager.enqueue([tracks["short"]])
    assert spin(lambda: recorder.results)
    control.player("Seek", dbus.Int64(-60_000_000))  # back to the start, however slow startup was
    spin(lambda: False, 2.0)  # the user listens for two seconds, then presses Next
    control.player("Next")
    assert spin(lambda: recorder.kinds("skipped"), 5), recorder.events
    skip = recorder.kinds("skipped")[0]
    assert skip.track.path == str(tracks["long_a"])
    assert skip.position_s < 4.0 and skip.length_s == pytest.approx(8, abs=0.5), skip
    def started() -> list[str | None]:
        return [e.track.path for e in recorder.kinds("started")]
    assert spin(lambda: str(tracks["short"]) in started(), 5)
    spin(lambda: False, 1.0)  # VLC re-emits Metadata; give the repeats time to arrive
    assert started().count(str(tracks["short"])) == 1, recorder.events


def test_vlc_takes_an_upcoming_track_out(vlc_setup, tracks):
    manager, recorder, control, _ = vlc_setup
    assert spin(lambda: manager.player("vlc").tracker.track is not None)
    manager.enqueue([tracks["short"], tracks["odd"]])
    assert spin(lambda: recorder.results)
    answers = []
    manager.remove([tracks["short"]], done=lambda removed, why: answers.append((removed, why)))
    assert spin(lambda: answers, 5)
    assert answers == [((to_uri(tracks["short"]),), "")]
    assert control.url() == to_uri(tracks["long_a"]), "the playing track was touched"
    assert spin(lambda: control.url() == to_uri(tracks["odd"]), 15)  # short is gone
