"""Last.fm taste signals, against a fake Last.fm on 127.0.0.1 answering in its own XML."""

from __future__ import annotations

import logging

from moodplayer.music.lastfm import LastFmSettings
from moodplayer.recommend import FeedbackStore, Recommender
from moodplayer.recommend.lastfm_signals import LastfmSignals
from moodplayer.testing import SERVICE_OFFLINE, FakeLastFm

from .conftest import music_of


def signals(fake: FakeLastFm) -> LastfmSignals:
    settings = LastFmSettings(api_key="test-key", server=fake.url, retries=0, backoff=0.0)
    return LastfmSignals(settings, "ann")


def top_pick(library, tmp_path, lastfm=None):
    with FeedbackStore(tmp_path / "fb.sqlite3") as store:
        rec = Recommender(library, store, directory=music_of(library), user="ann",
                          learning=False, lastfm=lastfm)
        return rec.suggest("happy", n=1)[0]


def test_top_artist_on_lastfm_lifts_their_tracks(library, tmp_path, fake_lastfm):
    before = top_pick(library, tmp_path)
    assert before.artist != "Bright Lights"
    fake_lastfm.top_artists = ["Bright Lights", "Someone Else"]
    fake_lastfm.top_tags = ["upbeat"]
    pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.artist == "Bright Lights"
    assert "one of your top artists on Last.fm" in pick.reason


def test_similar_artists_count_and_answers_are_cached(library, tmp_path, fake_lastfm):
    fake_lastfm.top_artists = ["Unheard Band"]
    fake_lastfm.similar = {"Unheard Band": [("Bright Lights", 0.9), ("Nobody", 0.5)]}
    pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.artist == "Bright Lights"
    assert "like artists you play on Last.fm" in pick.reason
    asked = len(fake_lastfm.requests)
    assert "artist.getSimilar" in fake_lastfm.methods()
    top_pick(library, tmp_path, signals(fake_lastfm))
    assert len(fake_lastfm.requests) == asked  # a fresh process reads the cache


def test_lastfm_failure_ranks_without_it(library, tmp_path, fake_lastfm, caplog):
    fake_lastfm.error_code = SERVICE_OFFLINE
    with caplog.at_level(logging.WARNING):
        pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.title == top_pick(library, tmp_path).title
    assert "Last.fm taste of ann unavailable" in caplog.text
