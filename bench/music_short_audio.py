"""How short a track can be and still get an emotion estimate worth storing.

Every clip of the data sets below (30 s each) is decoded once; then its middle L seconds,
for each length L, go through the same analysis and model ``beet moodtag`` runs
(``analyze.analyze_samples`` with ``min_duration`` 0, so only ``analyze.SHORTEST``
holds; ``model.load_model().predict``).
Per length: how many clips the analysis refuses or fails on, Spearman's rank correlation
of valence and arousal with the listeners' ratings (musifeast, which the shipped model
did not learn from) or the quadrant AUCs (mer4q: the model's own training clips, so
optimistic), the correlation with the same clip's full-length estimate, the share of
clips whose quadrant agrees with the full-length one, the share whose quadrant is the
listeners' (musifeast: the signs of the mean ratings less 3), and the mean confidence
(the model's probability of the quadrant it names: beside the share right, how well it
knows what it heard). The anchor is the full 30 s clip in the same run. ``beet
moodtag``'s ``min_duration`` default is chosen from these figures
(docs/benchmarks/music-short-audio.md).

    .venv/bin/python bench/music_short_audio.py [--data ../shared/data] [-n 0]
        [--lengths 1.5,2,3,4,5,6,8,10,15,30]
        [--sets musifeast,mer4q]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import AnalysisSettings, analyze_samples
from moodplayer.music.decode import SAMPLE_RATE, decode_excerpt
from moodplayer.music.model import load_model

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETTINGS = AnalysisSettings(excerpt=0, min_duration=0)


def _rows(data: Path, name: str, n: int) -> list[dict[str, str]]:
    with (data / name / "labels.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if n and n < len(rows):  # an even spread over the file's order (quadrants, genres)
        rows = [rows[i] for i in np.linspace(0, len(rows) - 1, n).astype(int)]
    return rows


def estimates(data: Path, name: str, rows: list[dict[str, str]],
              lengths: list[float]) -> dict[float, list[tuple[float, float, float] | None]]:
    """length -> per clip (valence, arousal, confidence), None where the analysis refused."""
    model = load_model()
    out: dict[float, list[tuple[float, float, float] | None]] = {length: [] for length in lengths}
    for i, row in enumerate(rows, start=1):
        decoded = decode_excerpt(data / name / row["file"], 0)
        for length in lengths:
            n = int(length * SAMPLE_RATE)
            start = max(0, (len(decoded.samples) - n) // 2)
            part = decoded.samples[start:start + n]
            try:
                analysis = analyze_samples(part, len(part) / SAMPLE_RATE, SETTINGS,
                                           name=row["file"])
                p = model.predict(analysis)
                out[length].append((p.valence, p.arousal, p.confidence))
            except (AnalysisError, RuntimeError, ValueError) as exc:
                print(f"  {name} {row['file']} at {length:g} s: {exc}", file=sys.stderr)
                out[length].append(None)
        if i % 20 == 0:
            print(f"  {name}: {i}/{len(rows)} clips", file=sys.stderr)
    return out


def _quadrant(v: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(a >= 0, np.where(v >= 0, 1, 2), np.where(v >= 0, 4, 3))


def report(name: str, rows: list[dict[str, str]], found: dict, lengths: list[float]) -> None:
    """One table row per length."""
    full = np.array([e if e else (np.nan,) * 3 for e in found[max(lengths)]])
    if name == "musifeast":  # ratings 1..5, 3 the middle
        head = "valence rho | arousal rho"
        truth = (np.array([float(r["valence_mean"]) for r in rows]),
                 np.array([float(r["arousal_mean"]) for r in rows]))
        quadrants = _quadrant(truth[0] - 3, truth[1] - 3)
    else:
        head = "valence AUC | arousal AUC"
        truth = (np.array([r["quadrant"] in ("Q1", "Q4") for r in rows]),
                 np.array([r["quadrant"] in ("Q1", "Q2") for r in rows]))
        quadrants = np.array([int(r["quadrant"][1]) for r in rows])
    print(f"\n{name}, {len(rows)} clips; anchor: the whole {max(lengths):g} s clip")
    print(f"| seconds | refused | {head} | rho with full (v / a) | quadrant as full "
          "| quadrant right | mean confidence |")
    print("|---|---|---|---|---|---|---|---|")
    for length in lengths:
        ok = np.array([e is not None for e in found[length]])
        est = np.array([e if e else (np.nan,) * 3 for e in found[length]])
        keep = ok & ~np.isnan(full[:, 0])
        if keep.sum() < 3:
            print(f"| {length:g} | {int((~ok).sum())} | - | - | - | - | - | - |")
            continue
        v, a, c = est[keep].T
        if name == "musifeast":
            first = spearmanr(v, truth[0][keep])[0]
            second = spearmanr(a, truth[1][keep])[0]
        else:
            first = roc_auc_score(truth[0][keep], v)
            second = roc_auc_score(truth[1][keep], a)
        fv, fa = full[keep, 0], full[keep, 1]
        agree = np.mean(_quadrant(v, a) == _quadrant(fv, fa))
        right = np.mean(_quadrant(v, a) == quadrants[keep])
        print(f"| {length:g} | {int((~ok).sum())} | {first:.3f} | {second:.3f} | "
              f"{spearmanr(v, fv)[0]:.3f} / {spearmanr(a, fa)[0]:.3f} | {100 * agree:.0f} % "
              f"| {100 * right:.0f} % | {np.mean(c):.3f} |")


def main() -> int:
    """Measure every length on both data sets and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("-n", type=int, default=0, help="clips per data set (0: all)")
    ap.add_argument("--lengths", default="1.5,2,3,4,5,6,8,10,15,30")
    ap.add_argument("--sets", default="musifeast,mer4q", help="data sets, comma-separated")
    args = ap.parse_args()
    lengths = sorted(float(x) for x in args.lengths.split(","))
    for name in args.sets.split(","):
        if not (args.data / name / "labels.csv").is_file():
            print(f"{args.data / name}: absent, skipped", file=sys.stderr)
            continue
        rows = _rows(args.data, name, args.n)
        t = time.perf_counter()
        found = estimates(args.data, name, rows, lengths)
        report(name, rows, found, lengths)
        print(f"({time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
