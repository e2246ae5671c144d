"""``moodplayer suggest`` and ``moodplayer reset-learning``, run as the user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

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
    titles = [line.split(" - ", 1)[1].split("  [")[0] for line in lines[0::3]]
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
    run = moodplayer("suggest", "--mood", "sad", "--policy", "uplift", "--library",
                     str(library))
    assert run.returncode == 2
    assert "needs --target" in run.stderr
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
