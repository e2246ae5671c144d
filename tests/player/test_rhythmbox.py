"""Rhythmbox under Xvfb on a private bus: its own play queue (org.gnome.Rhythmbox3)."""

from __future__ import annotations

import pytest

from moodplayer.player import to_uri

from .conftest import Control, assert_plays_next, spin, start_rhythmbox, watched

pytestmark = pytest.mark.players


def test_rhythmbox_plays_the_queued_track_next(bus, procs, tracks, tmp_path):
    start_rhythmbox(procs, bus, tmp_path / "home")
    manager, recorder = watched(bus)
    control = Control(bus, "rhythmbox")
    try:
        assert spin(lambda: recorder.appeared, 15), "Rhythmbox was not discovered"
        assert recorder.appeared[0][1] == "rhythmbox"
        control.player("OpenUri", to_uri(tracks["long_a"]))
        assert spin(lambda: control.url() == to_uri(tracks["long_a"]), 10)
        assert_plays_next(manager, recorder, control, [tracks["short"]], tracks["long_a"])
        assert not recorder.kinds("skipped")
    finally:
        control.close()
        manager.stop()


def test_rhythmbox_takes_a_queued_track_out(bus, procs, tracks, tmp_path):
    start_rhythmbox(procs, bus, tmp_path / "home")
    manager, recorder = watched(bus)
    control = Control(bus, "rhythmbox")
    try:
        assert spin(lambda: recorder.appeared, 15), "Rhythmbox was not discovered"
        control.player("OpenUri", to_uri(tracks["long_a"]))
        assert spin(lambda: control.url() == to_uri(tracks["long_a"]), 10)
        manager.enqueue([tracks["short"], tracks["odd"]])
        assert spin(lambda: recorder.results, 5)
        answers = []
        manager.remove([tracks["short"]], done=lambda removed, why: answers.append(removed))
        assert spin(lambda: answers, 5)
        assert answers == [(to_uri(tracks["short"]),)]
        assert spin(lambda: control.url() == to_uri(tracks["odd"]), 15)  # short is gone
    finally:
        control.close()
        manager.stop()
