"""Recommender performance on a 100,000-track beets library, against beets' own API.

    .venv/bin/python bench/recommend_perf.py [--tracks 100000] [--queries 200]

Measures, in one run:
- building the feature matrix from beets (``load_tracks``, cold: no cache), against the
  anchor ``list(lib.items())`` (beets' own way to read every item with its fields);
- loading it again from the disk cache (a restarted agent);
- ranking latency per query after the first (match n=1, match n=10, uplift n=10),
  against the anchor: one beets query ``moodtag_mood:happy bpm:120..140``;
- memory: the matrix and derived arrays (bytes), and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from beets.dbcore.types import MULTI_VALUE_DELIMITER
from beets.library import Item, Library

from moodplayer.emotion import MOODS, VA, mood_of
from moodplayer.music import library as mlib
from moodplayer.recommend import FeedbackStore, MoodEstimate, Recommender, make_policy

TAGS = ("happy", "sad", "chill", "party", "dark", "indie", "rock", "feel good")


def build(root: Path, n: int, seed: int = 1) -> tuple[Path, Path]:
    """A beets library with ``n`` annotated items (5 % without annotations)."""
    rng = np.random.default_rng(seed)
    music = root / "music"
    music.mkdir()
    db = root / "library.db"
    lib = Library(str(db), str(music))
    with lib.transaction():
        for k in range(n):
            fields: dict = {"artist": f"Artist {k % 5000}", "title": f"Track {k}",
                            "album": f"Album {k % 9000}", "length": 200.0}
            if rng.random() > 0.05:
                v, a = (float(x) for x in rng.uniform(-1, 1, 2))
                fields |= {"bpm": int(rng.integers(60, 180)), "initial_key": "A",
                           "moodtag_mode": "major" if rng.random() < 0.6 else "minor",
                           "moodtag_valence": v, "moodtag_arousal": a,
                           "moodtag_energy": float(rng.random()),
                           "moodtag_brightness": float(rng.random()),
                           "moodtag_key_strength": float(rng.random()),
                           "moodtag_mood": mood_of(VA(v, a)), "moodtag_version": 1,
                           "moodtag_analyzed": "2026-11-24T00:00:00",
                           "moodtag_tags": MULTI_VALUE_DELIMITER.join(
                               rng.choice(TAGS, 2, replace=False))}
            Item(path=str(music / f"{k:06d}.mp3"), **fields).add(lib)
    lib._close()
    return db, music


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def latencies(rec: Recommender, moods: list[MoodEstimate], n: int) -> list[float]:
    """Per-query wall times (ms) of ``rec.suggest`` over ``moods``."""
    out = []
    for mood in moods:
        t0 = time.perf_counter()
        rec.suggest(mood, n)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t_fill, (db, music) = timed(lambda: build(root, args.tracks))
        print(f"library: {args.tracks} items written with beets in {t_fill:.1f} s")

        lib = Library(str(db), str(music))
        t_anchor_read, items = timed(lambda: list(lib.items()))
        del items
        t_cold, tracks = timed(lambda: mlib.load_tracks(db, music, use_cache=False))
        mlib._memory.clear()
        mlib.load_tracks(db, music)  # writes the disk cache
        mlib._memory.clear()
        t_disk, _ = timed(lambda: mlib.load_tracks(db, music))
        print(f"feature matrix from beets (cold): {t_cold:.2f} s; anchor list(lib.items()): "
              f"{t_anchor_read:.2f} s; ratio {t_anchor_read / t_cold:.1f}x faster")
        print(f"feature matrix from the disk cache: {t_disk * 1000:.0f} ms")

        rng = np.random.default_rng(0)
        moods = [MoodEstimate(VA(*rng.uniform(-1, 1, 2)), str(rng.choice(MOODS)),
                              float(rng.random())) for _ in range(args.queries)]
        with FeedbackStore(root / "fb.sqlite3") as store:
            t_first, _ = timed(lambda: Recommender(db, store, directory=music, user="u",
                                                   seed=1).suggest(moods[0], 10))
            rec = Recommender(db, store, directory=music, user="u", seed=1)
            rec.suggest(moods[0], 1)
            for pick in rec.suggest(moods[1], 10):  # a learner with some evidence
                rec.feedback(pick.item_id, "skipped")
            rows = []
            for label, r, n in (("match n=1", rec, 1), ("match n=10", rec, 10)):
                rows.append((label, latencies(r, moods, n)))
            up = Recommender(db, store, None, make_policy("uplift", "calm"), directory=music,
                             user="u", seed=1)
            up.suggest(moods[0], 1)
            rows.append(("uplift n=10", latencies(up, moods, 10)))
            t_query, hits = timed(lambda: list(lib.items("moodtag_mood:happy bpm:120..140")))
            print(f"first query (loads matrix, derives arrays): {t_first * 1000:.0f} ms")
            print(f"anchor: beets query 'moodtag_mood:happy bpm:120..140' ({len(hits)} hits): "
                  f"{t_query * 1000:.0f} ms")
            print(f"{'ranking per query':<20}{'median ms':>10}{'p95 ms':>10}{'vs anchor':>11}")
            for label, ms in rows:
                median = statistics.median(ms)
                p95 = float(np.percentile(ms, 95))
                print(f"{label:<20}{median:10.2f}{p95:10.2f}{t_query * 1000 / median:10.0f}x")
            f = rec._features
            derived = sum(a.nbytes for a in (f.valence, f.arousal, f.bpm, f.mode, f.energy,
                                             f.brightness, f.popularity, f.has_tags,
                                             f.artist_codes, rec._static_x))
            derived += sum(a.nbytes for a in f.tag_fit.values())
            print(f"memory: feature matrix {tracks.features.nbytes / 2**20:.1f} MiB, derived "
                  f"arrays {derived / 2**20:.1f} MiB, process peak RSS "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
                  f"(timings are wall clock)")
        lib._close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
