"""The music side's one call: a track in, one record out (analysis, tags, model, fusion)."""

from __future__ import annotations

import pytest

from moodplayer.emotion import MOODS
from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import AnalysisSettings
from moodplayer.music.annotate import Annotator, Estimates, Failure, Track, place_again
from moodplayer.music.lastfm import LastFmClient, LastFmSettings


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator(AnalysisSettings())


def test_a_track_gets_every_estimate_in_one_record(annotator, clips):
    clip = clips[".flac"]
    result = annotator.annotate(Track(str(clip.path), "Artist 1", "Title 1"))
    assert result.status == "annotated" and not result.reason
    assert result.analysis.bpm == pytest.approx(clip.bpm, rel=0.04)
    assert result.analysis.mode == clip.mode
    assert 0 < result.audio.confidence <= 1
    # No Last.fm: the fused place is the model's own, and its mood is one of the moods.
    assert (result.affect.fused.valence, result.affect.fused.arousal) == pytest.approx(
        (result.audio.valence, result.audio.arousal))
    assert result.affect.mood in MOODS
    assert result.tags.source == "none"


def test_silent_and_short_are_statuses_not_errors(annotator, bad_files):
    silent = annotator.annotate(Track(str(bad_files["silence"])))
    short = annotator.annotate(Track(str(bad_files["short"])))
    assert (silent.status, short.status) == ("silent", "too_short")
    for result, path in ((silent, bad_files["silence"]), (short, bad_files["short"])):
        assert str(path) in result.reason
        assert result.analysis is None and result.audio is None and result.affect is None


def test_undecodable_is_an_error_naming_the_file(annotator, bad_files):
    with pytest.raises(AnalysisError, match=str(bad_files["corrupt"])):
        annotator.annotate(Track(str(bad_files["corrupt"])))


def test_many_tracks_one_record_each_a_shared_file_analysed_once(clips, bad_files,
                                                                 fake_lastfm):
    fake_lastfm.track_tags[("artist x", "sad song")] = [("sad", 100), ("melancholy", 80)]
    client = LastFmClient(LastFmSettings(api_key="k", server=fake_lastfm.url, retries=0))
    try:
        path = str(clips[".ogg"].path)
        tracks = [Track(path, "Artist X", "Sad Song"), Track(path, "Artist Y", "Other"),
                  Track(str(bad_files["corrupt"])), Track(str(bad_files["silence"]))]
        results = list(Annotator(AnalysisSettings(), client).annotate_many(tracks, jobs=2))
    finally:
        client.close()
    assert sorted(r.track.title for r in results) == sorted(t.title for t in tracks)
    by_title = {r.track.title: r for r in results}
    sad, other = by_title["Sad Song"], by_title["Other"]
    assert sad.analysis == other.analysis  # one analysis of the shared file
    assert sad.tags.names == ["sad", "melancholy"] and other.tags.source == "none"
    assert sad.affect.fused.valence < other.affect.fused.valence  # the tags pull it down
    failures = [r for r in results if isinstance(r, Failure)]
    assert [f.track.path for f in failures] == [str(bad_files["corrupt"])]
    # The silent one is a record with its status, not a failure.
    statuses = sorted(r.status for r in results if not isinstance(r, Failure))
    assert statuses == ["annotated", "annotated", "silent"]


def test_library_normalisation_recentres_stored_estimates():
    from moodplayer.emotion import VA

    stored = [Estimates(VA(0.6 + 0.01 * i, 0.5), None, 0.0) for i in range(40)]
    alone = place_again(stored, "none")
    recentred = place_again(stored, "library")
    assert [p.fused for p in alone] == [s.audio for s in stored]
    # Over a library that is all pleasant, the same tracks read less pleasant than alone.
    assert all(r.fused.valence < a.fused.valence for r, a in zip(recentred, alone,
                                                                  strict=True))
