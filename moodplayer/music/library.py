"""Read tracks and their moodtag fields from a beets library into numpy arrays.

``load_tracks(db_path)`` returns a ``TrackMatrix``: one row per beets item, the numeric
fields in a float matrix (NaN where a field is missing or unreadable), the text fields
in lists. The beets database is opened through ``beets.library.Library`` and read with
two SQL queries (items and their flexible attributes), which is far faster than
building ``Item`` objects. Flexible attributes are parsed robustly: they are stored as
text when the moodtag plugin is not loaded.

The matrix is cached in memory and on disk under ``moodplayer.paths.cache_dir()``,
keyed on the database's modification time, its item count and its highest ids, so it
is rebuilt only when the library changes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer import paths
from moodplayer.exceptions import RecommendError

log = logging.getLogger(__name__)

#: Numeric columns of ``TrackMatrix.features``, in order; ``mode`` is 1 major, 0 minor.
FEATURES: tuple[str, ...] = (
    "bpm", "mode", "key_strength", "bpm_confidence", "loudness", "energy", "onset_rate",
    "brightness", "dissonance", "valence", "arousal", "confidence", "length", "popularity",
    "version",
)
#: beets flexible attribute -> feature column.
_FLEX_NUMERIC = {
    "moodtag_key_strength": "key_strength",
    "moodtag_bpm_confidence": "bpm_confidence",
    "moodtag_loudness": "loudness",
    "moodtag_energy": "energy",
    "moodtag_onset_rate": "onset_rate",
    "moodtag_brightness": "brightness",
    "moodtag_dissonance": "dissonance",
    "moodtag_valence": "valence",
    "moodtag_arousal": "arousal",
    "moodtag_confidence": "confidence",
    "moodtag_version": "version",
    "spotify_track_popularity": "popularity",
}
_FLEX_TEXT = ("moodtag_mode", "moodtag_mood", "moodtag_analyzed", "spotify_track_id")
_CACHE_VERSION = 2
_memory: dict[str, TrackMatrix] = {}


@dataclass(frozen=True)
class TrackMatrix:
    """Every track of a library: ids, text fields, and a float feature matrix."""

    ids: np.ndarray            #: beets item ids, int64
    paths: list[str]
    artists: list[str]
    titles: list[str]
    albums: list[str]
    keys: list[str]            #: initial_key, e.g. "C#m" ("" if unknown)
    moods: list[str]           #: moodtag_mood ("" if unknown)
    tags: list[tuple[str, ...]]  #: moodtag_tags, lower case
    spotify_ids: list[str]
    analyzed: np.ndarray       #: bool: the track carries moodtag annotations
    features: np.ndarray       #: float64 (n, len(FEATURES)), NaN where missing
    signature: tuple

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> np.ndarray:
        """One feature column by name (a view into ``features``)."""
        return self.features[:, FEATURES.index(name)]


def default_library() -> tuple[Path, Path]:
    """The library database and music directory from the user's beets configuration."""
    import beets

    try:
        return (Path(beets.config["library"].as_filename()),
                Path(beets.config["directory"].as_filename()))
    except Exception as exc:  # confuse raises its own errors for a broken config
        raise RecommendError(f"cannot read the beets configuration: {exc}") from exc


def _float(value: object) -> float:
    if value is None:
        return np.nan
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return np.nan
    return number if np.isfinite(number) else np.nan


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _tags(value: object) -> tuple[str, ...]:
    from beets.dbcore.types import MULTI_VALUE_DSV

    text = _text(value)
    return tuple(t.strip().lower() for t in MULTI_VALUE_DSV.parse(text) if t.strip())


def _mode(value: object) -> float:
    text = _text(value).strip().lower()
    return {"major": 1.0, "minor": 0.0}.get(text, np.nan)


def _open(db_path: Path, directory: Path | None):
    from beets.library import Library

    if not db_path.is_file():
        raise RecommendError(f"no beets library at {db_path}: import music with `beet import` "
                             f"or pass --library")
    try:
        return Library(str(db_path), str(directory) if directory else None,
                       set_music_dir=False)
    except Exception as exc:  # beets wraps sqlite errors in its own types
        raise RecommendError(f"cannot open the beets library {db_path}: {exc}") from exc


def _stat_key(db_path: Path) -> tuple:
    parts = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{db_path}{suffix}")
        except FileNotFoundError:
            parts.append(None)
        else:
            parts.append((st.st_mtime_ns, st.st_size))
    return tuple(parts)


def library_signature(db_path: str | Path) -> tuple:
    """What identifies one state of the library: file times, item count and highest ids."""
    db_path = Path(db_path)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        count, max_id = con.execute("SELECT count(*), max(id) FROM items").fetchone()
        (max_attr,) = con.execute("SELECT max(id) FROM item_attributes").fetchone()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise RecommendError(f"the beets library {db_path} is locked by another program "
                                 "(a running `beet import`?); try again when it is done"
                                 ) from exc
        raise RecommendError(f"{db_path} is not a beets library ({exc})") from exc
    finally:
        con.close()
    return (_CACHE_VERSION, *_stat_key(db_path), count, max_id, max_attr)


