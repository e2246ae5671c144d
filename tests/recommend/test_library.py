"""Reading tracks and moodtag fields from a real beets library into arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
from beets.library import Library

from moodplayer.exceptions import RecommendError
from moodplayer.music import library as mlib
from moodplayer.music.library import load_tracks

from .conftest import CATALOGUE, add_tracks, music_of


def test_reads_standard_and_moodtag_fields(library):
    tracks = load_tracks(library, music_of(library))
    assert len(tracks) == len(CATALOGUE)
    first = tracks.titles.index("Morning Bounce")
    assert tracks.artists[first] == "Sunny Band"
    assert tracks.column("bpm")[first] == 128
    assert tracks.column("mode")[first] == 1.0
    assert tracks.column("valence")[first] == pytest.approx(0.75)
    assert tracks.keys[first] == "A"
    assert tracks.moods[first] == "happy"
    assert tracks.tags[first] == ("feel-good", "pop")
    assert tracks.paths[first].endswith("00000.mp3")
    assert tracks.paths[first].startswith(str(library.parent / "music"))
    assert tracks.analyzed.all()


def test_missing_and_unreadable_fields_become_nan(make_library):
    db = make_library([
        dict(title="bare"),
        dict(title="text values", moodtag_valence="0.5", moodtag_arousal="nan",
             moodtag_energy="loud", moodtag_mode="Minor", bpm=0, moodtag_tags="chill; sad"),
    ])
    tracks = load_tracks(db, music_of(db))
    bare, text = tracks.titles.index("bare"), tracks.titles.index("text values")
    assert np.isnan(tracks.features[bare]).sum() == len(mlib.FEATURES) - 1  # all but length
    assert not tracks.analyzed[bare]
    assert tracks.column("valence")[text] == 0.5
    assert math.isnan(tracks.column("arousal")[text])
    assert math.isnan(tracks.column("energy")[text])
    assert math.isnan(tracks.column("bpm")[text])
    assert tracks.column("mode")[text] == 0.0
    assert tracks.tags[text] == ("chill", "sad")


def test_matrix_is_cached_until_the_library_changes(library):
    first = load_tracks(library, music_of(library))
    assert load_tracks(library, music_of(library)) is first
    mlib._memory.clear()
    from_disk = load_tracks(library, music_of(library))
    assert from_disk is not first
    assert from_disk.titles == first.titles
    np.testing.assert_array_equal(from_disk.features, first.features)
    assert from_disk.tags == first.tags
    lib = Library(str(library), str(library.parent / "music"))
    add_tracks(lib, library.parent / "music", [dict(title="new one", moodtag_mood="calm")])
    lib._close()
    updated = load_tracks(library, music_of(library))
    assert "new one" in updated.titles
    assert len(updated) == len(first) + 1


def test_missing_library_is_a_clear_error(tmp_path):
    with pytest.raises(RecommendError, match="no beets library at"):
        load_tracks(tmp_path / "nothing.db")
    not_beets = tmp_path / "other.db"
    not_beets.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RecommendError, match="not a beets library"):
        load_tracks(not_beets)


def test_reads_the_models_confidence(make_library):
    db = make_library([dict(title="sure", moodtag_valence=-0.5, moodtag_arousal=-0.9,
                            moodtag_confidence=0.85), dict(title="older analysis")])
    tracks = load_tracks(db, music_of(db))
    assert tracks.column("confidence")[tracks.titles.index("sure")] == pytest.approx(0.85)
    assert math.isnan(tracks.column("confidence")[tracks.titles.index("older analysis")])
