"""``moodplayer suggest`` and ``moodplayer reset-learning``, run as the user runs them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from moodplayer.recommend.policy import POLICIES
from moodplayer.recommend.store import Event, FeedbackStore

from .conftest import CATALOGUE, music_of


def moodplayer(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodplayer.agent.cli", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_suggest_prints_ranked_tracks_with_reasons(library):
    run = moodplayer("suggest", "--mood", "happy", "-n", "3", "--library", str(library),
                     "--music-dir", str(music_of(library)))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    happy = {t["title"] for t in CATALOGUE if t.get("moodtag_mood") == "happy"}
    titles = [line.split(" – ", 1)[1].split("  [")[0] for line in lines[0::3]]
    assert set(titles) == happy
    assert all("BPM" in line and "For a happy mood" in line for line in lines[1::3])
    assert all(Path(line.strip()).parent == music_of(library) for line in lines[2::3])


def test_suggest_uses_beets_configured_library(library, tmp_path):
    beetsdir = tmp_path / "beets"
    beetsdir.mkdir()
    (beetsdir / "config.yaml").write_text(
        f"library: {library}\ndirectory: {music_of(library)}\n")
    run = moodplayer("suggest", "--mood", "sad", "-n", "1", env={"BEETSDIR": str(beetsdir)})
    assert run.returncode == 0, run.stderr
    assert "Grey Rain" in run.stdout
    assert "minor" in run.stdout


def test_suggest_uplift_and_bad_arguments(library):
    run = moodplayer("suggest", "--mood", "sad", "--policy", "uplift", "--target", "happy",
                     "-n", "4", "--library", str(library), "--music-dir",
                     str(music_of(library)))
    assert run.returncode == 0, run.stderr
    assert "lifting you toward happy" in run.stdout
    run = moodplayer("suggest", "--mood", "sad", "-n", "0", "--library", str(library))
    assert run.returncode == 2
    assert "-n: expected a whole number from 1" in run.stderr
    run = moodplayer("suggest", "--mood", "cheerful", "--library", str(library))
    assert run.returncode == 2
    assert "unknown mood 'cheerful'" in run.stderr


def test_suggest_without_annotations_says_to_run_moodtag(make_library):
    db = make_library([dict(title="plain", artist="x")])
    run = moodplayer("suggest", "--mood", "happy", "--library", str(db))
    assert run.returncode == 1
    assert "run `beet moodtag`" in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_table_exits_2_naming_the_key(library, tmp_path):
    table = tmp_path / "t.yaml"
    table.write_text("happy: {tempo: [1, 2]}\n")
    run = moodplayer("suggest", "--mood", "happy", "--library", str(library), "--table",
                     str(table))
    assert run.returncode == 2
    assert str(table) in run.stderr


def test_corrupt_store_is_reported_and_suggest_still_works(library):
    store = Path(os.environ["XDG_DATA_HOME"]) / "moodplayer" / "feedback.sqlite3"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"garbage" * 1000)
    run = moodplayer("suggest", "--mood", "calm", "-n", "1", "--library", str(library),
                     "--music-dir", str(music_of(library)))
    assert run.returncode == 0, run.stderr
    assert "moved it to" in run.stderr
    assert "Still Water" in run.stdout


def test_reset_learning_forgets_one_users_feedback():
    with FeedbackStore() as store:
        for user, kind in (("ann", "skipped"), ("ann", "played"), ("bob", "like")):
            store.add(user, Event(1.0, 1, "/m/a.mp3", "A", kind))
        store.save_learner("ann", 1, np.eye(2), np.zeros(2), 2)
    run = moodplayer("reset-learning", "--user", "ann")
    assert run.returncode == 0, run.stderr
    assert "Forgot 2 feedback events" in run.stdout
    with FeedbackStore() as store:
        assert list(store.events("ann")) == []
        assert store.load_learner("ann", 1, 2) is None
        assert len(list(store.events("bob"))) == 1


def test_suggesting_the_whole_library_lists_each_track_once_after_plays(library):
    """With play history, `suggest -n N` on an N-track library listed a track twice."""
    from beets.library import Library

    from moodplayer.recommend.recommender import default_user

    items = list(Library(str(library), str(music_of(library))).items())
    with FeedbackStore() as store:
        for item in items[:4]:
            store.add(default_user(), Event(1.0, item.id, str(item.filepath), item.artist,
                                            "played"))
    for mood in ("happy", "sad", "calm"):
        run = moodplayer("suggest", "--mood", mood, "-n", str(len(items)), "--library",
                         str(library), "--music-dir", str(music_of(library)))
        assert run.returncode == 0, run.stderr
        paths = run.stdout.splitlines()[2::3]
        assert len(paths) == len(items)
        assert len(set(paths)) == len(items), run.stdout


@pytest.mark.parametrize("policy", POLICIES)
def test_suggest_takes_every_policy_and_the_configured_target(library, tmp_path, policy):
    config = tmp_path / "config.yaml"
    config.write_text(f"library: {library}\ndirectory: {music_of(library)}\n"
                      f"moodplayer:\n  policy: {policy}\n  target: calm\n")
    run = moodplayer("suggest", "-c", str(config), "--mood", "sad", "-n", "3")
    assert run.returncode == 0, run.stderr
    notes = {"match": "For a sad mood", "uplift": "lifting you toward calm",
             "fixed": "aiming for calm"}
    assert notes[policy] in run.stdout
    given = moodplayer("suggest", "-c", str(config), "--mood", "sad", "-n", "3",
                       "--policy", policy, "--target", "happy")
    assert given.returncode == 0, given.stderr
    assert notes[policy].replace("calm", "happy") in given.stdout


def test_a_locked_library_is_called_locked_not_foreign(library):
    """"... is not a beets library (database is locked)" while `beet import` wrote to it."""
    writer = sqlite3.connect(library, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        run = moodplayer("suggest", "--mood", "calm", "-n", "1", "--library", str(library),
                         "--music-dir", str(music_of(library)))
    finally:
        writer.close()
    assert run.returncode == 1
    assert f"the beets library {library} is locked by another program" in run.stderr
    assert "not a beets library" not in run.stderr
