"""The agent's state store: consent, mood samples, decisions and feedback, in SQLite (WAL).

One file, ``agent.sqlite3`` under ``moodplayer.paths.data_dir()`` (the recommender keeps
its own feedback store beside it). Every write is its own transaction, so a process
killed at any moment leaves a store that opens intact with everything written before.
Never images: the store has no column that could hold one. The file is readable by its
owner only, and a damaged store is moved aside and started afresh
(``moodplayer.storage``).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from moodplayer import paths
from moodplayer.exceptions import StateError
from moodplayer.storage import open_store

FILENAME = "agent.sqlite3"
#: Paths per query where many are looked up at once (SQLite limits bound parameters).
_CHUNK = 500
#: The feedback kind the agent records when it took one of its picks out of the player's
#: queue again (the mood moved on); the player's own kinds are its events' names.
REMOVED = "removed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS consent (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    granted_at REAL NOT NULL,
    how TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mood_samples (
    ts REAL NOT NULL,
    mood TEXT NOT NULL,
    valence REAL NOT NULL,
    arousal REAL NOT NULL,
    confidence REAL NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mood_samples_ts ON mood_samples (ts);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    mood TEXT NOT NULL,
    target TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL,
    reason TEXT NOT NULL,
    player TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_ts ON decisions (ts);
CREATE INDEX IF NOT EXISTS decisions_path ON decisions (path);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    player TEXT NOT NULL,
    position_s REAL,
    decision_id INTEGER REFERENCES decisions (id)
);
CREATE INDEX IF NOT EXISTS feedback_ts ON feedback (ts);
CREATE INDEX IF NOT EXISTS feedback_decision ON feedback (decision_id);
"""


@dataclass(frozen=True, slots=True)
class MoodSample:
    """One smoothed mood reading."""

    ts: float
    mood: str
    valence: float
    arousal: float
    confidence: float
    source: str


@dataclass(frozen=True, slots=True)
class Decision:
    """One track the agent queued, and why."""

    id: int
    ts: float
    mood: str
    target: str
    path: str
    title: str
    artist: str
    reason: str
    player: str


@dataclass(frozen=True, slots=True)
class Feedback:
    """One thing the player told us about a track (started, played, skipped, liked...)."""

    id: int
    ts: float
    kind: str
    path: str
    player: str
    position_s: float | None
    decision_id: int | None


def default_path() -> Path:
    """Where the agent's store lives: ``data_dir()/agent.sqlite3``."""
    return paths.data_dir() / FILENAME


class StateStore:
    """The agent's SQLite store; use from one thread (the main loop's)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        opened = open_store(self.path, _SCHEMA, "state store", isolation_level=None)
        self._db = opened.connection
        #: Where a damaged store was moved on open, if it was.
        self.recovered_to = opened.recovered_to

    def close(self) -> None:
        """Checkpoint the log into the main file and close."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple) -> int:
        try:
            cursor = self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: cannot write the state store: {exc}") from exc
        return int(cursor.lastrowid or 0)

    # consent
    def consent(self) -> tuple[float, str] | None:
        """When and how camera consent was given, or None if never."""
        row = self._db.execute("SELECT granted_at, how FROM consent").fetchone()
        return (row[0], row[1]) if row else None

    def grant_consent(self, how: str) -> None:
        """Record that the user allowed the camera (``how``: e.g. 'asked', 'flag')."""
        self._write("INSERT OR REPLACE INTO consent (id, granted_at, how) VALUES (1, ?, ?)",
                    (time.time(), how))

    # records
    def add_mood(self, sample: MoodSample) -> None:
        """Store one mood reading."""
        self._write("INSERT INTO mood_samples VALUES (?, ?, ?, ?, ?, ?)",
                    (sample.ts, sample.mood, sample.valence, sample.arousal,
                     sample.confidence, sample.source))

    def add_decision(self, *, mood: str, target: str, path: str, title: str, artist: str,
                     reason: str, player: str, ts: float | None = None) -> int:
        """Store a queued track with its reason; returns the decision's id."""
        return self._write(
            "INSERT INTO decisions (ts, mood, target, path, title, artist, reason, player) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time() if ts is None else ts, mood, target, path, title, artist, reason,
             player))

    def add_feedback(self, *, kind: str, path: str, player: str,
                     position_s: float | None = None, ts: float | None = None) -> int:
        """Store one feedback event, linked to the latest decision for the same track."""
        row = self._db.execute("SELECT id FROM decisions WHERE path = ? ORDER BY id DESC "
                               "LIMIT 1", (path,)).fetchone()
        return self._write(
            "INSERT INTO feedback (ts, kind, path, player, position_s, decision_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (time.time() if ts is None else ts, kind, path, player, position_s,
             row[0] if row else None))

    # queries
    def moods(self, since: float = 0.0) -> list[MoodSample]:
        """Mood readings since ``since`` (epoch seconds), oldest first."""
        rows = self._db.execute("SELECT * FROM mood_samples WHERE ts >= ? ORDER BY ts",
                                (since,))
        return [MoodSample(*r) for r in rows]

    def decisions(self, since: float = 0.0) -> list[Decision]:
        """Queued tracks since ``since``, oldest first."""
        rows = self._db.execute("SELECT * FROM decisions WHERE ts >= ? ORDER BY id", (since,))
        return [Decision(*r) for r in rows]

    def feedback(self, since: float = 0.0) -> list[Feedback]:
        """Feedback events since ``since``, oldest first."""
        rows = self._db.execute("SELECT * FROM feedback WHERE ts >= ? ORDER BY id", (since,))
        return [Feedback(*r) for r in rows]

    def unstarted(self, paths: Collection[str], player: str) -> dict[str, Decision]:
        """Of ``paths``, those whose latest decision queued them in ``player`` and that have
        not started since: the agent's picks still waiting there; path -> that decision."""
        found: dict[str, Decision] = {}
        wanted = sorted(set(paths))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows = self._db.execute(
                f"SELECT d.* FROM decisions d WHERE d.path IN ({','.join('?' * len(chunk))}) "
                "AND d.player = ? AND d.id = (SELECT max(id) FROM decisions WHERE path = "
                "d.path) AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.decision_id = d.id "
                "AND f.kind = 'started')", (*chunk, player))
            found.update((r[4], Decision(*r)) for r in rows)
        return found

    def counts(self) -> dict[str, int]:
        """How many rows each kind of record has (for ``moodplayer status``)."""
        return {table: self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("mood_samples", "decisions", "feedback")}

    def integrity_ok(self) -> bool:
        """True when SQLite's own integrity check passes."""
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _stored_roots() -> tuple[Path, ...]:
    # onnxruntime's telemetry folder: moodplayer turns that telemetry off, but runs of
    # earlier versions left a device id and an event database there.
    return paths.data_dir(), paths.cache_dir(), paths.onnxruntime_telemetry_dir()


def stored_files() -> Iterator[Path]:
    """Every file moodplayer stores: everything under ``data_dir()`` and ``cache_dir()``,
    and what onnxruntime's telemetry left under the cache home."""
    for root in _stored_roots():
        if root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file())


def forget_all() -> list[Path]:
    """Delete everything moodplayer stored (data and caches); returns what was removed."""
    removed = list(stored_files())
    for root in _stored_roots():
        if root.exists():
            shutil.rmtree(root)
    for leftover in (paths.onnxruntime_telemetry_dir().parent,
                     paths.onnxruntime_telemetry_dir().parent.parent):
        with contextlib.suppress(OSError):
            leftover.rmdir()  # only if now empty
    return removed
