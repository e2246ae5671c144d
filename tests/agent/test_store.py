"""The state store: what it keeps, that kill -9 leaves it intact, and forget."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from moodplayer import paths
from moodplayer.agent.store import MoodSample, StateStore, forget_all, stored_files

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
