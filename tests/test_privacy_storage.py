"""Everything moodplayer stores is its owner's alone: folders 0700, files 0600, even when
the umask would let everyone read them (022, the usual one). Each writer runs for real:
both stores, the report, the log file, the calibration, the Last.fm caches and the
library cache."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from beets.library import Item, Library

from moodplayer import paths
from moodplayer.agent.report import write_report
from moodplayer.agent.service import setup_logging
from moodplayer.agent.store import MoodSample, StateStore
from moodplayer.music.lastfm import LastFmClient, LastFmSettings
from moodplayer.recommend import FeedbackStore, Recommender
from moodplayer.recommend.lastfm_signals import LastfmSignals
from moodplayer.testing import FakeLastFm
from moodplayer.vision.calibration import NeutralCalibration


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which files are created world-readable (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """``setup_logging`` replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def not_private(*roots: Path) -> list[str]:
    """Every folder under ``roots`` that is not 0700 and every file that is not 0600."""
    found = []
    for root in roots:
        for p in (root, *root.rglob("*")):
            mode = stat.S_IMODE(p.stat().st_mode)
            want = paths.DIR_MODE if p.is_dir() else paths.FILE_MODE
            if mode != want:
                found.append(f"{p} {oct(mode)}")
    return found


def beets_library(root: Path) -> Path:
    """A real beets library of three annotated tracks; its database file."""
    music = root / "music"
    music.mkdir(parents=True)
    lib = Library(str(root / "library.db"), str(music))
    for n, (artist, mood, valence) in enumerate([("Sunny Band", "happy", 0.7),
                                                 ("Grey Rain", "sad", -0.6),
                                                 ("Plain", "neutral", 0.0)]):
        lib.add(Item(path=str(music / f"{n}.mp3"), length=200.0, artist=artist,
                     title=f"t{n}", bpm=100 + n, initial_key="C", moodtag_mode="major",
                     moodtag_valence=valence, moodtag_arousal=0.1, moodtag_energy=0.5,
                     moodtag_brightness=0.5, moodtag_mood=mood, moodtag_version=1,
                     moodtag_analyzed="2026-11-24T08:00:00"))
    lib._close()
    return root / "library.db"


def test_everything_stored_is_owner_only_whatever_the_umask(
        umask_022, logging_restored, tmp_path, fake_lastfm: FakeLastFm):
    mine = tmp_path / "mine"  # a folder of the user's, readable by all: it stays so
    mine.mkdir(mode=0o755)
    with StateStore() as store:  # the agent's store, with its -wal and -shm
        store.grant_consent("asked")
        store.add_mood(MoodSample(1.0, "calm", 0.5, -0.6, 0.5, "camera"))
        write_report(store, paths.data_dir() / "moodplayer-report.html", since=0, now=2)
        write_report(store, mine / "week.html", since=0, now=2)
    setup_logging(SimpleNamespace(log_level="info", log_file=mine / "agent.log"), 0)
    logging.getLogger("moodplayer").warning("a line in the log file")
    NeutralCalibration(("happy", "neutral"), (0.1, -0.1), "abc", 5).save()
    LastFmClient(LastFmSettings(api_key="k", server=fake_lastfm.url)).close()
    fake_lastfm.top_artists = ["Sunny Band"]
    settings = LastFmSettings(api_key="k", server=fake_lastfm.url, retries=0, backoff=0.0)
    db = beets_library(tmp_path / "library")
    with FeedbackStore() as feedback:
        rec = Recommender(db, feedback, directory=db.parent / "music", user="ann",
                          lastfm=LastfmSignals(settings, "ann"))
        rec.suggest("happy", n=2)
        rec.feedback(str(db.parent / "music" / "0.mp3"), "played")
    stored = {p.name for root in (paths.data_dir(), paths.cache_dir()) for p in root.rglob("*")}
    assert {"agent.sqlite3", "feedback.sqlite3", "moodplayer-report.html", "calibration.json",
            "lastfm.sqlite", "lastfm-taste-ann.json"} <= stored
    assert any(name.startswith("library-") for name in stored)
    assert (mine / "agent.log").stat().st_size > 0
    assert not_private(paths.data_dir(), paths.cache_dir()) == []
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in mine.iterdir()} == {
        "week.html": "0o600", "agent.log": "0o600"}
    assert stat.S_IMODE(mine.stat().st_mode) == 0o755  # not moodplayer's to change


def test_what_an_earlier_version_stored_world_readable_is_made_private(umask_022):
    paths.data_dir().mkdir(parents=True, mode=0o755)
    paths.data_dir().chmod(0o755)
    with StateStore() as store:
        store.grant_consent("asked")
    for name in ("agent.sqlite3", "agent.sqlite3-wal", "agent.sqlite3-shm"):
        side = paths.data_dir() / name
        if side.exists():
            side.chmod(0o644)
    with StateStore() as store, FeedbackStore():
        assert store.consent() is not None
    assert not_private(paths.data_dir()) == []


@pytest.mark.parametrize("where", ["/dev/full", "folder"])
def test_private_writers_refuse_what_is_not_a_regular_file(where, tmp_path):
    target = Path(where) if where.startswith("/") else tmp_path
    before = target.stat()
    for write in (paths.private_file, lambda p: paths.write_private(p, "page")):
        with pytest.raises(OSError, match="not a regular file"):
            write(target)
    after = target.stat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
