"""Opening moodplayer's SQLite stores: private, WAL, checked, and one policy for corruption.

Both stores (the agent's ``agent.sqlite3`` and the recommender's ``feedback.sqlite3``)
open through :func:`open_store`. A store that cannot be read (not a database, damaged
pages, or tables of another shape) is moved aside as ``NAME.corrupt-<time>`` with its
``-wal`` and ``-shm`` files, a warning tells the user where it went, and a fresh store
is started: never a crash, and nothing deleted. A store that is only busy or locked
by another process is left alone and reported as a StateError.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from moodplayer import paths
from moodplayer.exceptions import StateError

log = logging.getLogger(__name__)

#: SQLite's primary result codes that mean "this file is damaged or not a database".
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class _Damaged(sqlite3.DatabaseError):
    """The file opened, but its content is not the store it should be."""


@dataclass(frozen=True, slots=True)
class OpenedStore:
    """A ready connection, and where a damaged store was moved on the way (if it was)."""

    connection: sqlite3.Connection
    recovered_to: Path | None


def open_store(path: Path, schema: str, what: str, *, isolation_level: str | None = "",
               check_same_thread: bool = True) -> OpenedStore:
    """Open (or create) the SQLite store at ``path`` with ``schema``, as a 0600 file.

    ``what`` names the store in messages ("state store"). A damaged store is moved
    aside and a fresh one made (see the module docstring); StateError when the file
    cannot be opened at all or cannot be moved aside.
    """
    def connect() -> sqlite3.Connection:
        return _connect(path, schema, isolation_level, check_same_thread)

    try:
        paths.private_file(path)
        return OpenedStore(connect(), None)
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            raise StateError(f"{path}: cannot open the {what}: {exc}") from exc
        target = _move_aside(path, what, exc)
    except OSError as exc:
        raise StateError(f"{path}: cannot open the {what}: {exc.strerror or exc}") from exc
    try:
        paths.private_file(path)
        return OpenedStore(connect(), target)
    except (sqlite3.Error, OSError) as exc:
        raise StateError(f"{path}: cannot create a fresh {what}: {exc}") from exc


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    if isinstance(exc, _Damaged):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGED


def _connect(path: Path, schema: str, isolation_level: str | None,
             check_same_thread: bool) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=10.0, isolation_level=isolation_level,
                          check_same_thread=check_same_thread)
    try:
        # Checked before anything is written, so a damaged file is moved aside as found.
        (check,) = con.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise _Damaged(check)
        for table, columns in _columns(schema).items():
            have = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
            if have and not columns <= have:
                raise _Damaged(f"table {table} lacks {', '.join(sorted(columns - have))}")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.executescript(schema)
    except sqlite3.Error:
        con.close()
        raise
    return con


def _columns(schema: str) -> dict[str, set[str]]:
    """Each table of ``schema`` with its columns, as SQLite itself reads the schema."""
    with sqlite3.connect(":memory:") as con:
        con.executescript(schema)
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in tables}


def _move_aside(path: Path, what: str, exc: Exception) -> Path:
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{target}{suffix}"))
    except OSError as move_exc:
        raise StateError(f"{path}: the {what} is unreadable ({exc}) and cannot be moved "
                         f"aside ({move_exc.strerror})") from move_exc
    log.warning("%s: the %s was unreadable (%s); moved it to %s and started afresh",
                path, what, exc, target)
    return target
