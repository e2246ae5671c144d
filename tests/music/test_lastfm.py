"""pylast against a fake Last.fm on 127.0.0.1 speaking Last.fm's XML: tags, cache, faults."""

from __future__ import annotations

import logging

import pytest

from moodplayer.exceptions import ConfigError
from moodplayer.music.lastfm import LastFmClient, LastFmSettings


@pytest.fixture
def make_client(fake_lastfm, tmp_path):
    clients = []

    def make(**overrides) -> LastFmClient:
        settings = LastFmSettings(api_key="testkey", server=fake_lastfm.url, backoff=0.01,
                                  cache_path=tmp_path / "lastfm.sqlite", **overrides)
        client = LastFmClient(settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_track_tags_strongest_first_weak_dropped(fake_lastfm, make_client):
    fake_lastfm.track_tags[("grey harbour", "empty rooms")] = [
        ("sad", 100), ("indie", 60), ("melancholy", 40), ("seen live", 3)]
    tags = make_client().track_tags("Grey Harbour", "Empty Rooms")
    assert tags.source == "track"
    assert tags.names == ["sad", "indie", "melancholy"]
    sent = fake_lastfm.requests[0]
    assert sent["method"] == "track.getTopTags"
    assert sent["api_key"] == "testkey"


def test_artist_tags_when_the_track_has_none(fake_lastfm, make_client):
    fake_lastfm.artist_tags["voltage kids"] = [("energetic", 100), ("electronic", 80)]
    tags = make_client().track_tags("Voltage Kids", "Unknown Song")
    assert tags.source == "artist"
    assert tags.names == ["energetic", "electronic"]
    assert [r["method"] for r in fake_lastfm.requests] == ["track.getTopTags",
                                                           "artist.getTopTags"]


def test_cache_makes_reruns_free(fake_lastfm, make_client):
    fake_lastfm.track_tags[("a", "b")] = [("happy", 100)]
    first = make_client().track_tags("A", "B")
    asked = len(fake_lastfm.requests)
    second_client = make_client()  # a later run: same cache file
    assert second_client.track_tags("a", "b") == first
    assert len(fake_lastfm.requests) == asked
    assert second_client.requests == 0


def test_service_error_retries_then_warns_once_and_goes_on(fake_lastfm, make_client, caplog):
    fake_lastfm.error_code = 11  # Service Offline
    client = make_client(retries=2)
    with caplog.at_level(logging.WARNING, logger="moodplayer.music.lastfm"):
        first = client.track_tags("A", "B")
        second = client.track_tags("C", "D")
    assert first.names == [] and second.names == []
    assert len(fake_lastfm.requests) == 3  # one try and two retries, then offline
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0] and "without crowd tags" in warnings[0]


def test_timeout_is_a_warning_not_a_failure(fake_lastfm, make_client, caplog):
    fake_lastfm.delay = 3.0
    client = make_client(timeout=0.3, retries=0)
    with caplog.at_level(logging.WARNING, logger="moodplayer.music.lastfm"):
        tags = client.track_tags("Slow", "Server")
    assert tags.names == []
    assert client.offline
    assert any("unreachable" in r.getMessage() for r in caplog.records)


def test_nothing_listening_is_offline(caplog):
    client = LastFmClient(LastFmSettings(api_key="k", server="http://127.0.0.1:9/2.0/",
                                         retries=0, cache_path=None))
    try:
        with caplog.at_level(logging.WARNING, logger="moodplayer.music.lastfm"):
            assert client.track_tags("A", "B").names == []
    finally:
        client.close()
    assert "unreachable" in caplog.text


def test_failed_lookups_are_not_cached(fake_lastfm, make_client):
    fake_lastfm.error_code = 11
    make_client(retries=0).track_tags("A", "B")
    fake_lastfm.error_code = None
    fake_lastfm.track_tags[("a", "b")] = [("happy", 90)]
    assert make_client().track_tags("A", "B").names == ["happy"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [({"api_key": ""}, "api_key"), ({"rate": 50.0}, "rate"), ({"server": "ftp://x"}, "server")])
def test_bad_settings_are_named(overrides, named):
    settings = {"api_key": "k", **overrides}
    with pytest.raises(ConfigError, match=named):
        LastFmSettings(**settings).validated()
