"""Simulated listeners against the recommender: random vs static table vs learner.

    .venv/bin/python bench/recommend_simulate.py [--listeners 40] [--picks 200]
        [--confusion models/moodplayer-fer.card.json] [--out results.json]

Each simulated listener (bench/recommend_listeners.py: hidden taste, drifting mood, a
face read through the FER model's measured confusion matrix) hears ``--picks`` tracks,
one at a time, chosen by each policy in turn from the same real beets library, with the
same mood trajectory and face readings:

- random: a uniformly random track;
- static: ``Recommender(learning=False)``, the mood table alone (match policy);
- learner: ``Recommender(learning=True)``, the table plus the per-user learner, the
  play/skip history and the session's mood belief, fed every skip, play and thumb
  through ``feedback()``.

Reported: the skip rate per block of 25 picks and overall, and the mood-match rate
(the track's *true* mood region equals the listener's true mood at that moment).
The confusion matrix is read from the model card (key ``confusion_matrix``: rows the
true class in FER_CLASSES order, counts); the bench refuses to run without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from beets.dbcore.types import MULTI_VALUE_DELIMITER
from beets.library import Item, Library
from recommend_listeners import Catalogue, Listener, make_catalogue

from moodplayer.emotion import FER_CLASSES
from moodplayer.recommend import FeedbackStore, MoodEstimate, Recommender
from moodplayer.resources import model_file

DEFAULT_CARD = model_file("moodplayer-fer.card.json")
BLOCK = 25


def load_confusion(path: Path) -> tuple[np.ndarray, str]:
    """The FER confusion matrix (counts, rows = true class in FER_CLASSES order) and
    where in the file it was found: key ``confusion_matrix``, else ``test.confusion``."""
    if not path.is_file():
        sys.exit(f"recommend_simulate: no confusion matrix: {path} is absent (the vision "
                 f"part exports it with the model card); pass --confusion PATH")
    data = json.loads(path.read_text())
    where, classes = "confusion_matrix", data.get("classes", FER_CLASSES)
    matrix = data.get("confusion_matrix")
    if matrix is None and isinstance(data.get("test"), dict):
        where, classes = "test.confusion", data["test"].get("classes", classes)
        matrix = data["test"].get("confusion")
    if matrix is None:
        sys.exit(f"recommend_simulate: {path} has no confusion_matrix (nor test.confusion)")
    if list(classes) != list(FER_CLASSES):
        sys.exit(f"recommend_simulate: {path}: classes {classes} are not in FER_CLASSES order "
                 f"{list(FER_CLASSES)}")
    matrix = np.asarray(matrix, dtype=float)
    n = len(FER_CLASSES)
    if matrix.shape != (n, n) or (matrix < 0).any() or (matrix.sum(axis=1) <= 0).any():
        sys.exit(f"recommend_simulate: {path}: {where} must be {n}x{n} non-negative "
                 f"counts with no empty row, got shape {matrix.shape}")
    return matrix, f"{path}:{where}"


def build_library(cat: Catalogue, root: Path) -> tuple[Path, Path]:
    """Write the catalogue's annotations into a real beets library; returns (db, music dir)."""
    music = root / "music"
    music.mkdir()
    db = root / "library.db"
    lib = Library(str(db), str(music))
    with lib.transaction():
        for k, fields in enumerate(cat.annotations):
            fields = dict(fields)
            if "moodtag_tags" in fields:
                fields["moodtag_tags"] = MULTI_VALUE_DELIMITER.join(fields["moodtag_tags"])
            item = Item(path=str(music / f"{k:05d}.mp3"), **fields)
            item.add(lib)
    lib._close()
    return db, music


