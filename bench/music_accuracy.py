"""Key and tempo accuracy of moodplayer.music on ../shared/data/keytempo (150 labelled clips).

Key: MIREX weighted score (1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel), exact share
and mode accuracy. Tempo: Acc1 (within 4 %) and Acc2 (also at 2x, 1/2, 3x, 1/3 the tempo).
Anchor in the same run: librosa's beat_track tempo (what beets' autobpm uses) on the same
clips, as a ratio, when librosa is installed (``pip install -e '.[bench]'``).

    .venv/bin/python bench/music_accuracy.py [--data DIR] [--profile bgate]
        [--method degara] [--jobs 0] [--no-anchor]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

from moodplayer.music.analyze import KEY_PROFILES, RHYTHM_METHODS, AnalysisSettings
from moodplayer.music.batch import analyze_many
from moodplayer.music.samples import tonic_index

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "keytempo"


def mirex_key_score(ref_key: str, ref_mode: str, key: str, mode: str) -> float:
    """MIREX weighted key score of an estimate against a reference."""
    r, e = tonic_index(ref_key), tonic_index(key)
    if (r, ref_mode) == (e, mode):
        return 1.0
    if ref_mode == mode and (e - r) % 12 in (5, 7):
        return 0.5
    if ref_mode == "major" and mode == "minor" and (e - r) % 12 == 9:
        return 0.3
    if ref_mode == "minor" and mode == "major" and (e - r) % 12 == 3:
        return 0.3
    if r == e:
        return 0.2
    return 0.0


def tempo_hits(ref: float, est: float, tol: float = 0.04) -> tuple[bool, bool]:
    """(Acc1, Acc2) hits of a tempo estimate."""
    acc1 = abs(est - ref) <= tol * ref
    acc2 = any(abs(est - f * ref) <= tol * f * ref for f in (1, 2, 0.5, 3, 1 / 3))
    return acc1, acc2


def librosa_tempo(path: Path) -> float:
    """Tempo the way beets' autobpm computes it (librosa.load + beat_track)."""
    import librosa
    import numpy as np

    with warnings.catch_warnings():  # m4a/opus: "PySoundFile failed. Trying audioread"
        warnings.simplefilter("ignore")
        y, sr = librosa.load(path, res_type="kaiser_fast")
    tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
    return float(tempo[0] if isinstance(tempo, np.ndarray) else tempo)


def main() -> int:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--profile", default="bgate", choices=KEY_PROFILES)
    ap.add_argument("--method", default="degara", choices=RHYTHM_METHODS)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--no-anchor", action="store_true", help="skip the librosa anchor")
    args = ap.parse_args()
    labels = args.data / "labels.csv"
    if not labels.is_file():
        print(f"{labels} is absent: the labelled clips are not part of the project",
              file=sys.stderr)
        return 2
    rows = {r["file"]: r for r in csv.DictReader(labels.open(encoding="utf-8"))}
    settings = AnalysisSettings(key_profile=args.profile, rhythm_method=args.method)
    start = time.perf_counter()
    results = {Path(o.path).name: o for o in
               analyze_many([str(args.data / f) for f in rows], settings, args.jobs)}
    elapsed = time.perf_counter() - start
    key_scores, exact, modes = [], [], []
    by_mode: dict[str, list[float]] = defaultdict(list)
    acc1, acc2, failed = [], [], []
    tempo_files = []
    for name, row in rows.items():
        out = results[name]
        if out.analysis is None:
            failed.append(out.error)
            continue
        a = out.analysis
        score = mirex_key_score(row["key"], row["mode"], a.key, a.mode)
        key_scores.append(score)
        by_mode[row["mode"]].append(score)
        exact.append(score == 1.0)
        modes.append(a.mode == row["mode"])
        if row["bpm"]:
            h1, h2 = tempo_hits(float(row["bpm"]), a.bpm)
            acc1.append(h1)
            acc2.append(h2)
            tempo_files.append((name, float(row["bpm"])))

    def mean(xs: list) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    print(f"moodplayer.music (key profile {args.profile}, rhythm {args.method}) on "
          f"{len(rows)} clips in {elapsed:.1f} s, {len(failed)} failed")
    print(f"  key MIREX weighted   {mean(key_scores):.3f}   (goal >= 0.85)")
    print(f"  key exact            {mean(exact):.3f}")
    for m, s in sorted(by_mode.items()):
        print(f"  key MIREX, {m:5s} ref {mean(s):.3f}  ({len(s)} clips)")
    print(f"  mode accuracy        {mean(modes):.3f}")
    print(f"  tempo Acc1 (4 %)     {mean(acc1):.3f}   ({len(acc1)} clips with a tempo label)")
    print(f"  tempo Acc2 (4 %)     {mean(acc2):.3f}   (goal >= 0.97)")
    for err in failed:
        print(f"  failed: {err}")
    if not args.no_anchor:
        try:
            import librosa  # noqa: F401
        except ImportError:
            print("anchor skipped: librosa is not installed (pip install -e '.[bench]')")
            return 0
        a1, a2 = [], []
        for name, ref in tempo_files:
            h1, h2 = tempo_hits(ref, librosa_tempo(args.data / name))
            a1.append(h1)
            a2.append(h2)
        print(f"anchor: librosa beat_track (beets autobpm) on the same {len(a1)} clips")
        print(f"  tempo Acc1 {mean(a1):.3f}  Acc2 {mean(a2):.3f}   ratio moodtag/anchor: "
              f"Acc1 {mean(acc1) / mean(a1):.2f}x  Acc2 {mean(acc2) / mean(a2):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
