"""MPD (null output) behind mpDris2 on a private bus: queueing through the MPD protocol."""

from __future__ import annotations

import mpd
import pytest

from moodplayer.player import BackendSettings

from .conftest import player_env, require, spin, start_mpd, watched

pytestmark = pytest.mark.players


def test_mpd_plays_the_inserted_track_next(bus, procs, tracks, tmp_path):
    socket = start_mpd(procs, tmp_path / "mpd")
    user = mpd.MPDClient()
    user.connect(str(socket))
    for name in ("long_a", "long_b"):
        user.add(f"file://{tracks[name]}")
    user.play(0)
    procs.start([require("mpDris2"), f"--host={socket}"],
                env=player_env(bus, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path)))
    bus.wait_for("org.mpris.MediaPlayer2.mpd")
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