def run_listener(policy: str, cat: Catalogue, seed: int, confusion: np.ndarray, picks: int,
                 db: Path, music: Path, workdir: Path, options: dict
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One listener's session under ``policy``: (skipped, mood_match) per pick."""
    listener = Listener(seed, int(cat.artist.max()) + 1, confusion)
    skipped = np.zeros(picks, dtype=bool)
    matched = np.zeros(picks, dtype=bool)
    rng = np.random.default_rng([seed, 9])
    store = FeedbackStore(workdir / f"{policy}-{seed}.sqlite3")
    rec = None
    if policy != "random":
        rec = Recommender(db, store, directory=music, user=f"listener{seed}",
                          learning=policy == "learner", seed=seed, **options)
    for t in range(picks):
        listener.drift()
        estimate = MoodEstimate.from_probabilities(listener.face())
        if rec is None:
            k = int(rng.integers(len(cat)))
        else:
            pick = rec.suggest(estimate, 1)[0]
            k = int(Path(pick.path).stem)  # build_library names files by catalogue index
        answer = listener.react(cat, k)
        skipped[t] = answer in ("skipped", "dislike")
        matched[t] = cat.true_mood(k) == listener.mood
        if rec is not None:
            rec.feedback(pick.item_id, answer)
    store.close()
    return skipped, matched


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and print the table (and write JSON with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=40)
    parser.add_argument("--picks", type=int, default=200)
    parser.add_argument("--tracks", type=int, default=3000)
    parser.add_argument("--artists", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--confusion", type=Path, default=DEFAULT_CARD,
                        help="JSON with key confusion_matrix (default: the model card)")
    parser.add_argument("--explore", type=float, default=0.05,
                        help="the learner's exploration scale (Recommender default 0.05)")
    parser.add_argument("--learner-weight", type=float, default=2.0,
                        help="the learner's weight in the score (Recommender default 2.0)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    confusion, source = load_confusion(args.confusion)
    started = time.perf_counter()
    cat = make_catalogue(args.tracks, args.artists, args.seed)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db, music = build_library(cat, work)
        for policy in ("random", "static", "learner"):
            options = ({"explore": args.explore, "learner_weight": args.learner_weight}
                       if policy == "learner" else {})
            runs = [run_listener(policy, cat, args.seed * 1000 + i, confusion, args.picks,
                                 db, music, work, options) for i in range(args.listeners)]
            skips = np.array([r[0] for r in runs])
            match = np.array([r[1] for r in runs])
            blocks = [(b, min(b + BLOCK, args.picks)) for b in range(0, args.picks, BLOCK)]
            results[policy] = {
                "skip_rate": float(skips.mean()),
                "mood_match": float(match.mean()),
                "skip_rate_by_block": {f"{a + 1}-{b}": float(skips[:, a:b].mean())
                                       for a, b in blocks},
                "mood_match_by_block": {f"{a + 1}-{b}": float(match[:, a:b].mean())
                                        for a, b in blocks},
            }
    elapsed = time.perf_counter() - started
    print(f"{args.listeners} listeners x {args.picks} picks, {args.tracks} tracks, "
          f"confusion from {source} ({elapsed:.0f} s)\n")
    blocks = list(results["random"]["skip_rate_by_block"])
    print("skip rate by pick  " + "".join(f"{b:>9}" for b in blocks) + "      all  match")
    for policy, r in results.items():
        print(f"{policy:<18}" + "".join(f"{v:9.3f}" for v in r["skip_rate_by_block"].values())
              + f"{r['skip_rate']:9.3f}{r['mood_match']:7.3f}")
    print("mood match by pick " + "".join(f"{b:>9}" for b in blocks))
    for policy, r in results.items():
        print(f"{policy:<18}"
              + "".join(f"{v:9.3f}" for v in r["mood_match_by_block"].values()))
    static, learner = results["static"], results["learner"]
    at100 = next(b for b in blocks if b.endswith("-100"))
    cut = 1 - learner["skip_rate_by_block"][at100] / static["skip_rate_by_block"][at100]
    static_vs_random = results["random"]["skip_rate"] / static["skip_rate"]
    print(f"\nstatic vs random: random skips {static_vs_random:.2f}x as often as static")
    print(f"learner vs static, picks {at100}: skip rate cut by {cut:.0%} (goal >= 30 %); "
          f"mood match {learner['mood_match']:.3f} vs {static['mood_match']:.3f}")
    summary = {"args": {k: str(v) for k, v in vars(args).items()}, "confusion": source,
               "results": results,
               "learner_cut_at_100": cut, "random_over_static_skips": static_vs_random,
               "seconds": elapsed}
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
