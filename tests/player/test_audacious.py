"""Audacious 4 headless on a private bus: its own queue interface (org.atheme.audacious)."""

from __future__ import annotations

import pytest

from moodplayer.player import to_uri

from .conftest import Control, assert_plays_next, spin, start_audacious, upcoming, watched

pytestmark = pytest.mark.players


def test_audacious_plays_the_inserted_track_next(bus, procs, tracks, tmp_path,
                                                 audacious_config):
    start_audacious(procs, bus, audacious_config, tmp_path / "home")
    control = Control(bus, "audacious")
    atheme = control.conn.get_object("org.atheme.audacious", "/org/atheme/audacious")
    atheme.AddUrl(to_uri(tracks["long_a"]), dbus_interface="org.atheme.audacious")
    atheme.AddUrl(to_uri(tracks["long_b"]), dbus_interface="org.atheme.audacious")
    # Audacious adds URLs in the background: play once both entries are in the playlist.
    assert spin(lambda: atheme.Length(dbus_interface="org.atheme.audacious") == 2, 10)
    control.player("Play")
    manager, recorder = watched(bus)
    try:
        assert spin(lambda: recorder.appeared, 10), "Audacious was not discovered"
        assert recorder.appeared[0][1] == "audacious"
        assert spin(lambda: control.url() == to_uri(tracks["long_a"]), 10)
        # Not long_b, which was next before: the enqueued track comes first.
        assert_plays_next(manager, recorder, control, [tracks["short"]], tracks["long_a"])
        assert not recorder.kinds("skipped"), "Audacious' constant trackid is no boundary"
    finally:
        control.close()
        manager.stop()


def test_audacious_takes_an_upcoming_track_out(bus, procs, tracks, tmp_path, audacious_config):
    start_audacious(procs, bus, audacious_config, tmp_path / "home")
    control = Control(bus, "audacious")
    atheme = control.conn.get_object("org.atheme.audacious", "/org/atheme/audacious")
    atheme.AddUrl(to_uri(tracks["long_a"]), dbus_interface="org.atheme.audacious")
    assert spin(lambda: atheme.Length(dbus_interface="org.atheme.audacious") == 1, 10)
    control.player("Play")
    manager, recorder = watched(bus)
    try:
        assert spin(lambda: recorder.appeared, 10), "Audacious was not discovered"
        assert spin(lambda: control.url() == to_uri(tracks["long_a"]), 10)
        manager.enqueue([tracks["short"]])
        manager.enqueue([tracks["odd"]], after=tracks["short"])
        assert spin(lambda: len(recorder.results) == 2, 5)
        answers = []
        manager.remove([tracks["short"]], done=lambda removed, why: answers.append(removed))
        assert spin(lambda: answers, 5)
        assert answers == [(to_uri(tracks["short"]),)]

        def names() -> list[str]:
            return [str(atheme.SongFilename(i, dbus_interface="org.atheme.audacious"))
                    for i in range(atheme.Length(dbus_interface="org.atheme.audacious"))]
        assert spin(lambda: len(names()) == 2, 5)
        assert [to_uri(t) for t in (tracks["long_a"], tracks["odd"])] == [
            to_uri(n) for n in names()]
        assert upcoming(manager) == [str(tracks["odd"])]
    finally:
        control.close()
        manager.stop()
