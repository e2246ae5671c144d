"""Fixtures for the recommender: real temporary beets libraries with moodtag fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from beets.dbcore.types import MULTI_VALUE_DELIMITER
from beets.library import Item, Library

LibraryFactory = Callable[[Sequence[dict]], Path]

#: A small annotated catalogue: what `beet moodtag` would have written.
CATALOGUE: tuple[dict, ...] = (
    dict(artist="Sunny Band", title="Morning Bounce", bpm=128, initial_key="A",
         moodtag_mode="major", moodtag_valence=0.75, moodtag_arousal=0.45,
         moodtag_energy=0.8, moodtag_brightness=0.8, moodtag_mood="happy",
         moodtag_tags=["feel-good", "pop"]),
    dict(artist="Sunny Band", title="Sunday Skip", bpm=124, initial_key="D",
         moodtag_mode="major", moodtag_valence=0.7, moodtag_arousal=0.35,
         moodtag_energy=0.7, moodtag_brightness=0.7, moodtag_mood="happy",
         moodtag_tags=["happy"]),
    dict(artist="Bright Lights", title="Jump Around Town", bpm=132, initial_key="E",
         moodtag_mode="major", moodtag_valence=0.65, moodtag_arousal=0.5,
         moodtag_energy=0.85, moodtag_brightness=0.75, moodtag_mood="happy",
         moodtag_tags=["upbeat"]),
    dict(artist="Grey Rain", title="Empty Rooms", bpm=68, initial_key="C#m",
         moodtag_mode="minor", moodtag_valence=-0.65, moodtag_arousal=-0.45,
         moodtag_energy=0.2, moodtag_brightness=0.2, moodtag_mood="sad",
         moodtag_tags=["sad", "melancholy"]),
    dict(artist="Grey Rain", title="Letters", bpm=72, initial_key="Am",
         moodtag_mode="minor", moodtag_valence=-0.55, moodtag_arousal=-0.35,
         moodtag_energy=0.25, moodtag_brightness=0.3, moodtag_mood="sad",
         moodtag_tags=["melancholic"]),
    dict(artist="Still Water", title="Low Tide", bpm=70, initial_key="F",
         moodtag_mode="major", moodtag_valence=0.5, moodtag_arousal=-0.65,
         moodtag_energy=0.1, moodtag_brightness=0.4, moodtag_mood="calm",
         moodtag_tags=["chill", "ambient"]),
    dict(artist="Still Water", title="Driftwood", bpm=82, initial_key="G",
         moodtag_mode="major", moodtag_valence=0.45, moodtag_arousal=-0.55,
         moodtag_energy=0.15, moodtag_brightness=0.5, moodtag_mood="calm",
         moodtag_tags=["relaxing"]),
    dict(artist="Iron Fist", title="Break The Wall", bpm=150, initial_key="Em",
         moodtag_mode="minor", moodtag_valence=-0.6, moodtag_arousal=0.7,
         moodtag_energy=0.95, moodtag_brightness=0.55, moodtag_mood="tense",
         moodtag_tags=["aggressive"]),
    dict(artist="Pulse", title="Night Drive", bpm=160, initial_key="B",
         moodtag_mode="major", moodtag_valence=0.3, moodtag_arousal=0.85,
         moodtag_energy=0.9, moodtag_brightness=0.8, moodtag_mood="energetic",
         moodtag_tags=["dance", "party"]),
    dict(artist="Plain", title="Middle Road", bpm=105, initial_key="C",
         moodtag_mode="major", moodtag_valence=0.05, moodtag_arousal=0.0,
         moodtag_energy=0.5, moodtag_brightness=0.5, moodtag_mood="neutral"),
)


def music_of(db: Path) -> Path:
    """The music directory of a library built by ``make_library``."""
    return db.parent / "music"


def add_tracks(lib: Library, music: Path, tracks: Sequence[dict]) -> list[int]:
    """Add ``tracks`` (beets fields) to ``lib``, as the moodtag plugin would store them."""
    ids = []
    for n, fields in enumerate(tracks):
        fields = dict(fields)
        if isinstance(fields.get("moodtag_tags"), list):
            # What beets stores for a MULTI_VALUE_DSV field.
            fields["moodtag_tags"] = MULTI_VALUE_DELIMITER.join(fields["moodtag_tags"])
        if "moodtag_valence" in fields or "moodtag_mood" in fields:
            fields.setdefault("moodtag_version", 1)
            fields.setdefault("moodtag_analyzed", "2026-11-24T08:00:00")
        path = music / f"{n:05d}.mp3"
        item = Item(path=str(path), length=200.0, album="Test Album", **fields)
        ids.append(lib.add(item))
    return ids


@pytest.fixture
def make_library(tmp_path: Path) -> LibraryFactory:
    """Build a real beets library (SQLite file) holding the given tracks; returns its path."""
    counter = iter(range(1000))

    def build(tracks: Sequence[dict]) -> Path:
        root = tmp_path / f"lib{next(counter)}"
        music = root / "music"
        music.mkdir(parents=True)
        db = root / "library.db"
        lib = Library(str(db), str(music))
        add_tracks(lib, music, tracks)
        lib._close()
        return db

    return build


@pytest.fixture
def library(make_library: LibraryFactory) -> Path:
    """The annotated ten-track catalogue as a beets library."""
    return make_library(CATALOGUE)
