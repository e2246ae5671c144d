"""The feedback store: what each user played, skipped, liked, and the learner's state.

One SQLite file (WAL mode) under ``moodplayer.paths.data_dir()``, readable by its owner
only. A store that cannot be read is moved aside (``feedback.sqlite3.corrupt-<time>``),
a warning tells the user where it went, and a fresh store is started: never a crash
(the policy of both stores, in ``moodplayer.storage``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from moodplayer import paths
from moodplayer.storage import open_store

log = logging.getLogger(__name__)

FeedbackKind = Literal["played", "skipped", "like", "dislike"]
KINDS: tuple[FeedbackKind, ...] = ("played", "skipped", "like", "dislike")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    user TEXT NOT NULL,
    item_id INTEGER,
    path TEXT,
    artist TEXT,
    kind TEXT NOT NULL,
    mood TEXT,
    valence REAL,
    arousal REAL,
    confidence REAL
);
CREATE INDEX IF NOT EXISTS events_by_user ON events (user, ts);
CREATE TABLE IF NOT EXISTS learner (
    user TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    precision BLOB NOT NULL,
    moment BLOB NOT NULL,
    n INTEGER NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS learner_updates (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL,
    version INTEGER NOT NULL,
    context BLOB NOT NULL,
    x BLOB NOT NULL,
    reward REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mood_confusion (
    user TEXT PRIMARY KEY,
    counts BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS learner_updates_by_user ON learner_updates (user, id);
"""


def default_path() -> Path:
    """``data_dir()/feedback.sqlite3``."""
    return paths.data_dir() / "feedback.sqlite3"


@dataclass(frozen=True, slots=True)
class Event:
    """One feedback event as stored."""

    ts: float
    item_id: int | None
    path: str | None
    artist: str | None
    kind: FeedbackKind
    mood: str | None = None
    valence: float | None = None
    arousal: float | None = None
    confidence: float | None = None


class FeedbackStore:
    """Feedback events and learner parameters for every user, in one SQLite file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        # One connection, usable from the agent's threads (sqlite serialises access).
        opened = open_store(self.path, _SCHEMA, "feedback store", check_same_thread=False)
        self._con = opened.connection
        #: Where a damaged store was moved on open, if it was.
        self.recovered_to = opened.recovered_to

    def close(self) -> None:
        """Close the database connection."""
        self._con.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, user: str, event: Event) -> None:
        """Append one feedback event for ``user``."""
        if event.kind not in KINDS:
            raise ValueError(f"unknown feedback kind {event.kind!r}: expected {KINDS}")
        with self._con:
            self._con.execute(
                "INSERT INTO events (ts, user, item_id, path, artist, kind, mood, valence, "
                "arousal, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event.ts, user, event.item_id, event.path, event.artist, event.kind,
                 event.mood, event.valence, event.arousal, event.confidence))

    def events(self, user: str, limit: int | None = None) -> Iterator[Event]:
        """``user``'s events, newest first (at most ``limit``)."""
        sql = ("SELECT ts, item_id, path, artist, kind, mood, valence, arousal, confidence "
               "FROM events WHERE user = ? ORDER BY ts DESC, id DESC")
        args: tuple = (user,)
        if limit is not None:
            sql += " LIMIT ?"
            args = (user, limit)
        for row in self._con.execute(sql, args):
            yield Event(*row)

    def load_learner(self, user: str, version: int, dim: int
                     ) -> tuple[np.ndarray, np.ndarray, int] | None:
        """The stored (precision, moment, n) for ``user``, or None if absent or stale."""
        row = self._con.execute(
            "SELECT version, dim, precision, moment, n FROM learner WHERE user = ?",
            (user,)).fetchone()
        if row is None:
            return None
        stored_version, stored_dim, precision, moment, n = row
        if stored_version != version or stored_dim != dim:
            log.info("learner state for %s is from another feature version; starting afresh",
                     user)
            return None
        try:
            a = np.frombuffer(precision, dtype=np.float64).reshape(dim, dim).copy()
            b = np.frombuffer(moment, dtype=np.float64).reshape(dim).copy()
        except ValueError:
            log.warning("learner state for %s is damaged; starting afresh", user)
            return None
        return a, b, int(n)

    def save_learner(self, user: str, version: int, precision: np.ndarray, moment: np.ndarray,
                     n: int) -> None:
        """Store the learner's parameters for ``user`` (replacing the old ones and the
        updates logged since them)."""
        with self._con:
            self._con.execute("DELETE FROM learner_updates WHERE user = ?", (user,))
            self._con.execute(
                "INSERT OR REPLACE INTO learner (user, version, dim, precision, moment, n, "
                "updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user, version, len(moment), np.ascontiguousarray(precision, np.float64)
                 .tobytes(), np.ascontiguousarray(moment, np.float64).tobytes(), n,
                 time.time()))

    def add_learner_update(self, user: str, version: int, context: np.ndarray, x: np.ndarray,
                           reward: float) -> None:
        """Log one learner update (a few hundred bytes) instead of rewriting the state;
        ``save_learner`` folds the log into a checkpoint now and then."""
        with self._con:
            self._con.execute(
                "INSERT INTO learner_updates (user, version, context, x, reward) "
                "VALUES (?, ?, ?, ?, ?)",
                (user, version, np.ascontiguousarray(context, np.float64).tobytes(),
                 np.ascontiguousarray(x, np.float64).tobytes(), float(reward)))

    def learner_updates(self, user: str, version: int, context_size: int, x_size: int
                        ) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """``user``'s logged updates since the last checkpoint, oldest first, as
        (context, x, reward); ones of another version or shape are skipped."""
        out = []
        for context, x, reward in self._con.execute(
                "SELECT context, x, reward FROM learner_updates WHERE user = ? AND version = ? "
                "ORDER BY id", (user, version)):
            c = np.frombuffer(context, dtype=np.float64)
            v = np.frombuffer(x, dtype=np.float64)
            if c.size == context_size and v.size == x_size:
                out.append((c.copy(), v.copy(), float(reward)))
        return out

    def save_confusion(self, user: str, counts: np.ndarray) -> None:
        """Store how ``user``'s face readings relate to their moods (square soft counts)."""
        with self._con:
            self._con.execute("INSERT OR REPLACE INTO mood_confusion (user, counts) VALUES (?, ?)",
                              (user, np.ascontiguousarray(counts, np.float64).tobytes()))

    def load_confusion(self, user: str, size: int) -> np.ndarray | None:
        """``user``'s stored (size x size) confusion counts, or None if absent or damaged."""
        row = self._con.execute("SELECT counts FROM mood_confusion WHERE user = ?",
                                (user,)).fetchone()
        if row is None:
            return None
        counts = np.frombuffer(row[0], dtype=np.float64)
        if counts.size != size * size or not np.isfinite(counts).all() or (counts <= 0).any():
            log.warning("mood confusion state for %s is damaged; starting afresh", user)
            return None
        return counts.reshape(size, size).copy()

    def reset(self, user: str) -> int:
        """Forget ``user``'s events and learner state; returns how many events went."""
        with self._con:
            cur = self._con.execute("DELETE FROM events WHERE user = ?", (user,))
            self._con.execute("DELETE FROM learner WHERE user = ?", (user,))
            self._con.execute("DELETE FROM learner_updates WHERE user = ?", (user,))
            self._con.execute("DELETE FROM mood_confusion WHERE user = ?", (user,))
        return cur.rowcount
