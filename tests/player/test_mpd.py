"""MPD (null output) behind mpDris2 on a private bus: queueing through the MPD protocol."""

from __future__ import annotations

import mpd
import pytest

from moodplayer.player import BackendSettings, to_uri
from moodplayer.testing import start_mpd, start_mpdris2

from .conftest import spin, upcoming, watched

pytestmark = pytest.mark.players


def test_mpd_plays_the_inserted_track_next(bus, procs, tracks, tmp_path):
    socket = start_mpd(procs, tmp_path / "mpd")
    user = mpd.MPDClient()
    user.connect(str(socket))
    for name in ("long_a", "long_b"):
        user.add(f"file://{tracks[name]}")
    user.play(0)
    start_mpdris2(procs, bus, socket, tmp_path)
    manager, recorder = watched(bus, settings=BackendSettings(mpd_host=str(socket)))
    try:
        assert spin(lambda: recorder.appeared, 10), "mpDris2 was not discovered"
        assert recorder.appeared[0][1] == "mpd"
        manager.enqueue([tracks["odd"]])
        assert spin(lambda: recorder.results, 5)
        assert recorder.results[-1].status == "queued", recorder.results[-1]
        assert manager.queue_length() == 2  # the new track, then long_b
        assert user.currentsong()["file"].endswith("long a.ogg"), "interrupted"

        def current() -> str:
            return user.currentsong().get("file", "")
        assert spin(lambda: current().endswith(tracks["odd"].name), 15)
    finally:
        user.disconnect()
        manager.stop()


def test_mpd_takes_an_upcoming_song_out(bus, procs, tracks, tmp_path):
    socket = start_mpd(procs, tmp_path / "mpd")
    user = mpd.MPDClient()
    user.connect(str(socket))
    user.add(f"file://{tracks['long_a']}")
    user.play(0)
    start_mpdris2(procs, bus, socket, tmp_path)
    manager, recorder = watched(bus, settings=BackendSettings(mpd_host=str(socket)))
    try:
        assert spin(lambda: recorder.appeared, 10), "mpDris2 was not discovered"
        manager.enqueue([tracks["short"]])
        assert spin(lambda: recorder.results, 5)
        manager.enqueue([tracks["odd"]], after=tracks["short"])
        assert spin(lambda: len(recorder.results) == 2, 5)
        answers = []
        manager.remove([tracks["short"]], done=lambda removed, why: answers.append(removed))
        assert spin(lambda: answers, 5)
        assert answers == [(to_uri(tracks["short"]),)]
        files = [song["file"] for song in user.playlistinfo()]
        assert [f.rsplit("/", 1)[-1] for f in files] == [tracks["long_a"].name,
                                                        tracks["odd"].name]
        assert upcoming(manager) == [str(tracks["odd"])]
    finally:
        user.disconnect()
        manager.stop()
