"""The emotion estimate moves the right way, and the mood-tag table is sound."""

from __future__ import annotations

import pytest

from moodplayer.emotion import MOODS, VA, mood_of
from moodplayer.music import samples
from moodplayer.music.affect import CueStats, audio_estimate, estimate, fuse
from moodplayer.music.analyze import analyze_file
from moodplayer.music.moodtags import mood_table, normalize_tag, tag_estimate

BASE = {"bpm": 96, "mode": "major", "tonic": "E", "gain_db": -18.0, "brightness": 0.5}
VARIANTS = {
    "base": {},
    "faster": {"bpm": 144},
    "louder": {"gain_db": -8.0},
    "minor": {"mode": "minor"},
    "brighter": {"brightness": 0.95},
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """The same tune rendered with one knob changed at a time, encoded and analysed."""
    root = tmp_path_factory.mktemp("variants")
    out = {}
    for name, change in VARIANTS.items():
        path = samples.render_tune(root / f"{name}.flac", seconds=15, seed=7,
                                   **{**BASE, **change})
        out[name] = analyze_file(path)
    return out


@pytest.fixture(scope="module")
def variants(analysed):
    """Audio estimates of the variants, normalised over the variants as a library."""
    stats = CueStats.of(analysed.values())
    return {name: audio_estimate(a, stats) for name, a in analysed.items()}


@pytest.mark.parametrize("variant", ["faster", "louder", "brighter"])
def test_arousal_rises(variants, variant):
    assert variants[variant].arousal > variants["base"].arousal


def test_minor_lowers_valence(variants):
    assert variants["minor"].valence < variants["base"].valence


def test_table_has_a_hundred_mood_tags_with_consistent_clusters():
    table = mood_table()
    assert len(table) >= 100
    for row in table.values():
        assert row.cluster in MOODS
        assert row.cluster == mood_of(row.point), row.tag


@pytest.mark.parametrize(
    ("tag", "cluster"),
    [("happy", "happy"), ("Melancholy", "sad"), ("chill", "calm"), ("aggressive", "tense"),
     ("feel-good", "happy"), ("energetic", "energetic")])
def test_music_senses_of_tags(tag, cluster):
    assert mood_table()[normalize_tag(tag)].cluster == cluster


def test_genre_tags_are_not_read_as_mood():
    result = tag_estimate([("rock", 100), ("80s", 90), ("seen live", 50)])
    assert result.evidence == 0.0
    assert result.mood_tags == ()


def test_tag_estimate_weights_tags():
    result = tag_estimate([("sad", 100), ("pop", 100), ("happy", 10)])
    assert result.point.valence < -0.4
    assert result.mood_tags == ("sad", "happy")
    assert result.evidence == pytest.approx(1.1)


def test_more_tag_evidence_pulls_harder():
    audio = VA(0.5, 0.5)
    weak = fuse(audio, tag_estimate([("sad", 20)]))
    strong = fuse(audio, tag_estimate([("sad", 100), ("melancholy", 100)]))
    assert strong.fused.valence < weak.fused.valence < audio.valence
    assert fuse(audio, tag_estimate([("rock", 100)])).fused == audio


def test_estimate_without_tags_is_the_audio_estimate(analysed, variants):
    stats = CueStats.of(analysed.values())
    result = estimate(analysed["minor"], stats, None)
    assert result.fused == variants["minor"]
    assert result.mood == mood_of(result.fused)


def test_same_track_reads_relative_to_the_library(analysed):
    """Normalised over the user's library: a track is livelier among calm tracks."""
    base = analysed["base"]
    calm_library = CueStats.of([base, analysed["minor"]] * 10)
    lively_library = CueStats.of([analysed["faster"], analysed["louder"]] * 10)
    assert audio_estimate(base, calm_library).arousal > audio_estimate(
        base, lively_library).arousal
