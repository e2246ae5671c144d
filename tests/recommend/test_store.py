"""The feedback store: events and learner state in SQLite; a corrupt file is recovered."""

from __future__ import annotations

import logging
import sqlite3

import numpy as np
import pytest

from moodplayer.recommend.store import Event, FeedbackStore, default_path


def test_default_store_lives_in_the_data_dir(tmp_path):
    with FeedbackStore() as store:
        assert store.path == default_path()
        assert store.path.is_file()
        mode = store._con.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_events_and_learner_state_round_trip(tmp_path):
    path = tmp_path / "fb.sqlite3"
    with FeedbackStore(path) as store:
        store.add("ann", Event(1.0, 3, "/m/a.mp3", "A", "played", "happy", 0.7, 0.4, 0.9))
        store.add("ann", Event(2.0, 4, "/m/b.mp3", "B", "skipped"))
        store.add("bob", Event(3.0, 3, "/m/a.mp3", "A", "like"))
        store.save_learner("ann", 1, 2 * np.eye(3), np.arange(3.0), 5)
    with FeedbackStore(path) as store:
        assert [e.kind for e in store.events("ann")] == ["skipped", "played"]
        precision, moment, n = store.load_learner("ann", 1, 3)
        np.testing.assert_array_equal(precision, 2 * np.eye(3))
        np.testing.assert_array_equal(moment, [0.0, 1.0, 2.0])
        assert n == 5
        assert store.load_learner("ann", 2, 3) is None  # another feature version
        assert store.reset("ann") == 2
        assert list(store.events("ann")) == []
        assert [e.kind for e in store.events("bob")] == ["like"]


@pytest.mark.parametrize("damage", [
    pytest.param(b"this is no database, just text " * 64, id="garbage"),
    pytest.param(None, id="truncated-sqlite"),
])
def test_corrupt_store_is_moved_aside_and_the_user_told(tmp_path, caplog, damage):
    path = tmp_path / "fb.sqlite3"
    if damage is None:
        with FeedbackStore(path) as store:
            for i in range(200):
                store.add("ann", Event(float(i), i, f"/m/{i}.mp3", "A", "played"))
            store._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes()
        damage = data[:100] + b"\xff" * 5000 + data[5100:]
    path.write_bytes(damage)
    with caplog.at_level(logging.WARNING), FeedbackStore(path) as store:
        assert store.recovered_to is not None
        assert store.recovered_to.read_bytes() == damage
        store.add("ann", Event(1.0, 1, "/m/a.mp3", "A", "played"))
        assert len(list(store.events("ann"))) == 1
    assert "moved it to" in caplog.text
    assert str(store.recovered_to) in caplog.text


def test_store_with_foreign_tables_is_recovered(tmp_path):
    path = tmp_path / "fb.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE events (x INTEGER)")
    con.commit()
    con.close()
    with FeedbackStore(path) as store:
        assert store.recovered_to is not None
        store.add("ann", Event(1.0, 1, None, None, "skipped"))


def test_learner_updates_are_logged_small_and_folded_into_checkpoints(tmp_path):
    path = tmp_path / "fb.sqlite3"
    with FeedbackStore(path) as store:
        store.add_learner_update("ann", 1, np.ones(2), np.arange(3.0), -1.0)
        store.add_learner_update("ann", 1, np.zeros(2), np.ones(3), 2.0)
        store.add_learner_update("ann", 0, np.zeros(2), np.ones(3), 2.0)  # stale version
        store.add_learner_update("bob", 1, np.zeros(2), np.ones(3), 1.0)
    with FeedbackStore(path) as store:
        updates = store.learner_updates("ann", 1, 2, 3)
        assert [r for _, _, r in updates] == [-1.0, 2.0]
        np.testing.assert_array_equal(updates[0][1], [0.0, 1.0, 2.0])
        assert store.learner_updates("ann", 1, 5, 3) == []  # another shape
        store.save_learner("ann", 1, np.eye(6), np.zeros(6), 2)
        assert store.learner_updates("ann", 1, 2, 3) == []  # folded into the checkpoint
        assert len(store.learner_updates("bob", 1, 2, 3)) == 1
        store.reset("bob")
        assert store.learner_updates("bob", 1, 2, 3) == []


def test_mood_confusion_round_trips_and_damage_is_dropped(tmp_path, caplog):
    path = tmp_path / "fb.sqlite3"
    with FeedbackStore(path) as store:
        store.save_confusion("ann", np.full((6, 6), 0.5) + np.eye(6))
        store.save_confusion("bob", np.zeros((6, 6)))  # no positive counts: unusable
    with caplog.at_level(logging.WARNING), FeedbackStore(path) as store:
        np.testing.assert_array_equal(store.load_confusion("ann", 6),
                                      np.full((6, 6), 0.5) + np.eye(6))
        assert store.load_confusion("ann", 7) is None
        assert store.load_confusion("bob", 6) is None
        assert "damaged" in caplog.text
        store.reset("ann")
        assert store.load_confusion("ann", 6) is None
