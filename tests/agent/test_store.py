"""The state store: what it keeps, that kill -9 leaves it intact, and forget."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from moodplayer import paths
from moodplayer.agent.store import MoodSample, StateStore, forget_all, stored_files
from moodplayer.exceptions import StateError

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from moodplayer.agent.store import MoodSample, StateStore
    store = StateStore(Path(sys.argv[1]))
    store.grant_consent("test")
    n = 0
    while True:
        n += 1
        store.add_mood(MoodSample(time.time(), "happy", 0.5, 0.3, 0.9, "scripted"))
        d = store.add_decision(mood="happy", target="happy", path=f"/m/{n}.flac",
                               title=f"t{n}", artist="a", reason="fits", player="mpv")
        store.add_feedback(kind="skipped", path=f"/m/{n}.flac", player="mpv", position_s=3.0)
        print(n, flush=True)
""")


def test_records_round_trip(tmp_path: Path):
    with StateStore(tmp_path / "s.sqlite3") as store:
        assert store.consent() is None
        store.grant_consent("asked")
        store.add_mood(MoodSample(100.0, "sad", -0.6, -0.4, 0.8, "camera"))
        decision = store.add_decision(mood="sad", target="sad", path="/m/a.mp3", title="A",
                                      artist="X", reason="slow and minor", player="vlc")
        store.add_feedback(kind="skipped", path="/m/a.mp3", player="vlc", position_s=4.0)
        store.add_feedback(kind="started", path="/m/other.mp3", player="vlc")
    with StateStore(tmp_path / "s.sqlite3") as store:
        assert store.consent()[1] == "asked"
        assert [m.mood for m in store.moods()] == ["sad"]
        assert store.decisions()[0].reason == "slow and minor"
        linked = {f.path: f.decision_id for f in store.feedback()}
        assert linked == {"/m/a.mp3": decision, "/m/other.mp3": None}
        assert store.moods(since=101.0) == []


def test_store_is_intact_after_kill_9(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    written = 0
    for line in writer.stdout:
        written = int(line)
        if written >= 300:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    assert writer.returncode == -signal.SIGKILL
    with StateStore(path) as store:
        assert store.integrity_ok()
        assert store.consent() is not None
        counts = store.counts()
        assert min(counts.values()) >= written
        # The store stays writable after the crash.
        store.add_mood(MoodSample(1.0, "calm", 0.5, -0.6, 0.5, "scripted"))


def test_forget_all_deletes_everything_under_the_data_and_cache_dirs():
    with StateStore() as store:
        store.grant_consent("asked")
        store.add_mood(MoodSample(1.0, "calm", 0.5, -0.6, 0.5, "camera"))
    (paths.data_dir() / "feedback.sqlite3").write_bytes(b"recommender data")
    paths.cache_dir().mkdir(parents=True)
    (paths.cache_dir() / "lastfm-taste-me.json").write_text("{}")
    assert len(list(stored_files())) >= 3
    removed = forget_all()
    assert len(removed) >= 3
    assert not paths.data_dir().exists()
    assert not paths.cache_dir().exists()
    with StateStore() as store:
        assert store.consent() is None
        assert store.counts() == {"mood_samples": 0, "decisions": 0, "feedback": 0}


def _damaged(path: Path, how: str) -> bytes:
    """Damage the state store at ``path`` the way ``how`` says; returns the bytes left."""
    if how == "garbage":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"this is no database, just text " * 64)
    elif how == "torn-pages":
        with StateStore(path) as store:
            for i in range(300):
                store.add_mood(MoodSample(float(i), "calm", 0.5, -0.6, 0.5, "camera"))
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 5000 + data[5100:])
    else:  # a table of the same name with other columns
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE decisions (x INTEGER)")
    return path.read_bytes()


@pytest.mark.parametrize("how", ["garbage", "torn-pages", "foreign-table"])
def test_damaged_state_store_is_moved_aside_the_user_told_and_a_fresh_one_used(
        how, tmp_path):
    """``moodplayer report`` on a damaged store: the same policy as the feedback store."""
    path = paths.data_dir() / "agent.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    damaged = _damaged(path, how)
    report = tmp_path / "report.html"
    done = subprocess.run([str(Path(sys.executable).parent / "moodplayer"), "report", "-o",
                           str(report)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    err = done.stderr
    aside = [p for p in path.parent.iterdir() if p.name.startswith("agent.sqlite3.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged  # kept, not deleted
    assert f"moved it to {aside[0]}" in err and "started afresh" in err
    assert report.is_file()
    with StateStore() as store:
        assert store.integrity_ok() and store.counts()["mood_samples"] == 0
        store.add_mood(MoodSample(1.0, "calm", 0.5, -0.6, 0.5, "camera"))


def test_a_store_that_cannot_be_opened_is_an_error_not_moved(tmp_path):
    where = tmp_path / "agent.sqlite3"
    where.mkdir()  # a folder in the store's place: not damage, nothing to move
    with pytest.raises(StateError, match="cannot open the state store"):
        StateStore(where)
    assert [p.name for p in tmp_path.iterdir()] == ["agent.sqlite3"]


def test_forget_removes_what_onnxruntime_telemetry_left_in_the_cache_home():
    """Earlier versions let onnxruntime's telemetry store a device id and events."""
    left = paths.onnxruntime_telemetry_dir()
    left.mkdir(parents=True)
    (left / "deviceid").write_text("2f1c...")
    (left / "onnxruntime.db").write_bytes(b"events")
    assert {p.name for p in stored_files()} >= {"deviceid", "onnxruntime.db"}
    removed = forget_all()
    assert left / "deviceid" in removed
    assert not left.exists()
    assert not (left.parents[1]).exists()  # Microsoft/, which only held that
