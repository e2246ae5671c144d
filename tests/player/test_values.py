"""Player identities, URIs and metadata quirks (no bus needed)."""

from __future__ import annotations

import dbus
import pytest

from moodplayer.player import PlayerName, to_uri
from moodplayer.player.identity import rank
from moodplayer.player.metadata import parse_metadata
from moodplayer.tracks import local_path


def name(instance: str) -> PlayerName:
    value = PlayerName.from_bus_name(f"org.mpris.MediaPlayer2.{instance}")
    assert value is not None
    return value


def test_identity_matches_like_playerctl():
    vlc = name("vlc.instance123")
    assert (vlc.name, vlc.instance) == ("vlc", "vlc.instance123")
    assert vlc.matches("vlc") and vlc.matches("%any") and vlc.matches("vlc.instance123")
    assert not vlc.matches("vl") and not name("vlcx").matches("vlc")
    assert PlayerName.from_bus_name("org.gnome.Rhythmbox3") is None


@pytest.mark.parametrize("priority, ignore, expected", [
    pytest.param((), (), {"vlc": 0, "mpv": 0}, id="empty-is-any"),
    pytest.param(("mpv", "%any"), (), {"vlc": 1, "mpv": 0}, id="mpv-first"),
    pytest.param(("mpv",), (), {"vlc": None, "mpv": 0}, id="only-mpv"),
    pytest.param(("%any",), ("vlc",), {"vlc": None, "mpv": 0}, id="ignored"),
])
def test_priority_and_ignore(priority, ignore, expected):
    assert {n: rank(name(n), priority, ignore) for n in expected} == expected


def test_file_uris_are_escaped_and_round_trip(tmp_path):
    path = tmp_path / "odd #1 é%20&?.ogg"
    path.write_bytes(b"")
    uri = to_uri(path)
    assert uri.startswith("file:///") and " " not in uri and "#" not in uri.split("//", 1)[1]
    assert "%2520" in uri  # a literal "%20" in the name is escaped, not taken as a space
    assert local_path(uri) == str(path)
    assert to_uri("spotify:track:4uLU6hMCjMI75M1A2tKUQC") == "spotify:track:4uLU6hMCjMI75M1A2tKUQC"


def test_metadata_quirks():
    key, track = parse_metadata({
        "mpris:trackid": dbus.String("/org/mpris/MediaPlayer2/Track/3"),  # Rhythmbox: a string
        "mpris:length": dbus.UInt64(8_000_000),
        "xesam:url": "file:///music/a%20b.ogg",
        "xesam:artist": ["A", "B"],
        "xesam:title": "T",
    })
    assert track.path == "/music/a b.ogg" and track.length_s == 8.0
    assert track.artist == "A, B"
    _, spotify = parse_metadata({"mpris:trackid": dbus.ObjectPath(
        "/com/spotify/track/4uLU6hMCjMI75M1A2tKUQC"), "xesam:title": "x"})
    assert spotify.spotify_id == "4uLU6hMCjMI75M1A2tKUQC" and spotify.path is None
    _, old = parse_metadata({"mpris:trackid": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
                             "xesam:title": "x", "mpris:length": "bad"})
    assert old.spotify_id == "4uLU6hMCjMI75M1A2tKUQC" and old.length_s is None
    assert parse_metadata("nonsense") is None
    assert parse_metadata({"mpris:trackid": "/org/mpris/MediaPlayer2/TrackList/NoTrack"}) is None
    # mpv reuses trackids: the url tells tracks apart
    k1, _ = parse_metadata({"mpris:trackid": "/0", "xesam:url": "file:///a"})
    k2, _ = parse_metadata({"mpris:trackid": "/0", "xesam:url": "file:///b"})
    assert k1 != k2 and key != k1
