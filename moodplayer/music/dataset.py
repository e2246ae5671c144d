"""The labelled clips the music model learns from, and their features, cached on disk.

``load_labels(data)`` reads ``labels.csv`` (file, song, artist, quadrant Q1..Q4) of a
4-quadrant set such as ``../shared/data/mer4q``; ``load_ratings(data)`` reads the
``labels.csv`` of a set rated on continuous 1-5 scales (file, genre, artist, the mean and
standard deviation of valence and of arousal) such as ``../shared/data/musifeast``.
``extract(data, rows, jobs)`` analyses
the clips with the same code ``beet moodtag`` runs (``batch.analyze_many``) and caches
the feature matrix under ``moodplayer.paths.cache_dir() / "music"`` keyed on the analysis
version, the feature list and each file's size and mtime, so retraining costs seconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer import paths
from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import ANALYSIS_VERSION, AnalysisSettings
from moodplayer.music.batch import analyze_many
from moodplayer.music.model import FEATURES, QUADRANTS, Quadrant, features

log = logging.getLogger(__name__)

#: Most worker processes feature extraction may use.
MAX_JOBS = 2
#: The analysis settings ``beet moodtag`` runs with by default: training sees the same.
DEFAULT_SETTINGS = AnalysisSettings()


@dataclass(frozen=True)
class Clip:
    """One labelled clip."""

    file: str  # relative to the data folder
    artist: str
    quadrant: Quadrant

    @property
    def valence(self) -> int:
        """1 for the pleasant quadrants (Q1, Q4), else 0."""
        return int(self.quadrant in ("Q1", "Q4"))

    @property
    def arousal(self) -> int:
        """1 for the excited quadrants (Q1, Q2), else 0."""
        return int(self.quadrant in ("Q1", "Q2"))


#: The middle of the rating scale of ``Rated`` clips (1..5): neither pleasant nor not.
RATING_MIDDLE = 3.0
#: Columns a rated set's labels.csv needs.
RATING_COLUMNS = ("file", "genre", "artist", "valence_mean", "valence_sd", "arousal_mean",
                  "arousal_sd")


@dataclass(frozen=True)
class Rated:
    """One clip rated by many listeners on 1..5 scales: their mean and spread per axis."""

    file: str  # relative to the data folder
    artist: str
    genre: str
    valence_mean: float
    valence_sd: float
    arousal_mean: float
    arousal_sd: float


def _rows(labels: Path) -> list[dict[str, str]]:
    try:
        with labels.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise AnalysisError(f"{labels}: cannot read the labels ({exc.strerror})") from exc


def load_ratings(data: Path) -> list[Rated]:
    """The rated clips of ``data/labels.csv``; AnalysisError naming the file and line if
    a column is missing or a rating is not a number (sd > 0)."""
    labels = data / "labels.csv"
    clips = []
    for n, row in enumerate(_rows(labels), start=2):
        try:
            if not all(row.get(c) for c in RATING_COLUMNS):
                raise ValueError("a column is empty")
            values = [float(row[c]) for c in RATING_COLUMNS[3:]]
            if not all(np.isfinite(values)) or min(values[1], values[3]) <= 0:
                raise ValueError("not finite")
        except ValueError as exc:
            raise AnalysisError(f"{labels}:{n}: expected {', '.join(RATING_COLUMNS)} with "
                                f"numeric ratings and positive sds ({exc})") from exc
        clips.append(Rated(row["file"], row["artist"], row["genre"], *values))
    if not clips:
        raise AnalysisError(f"{labels}: no clips listed")
    return clips


def load_labels(data: Path) -> list[Clip]:
    """The clips listed in ``data/labels.csv``; AnalysisError naming the file if unusable."""
    labels = data / "labels.csv"
    rows = _rows(labels)
    clips = []
    for n, row in enumerate(rows, start=2):
        if row.get("quadrant") not in QUADRANTS or not row.get("file"):
            raise AnalysisError(f"{labels}:{n}: expected a file and a quadrant of "
                                f"{', '.join(QUADRANTS)}")
        # A clip without an artist is its own group: it can only be on one side of a split.
        artist = row.get("artist") or f"(unknown artist of {row['file']})"
        clips.append(Clip(row["file"], artist, row["quadrant"]))
    if not clips:
        raise AnalysisError(f"{labels}: no clips listed")
    return clips


def _cache_key(data: Path, clips: Sequence[Clip | Rated], settings: AnalysisSettings) -> str:
    h = hashlib.sha256(f"{ANALYSIS_VERSION}\0{FEATURES}\0{settings}".encode())
    for clip in clips:
        st = (data / clip.file).stat()
        h.update(f"{clip.file}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def cache_file(data: Path, clips: Sequence[Clip | Rated], settings: AnalysisSettings) -> Path:
    """Where the features of ``clips`` are cached."""
    return paths.cache_dir() / "music" / f"features-{_cache_key(data, clips, settings)}.npz"


def extract(data: Path, clips: Sequence[Clip | Rated], jobs: int = MAX_JOBS,
            settings: AnalysisSettings = DEFAULT_SETTINGS,
            use_cache: bool = True) -> np.ndarray:
    """Feature rows (len(clips), len(FEATURES)) of the clips; NaN rows where analysis failed."""
    file = cache_file(data, clips, settings)
    if use_cache and file.is_file():
        with np.load(file, allow_pickle=False) as cached:
            return cached["x"]
    jobs = max(1, min(jobs, MAX_JOBS))
    index = {str(data / c.file): i for i, c in enumerate(clips)}
    x = np.full((len(clips), len(FEATURES)), np.nan)
    for done, outcome in enumerate(analyze_many(list(index), settings, jobs), start=1):
        if outcome.analysis is None:
            log.warning("%s", outcome.error)
        else:
            x[index[outcome.path]] = features(outcome.analysis)
        if done % 50 == 0:
            log.info("analysed %s of %s clips", done, len(clips))
    buffer = io.BytesIO()
    np.savez(buffer, x=x)
    paths.write_private(file, buffer.getvalue())
    return x