def _floats(values: tuple) -> np.ndarray:
    """A column of SQL values as floats; NaN for missing, unreadable or infinite ones."""
    try:
        out = np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        out = np.array([_float(v) for v in values], dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def _read(db_path: Path, directory: Path | None, signature: tuple) -> TrackMatrix:
    from beets.library import Item

    lib = _open(db_path, directory or default_library()[1])
    path_type = Item._fields["path"]
    flex = (*_FLEX_NUMERIC, *_FLEX_TEXT, "moodtag_tags")
    # One pass: the flexible attributes pivoted into columns beside the item's own.
    pivot = ", ".join(f"max(CASE WHEN key = '{k}' THEN value END)" for k in flex)
    marks = ",".join("?" * len(flex))
    with lib.transaction() as tx:
        rows = tx.query(
            f"SELECT i.id, i.path, i.artist, i.title, i.album, i.length, i.bpm, "
            f"i.initial_key, f.* FROM items i LEFT JOIN (SELECT entity_id, {pivot} "
            f"FROM item_attributes WHERE key IN ({marks}) GROUP BY entity_id) f "
            f"ON f.entity_id = i.id ORDER BY i.id", flex)
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (9 + len(flex))
    ids, raw_paths, artists, titles, albums, length, bpm, keys = columns[:8]
    attr = dict(zip(flex, columns[9:], strict=True))
    features = np.full((n, len(FEATURES)), np.nan)
    col = {name: FEATURES.index(name) for name in FEATURES}
    features[:, col["length"]] = _floats(length)
    bpms = _floats(bpm)
    bpms[bpms <= 0] = np.nan
    features[:, col["bpm"]] = bpms
    for key, name in _FLEX_NUMERIC.items():
        features[:, col[name]] = _floats(attr[key])
    features[:, col["mode"]] = [_mode(m) for m in attr["moodtag_mode"]]
    with lib.music_dir_context():
        paths_ = [os.fsdecode(path_type.from_sql(p) or b"") for p in raw_paths]
    moods = [_text(m).strip().lower() for m in attr["moodtag_mood"]]
    analyzed = (np.array([bool(a) for a in attr["moodtag_analyzed"]], dtype=bool)
                | np.array([bool(m) for m in moods], dtype=bool)
                | ~np.isnan(features[:, col["valence"]]))
    return TrackMatrix(
        ids=np.array(ids, dtype=np.int64),
        paths=paths_,
        artists=[_text(v) for v in artists],
        titles=[_text(v) for v in titles],
        albums=[_text(v) for v in albums],
        keys=[_text(v).strip() for v in keys],
        moods=moods,
        tags=[_tags(v) if v else () for v in attr["moodtag_tags"]],
        spotify_ids=[_text(v).strip() for v in attr["spotify_track_id"]],
        analyzed=analyzed,
        features=features,
        signature=signature,
    )


def _cache_file(key: str) -> Path:
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return paths.cache_dir() / f"library-{digest}.npz"


_SEP = "\x1f"


def _save(matrix: TrackMatrix, file: Path) -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        signature=np.array([repr(matrix.signature)]),
        ids=matrix.ids,
        features=matrix.features,
        analyzed=matrix.analyzed,
        **{name: np.array(getattr(matrix, name), dtype=str)
           for name in ("paths", "artists", "titles", "albums", "keys", "moods",
                        "spotify_ids")},
        tags=np.array([_SEP.join(t) for t in matrix.tags], dtype=str),
    )
    paths.write_private(file, buffer.getvalue())


def _load(file: Path, signature: tuple) -> TrackMatrix | None:
    try:
        with np.load(file, allow_pickle=False) as data:
            if str(data["signature"][0]) != repr(signature):
                return None
            return TrackMatrix(
                ids=data["ids"],
                features=data["features"],
                analyzed=data["analyzed"],
                tags=[tuple(t.split(_SEP)) if t else () for t in data["tags"].tolist()],
                signature=signature,
                **{name: data[name].tolist()
                   for name in ("paths", "artists", "titles", "albums", "keys", "moods",
                                "spotify_ids")},
            )
    except (OSError, KeyError, ValueError) as exc:
        log.debug("library cache %s unusable: %s", file, exc)
        return None


def load_tracks(db_path: str | Path, directory: str | Path | None = None,
                *, use_cache: bool = True) -> TrackMatrix:
    """Every track of the beets library at ``db_path``; rebuilt only when it changed.

    ``directory`` is the library's music directory (beets stores paths relative to it;
    default: beets' configured ``directory``). Raises RecommendError if the file is
    missing or not a beets library.
    """
    db_path = Path(db_path).expanduser().resolve()
    if not db_path.is_file():
        raise RecommendError(f"no beets library at {db_path}: import music with `beet import` "
                             f"or pass --library")
    signature = library_signature(db_path)
    key = f"{db_path}\0{directory or ''}"
    cached = _memory.get(key)
    if use_cache and cached is not None and cached.signature == signature:
        return cached
    file = _cache_file(key)
    matrix = _load(file, signature) if use_cache else None
    if matrix is None:
        matrix = _read(db_path, Path(directory) if directory else None, signature)
        if use_cache:
            try:
                _save(matrix, file)
            except OSError as exc:
                log.warning("cannot cache the library matrix in %s: %s", file, exc)
    _memory[key] = matrix
    return matrix


def changed(matrix: TrackMatrix, db_path: str | Path) -> bool:
    """Whether the database file changed since ``matrix`` was read (a cheap stat check)."""
    return _stat_key(Path(db_path).expanduser().resolve()) != matrix.signature[1:3]
