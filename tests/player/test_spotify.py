"""Spotify's backend against a stand-in service (Spotify's client is proprietary).

The stand-in (standin.py) copies Spotify's documented MPRIS behaviour: OpenUri replaces
what plays, no queue, ``/com/spotify/track/ID`` trackids, uint64 lengths, Position 0.
"""

from __future__ import annotations

import pytest

from moodplayer.player import TrackRef

from .conftest import Control, spin, start_standin, watched

pytestmark = pytest.mark.players

FIRST = "4uLU6hMCjMI75M1A2tKUQC"
CHOSEN = "7GhIk7Il098yCjg4BQjzvb"


def opened(control: Control) -> list[str]:
    """What the stand-in was asked to open, in order."""
    return [str(u) for u in control.obj.Opened(dbus_interface="org.mpris.MediaPlayer2.Player")]


def test_spotify_track_opens_only_when_the_current_one_ends(bus, procs):
    start_standin(procs, bus, "spotify", length_s=4.0)
    control = Control(bus, "spotify")
    control.player("OpenUri", f"spotify:track:{FIRST}")  # the user plays something
    manager, recorder = watched(bus)
    try:
        assert spin(lambda: recorder.appeared)
        assert recorder.appeared[0][1] == "spotify"
        manager.enqueue([TrackRef(spotify_id=CHOSEN, title="chosen")])
        assert spin(lambda: recorder.results)
        assert recorder.results[-1].status == "deferred"
        assert manager.queue_length() == 1
        spin(lambda: False, 1.5)
        assert opened(control) == [f"spotify:track:{FIRST}"], "the playing track was replaced"
        assert spin(lambda: len(opened(control)) == 2, 6)
        assert opened(control)[1] == f"spotify:track:{CHOSEN}"
        assert spin(lambda: recorder.kinds("played"), 3)
        played = recorder.kinds("played")[0]
        assert played.track.spotify_id == FIRST and played.length_s == pytest.approx(4.0)
        assert not recorder.kinds("skipped")
    finally:
        control.close()
        manager.stop()


def test_a_local_file_is_not_sent_to_spotify(bus, procs, tracks):
    start_standin(procs, bus, "spotify")
    manager, recorder = watched(bus)
    control = Control(bus, "spotify")
    try:
        assert spin(lambda: recorder.appeared)
        manager.enqueue([tracks["short"]])
        assert spin(lambda: recorder.results)
        assert recorder.results[-1].status == "waiting"  # kept for a player that can play it
        assert manager.waiting() == 1
        assert opened(control) == []
    finally:
        control.close()
        manager.stop()


def test_next_early_on_spotify_is_a_skip(bus, procs):
    start_standin(procs, bus, "spotify", length_s=8.0)
    control = Control(bus, "spotify")
    manager, recorder = watched(bus)
    try:
        assert spin(lambda: recorder.appeared)
        control.player("OpenUri", f"spotify:track:{FIRST}")
        assert spin(lambda: recorder.kinds("started"))
        spin(lambda: False, 2.0)
        control.player("Next")
        assert spin(lambda: recorder.kinds("skipped"), 3)
        skip = recorder.kinds("skipped")[0]
        assert 1.0 < skip.position_s < 4.0 and skip.length_s == pytest.approx(8.0)
        assert isinstance(skip.track.spotify_id, str)
    finally:
        control.close()
        manager.stop()




def test_a_held_track_can_be_taken_out_before_it_opens(bus, procs):
    start_standin(procs, bus, "spotify", length_s=3.0)
    control = Control(bus, "spotify")
    control.player("OpenUri", f"spotify:track:{FIRST}")
    manager, recorder = watched(bus)
    try:
        assert spin(lambda: recorder.appeared)
        other = "0VjIjW4GlUZAMYd2vXMi3b"
        manager.enqueue([TrackRef(spotify_id=CHOSEN), TrackRef(spotify_id=other)])
        assert spin(lambda: recorder.results)
        answers = []
        manager.remove([TrackRef(spotify_id=CHOSEN)],
                       done=lambda removed, why: answers.append((removed, why)))
        assert answers == [((f"spotify:track:{CHOSEN}",), "")]
        assert manager.queue_length() == 1
        assert spin(lambda: len(opened(control)) == 2, 6)
        assert opened(control)[1] == f"spotify:track:{other}"
    finally:
        control.close()
        manager.stop()
