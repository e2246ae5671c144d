"""Track emotion against human labels: old rules, the trained model and VibeNet, one run.

Artist-grouped, quadrant-stratified k-fold cross-validation on ``../shared/data/mer4q``
(600 clips, quadrants Q1..Q4): valence AUC (Q1+Q4 vs Q2+Q3), arousal AUC (Q1+Q2 vs
Q3+Q4), quadrant accuracy at each model's natural centre and per-quadrant recall.

- ``rules v1``: the hand-weighted cues of analysis version 1 (z-scored over all clips as
  the "library", as ``beet moodtag`` did), on today's cue values.
- ``model``: ``moodplayer.music.train``'s procedure, refitted inside every fold, on the
  features the shipped model reads (``train.SELECTED``: the cues and musicnn's tags).
- ``no tags`` and ``all``: the same procedure on the cues and the essentia descriptors
  without musicnn's tags (model 3.0's inputs), and on every feature: the evidence for
  ``SELECTED``.
- ``vibenet``: VibeNet 0.1.0's valence and energy outputs (centre 0.5), where installed
  (``pip install vibenet``; GPL-3.0-or-later), on the same decoded samples.
- ``model+vn``: the same training with VibeNet's seven outputs appended to the features:
  what VibeNet would add as an input to the model (it is not shipped: see
  docs/benchmarks/music-emotion.md for its cost).

With ``--patches``: which of a clip's 3 s patches musicnn's taggers should hear. Every
whole patch of each clip's cue excerpt goes through both taggers once; then the model's
procedure is run on the cues and the mean tag logits over four patches spread evenly
(model 4.0's choice), the four quietest, all of them, and the four loudest (the shipped
choice, ``musicnn.patches``).

With ``--suggest``: a beets library of all clips is built twice, once with each clip's
out-of-fold model estimate (valence, arousal, confidence) and once with the version 1
rules, and ``moodplayer suggest --mood M -n 20 --no-learning`` is run on each for every
mood; the top-20 precision per mood is the share of picks in the listeners' quadrant of
that mood (happy Q1, tense Q2, sad Q3, calm Q4; energetic Q1; neutral only listed).
The same on each artist half of the clips (top 10 of 300), and the anchors: the 20
clips nearest each mood's centre, and the 20 the model gives the highest probability of
the mood's quadrant (the ceiling of a ranking that reads only the model).

Features are extracted once with at most 2 processes and cached (see
``moodplayer.music.dataset``). Needs the ``bench`` extra (scikit-learn, VibeNet).

    .venv/bin/python bench/music_emotion.py [--data ../shared/data/mer4q] [--folds 5]
        [--seed 0] [--no-vibenet] [--patches] [--suggest]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from moodplayer.emotion import MOOD_CENTRES, VA, mood_of
from moodplayer.music.analyze import ANALYSIS_VERSION
from moodplayer.music.dataset import Clip, extract, load_labels
from moodplayer.music.descriptors import DESCRIPTORS
from moodplayer.music.model import CUES, FEATURES, QUADRANTS, quadrant_point
from moodplayer.music.train import SELECTED, cross_validate, scores, split

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mer4q"

#: Analysis version 1's rules (moodplayer.music.affect before the trained model):
#: cue -> (prior mean, prior std), weights for arousal and valence, mode weight.
_PRIOR = {"bpm": (115.0, 25.0), "loudness": (-12.0, 4.0), "onset_rate": (3.0, 1.5),
          "centroid_mean": (2500.0, 900.0), "dynamic_range": (7.0, 4.0),
          "dissonance_mean": (0.45, 0.05)}
_AROUSAL = {"bpm": 0.30, "loudness": 0.25, "onset_rate": 0.20, "centroid_mean": 0.15,
            "dynamic_range": -0.10}
_VALENCE = {"dissonance_mean": -0.20, "bpm": 0.10, "centroid_mean": 0.10}
_MODE_WEIGHT = 0.6
_PRIOR_WEIGHT = 5.0


def rules_v1(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Version 1's valence and arousal of feature rows ``x``, z-scored over all of them."""
    n = len(x)
    z = {}
    for cue, (pm, ps) in _PRIOR.items():
        v = x[:, FEATURES.index(cue)]
        mean = (v.sum() + _PRIOR_WEIGHT * pm) / (n + _PRIOR_WEIGHT)
        std = math.sqrt((((v - mean) ** 2).sum() + _PRIOR_WEIGHT * ps**2) / (n + _PRIOR_WEIGHT))
        z[cue] = (v - mean) / std
    arousal = sum(w * z[c] for c, w in _AROUSAL.items())
    valence = _MODE_WEIGHT * x[:, FEATURES.index("mode_strength")] + sum(
        w * z[c] for c, w in _VALENCE.items())
    return np.tanh(valence), np.tanh(arousal)


def vibenet_outputs(data: Path, clips: list[Clip]) -> tuple[np.ndarray, float] | None:
    """VibeNet's seven outputs per clip and its seconds per clip; None if not installed."""
    try:
        import vibenet
    except ImportError:
        return None
    from moodplayer.music.decode import SAMPLE_RATE, decode_excerpt

    model = vibenet.load_model()
    out = np.zeros((len(clips), len(vibenet.labels)))
    start = time.perf_counter()
    for i, clip in enumerate(clips):
        samples = decode_excerpt(data / clip.file).samples
        result = model.predict(samples, sr=SAMPLE_RATE)[0].to_dict()
        out[i] = [result[name] for name in vibenet.labels]
    return out, (time.perf_counter() - start) / len(clips)


#: The moods ``--suggest`` asks for and the listeners' quadrant that counts as a hit:
#: energetic is pleasant and excited like happy (Q1); neutral has no quadrant (its picks
#: are listed, not scored).
SUGGEST_QUADRANTS: dict[str, str | None] = {
    "happy": "Q1", "tense": "Q2", "sad": "Q3", "calm": "Q4", "energetic": "Q1",
    "neutral": None}
#: The moods of issue 17's goal (one per quadrant) and picks per request.
GOAL_MOODS = ("happy", "tense", "sad", "calm")
SUGGEST_N = 20


def _library(root: Path, data: Path, clips: list[Clip], x: np.ndarray,
             estimate: tuple[np.ndarray, ...]) -> Path:
    """A beets library of the clips with the moodtag fields ``beet moodtag`` writes from
    these estimates (valence, arousal and, where the predictor gives one, confidence);
    returns the database."""
    from beets.library import Item, Library

    valence, arousal, *confidence = estimate
    col = FEATURES.index
    db = root / "library.db"
    lib = Library(str(db), str(data))
    cues = {"key_strength": "key_strength", "bpm_confidence": "bpm_confidence",
            "loudness": "loudness", "energy": "energy", "onset_rate": "onset_rate",
            "brightness": "centroid_mean", "dissonance": "dissonance_mean"}
    with lib.transaction():
        for i, clip in enumerate(clips):
            item = Item(path=str(data / clip.file), artist=clip.artist, title=clip.file,
                        length=30.0, bpm=round(float(x[i, col("bpm")])))
            item["moodtag_mode"] = "major" if x[i, col("mode")] > 0 else "minor"
            for field, name in cues.items():
                item[f"moodtag_{field}"] = float(x[i, col(name)])
            for field in ("valence", "audio_valence"):
                item[f"moodtag_{field}"] = float(valence[i])
            for field in ("arousal", "audio_arousal"):
                item[f"moodtag_{field}"] = float(arousal[i])
            if confidence:
                item["moodtag_confidence"] = float(confidence[0][i])
            item["moodtag_mood"] = mood_of(VA(float(valence[i]), float(arousal[i])))
            item["moodtag_version"] = ANALYSIS_VERSION
            lib.add(item)
    lib._close()
    return db


def suggest_picks(data: Path, clips: list[Clip], x: np.ndarray,
                  estimate: tuple[np.ndarray, ...], n: int) -> dict[str, list[str]]:
    """The listeners' quadrants of ``moodplayer suggest --mood M -n N --no-learning``'s
    picks, per mood, on a throwaway beets library of ``clips`` (the product's own path:
    the console script, its table, its scoring)."""
    quadrant = {str(data / c.file): c.quadrant for c in clips}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = _library(root, data, clips, x, estimate)
        config = root / "config.yaml"
        config.write_text(f"directory: {data}\nlibrary: {db}\n", encoding="utf-8")
        env = {**os.environ, "BEETSDIR": str(root),
               **{v: str(root / v.lower()) for v in ("XDG_CACHE_HOME", "XDG_DATA_HOME",
                                                     "XDG_CONFIG_HOME", "XDG_STATE_HOME")}}
        for mood in SUGGEST_QUADRANTS:
            done = subprocess.run(
                [str(Path(sys.executable).with_name("moodplayer")), "suggest", "-c",
                 str(config), "--mood", mood, "-n", str(n), "--no-learning",
                 "--library", str(db), "--music-dir", str(data)],
                capture_output=True, text=True, env=env, check=False)
            picks = [quadrant[line.strip()] for line in done.stdout.splitlines()
                     if line.strip() in quadrant]
            if len(picks) != n:
                raise SystemExit(f"suggest --mood {mood} gave {len(picks)} picks, not {n}: "
                                 f"{done.stderr.strip()[-300:]}")
            out[mood] = picks
    return out


def nearest_picks(clips: list[Clip], estimate: tuple[np.ndarray, ...],
                  n: int) -> dict[str, list[str]]:
    """The anchor: the quadrants of the ``n`` clips nearest each mood's centre
    (``emotion.MOOD_CENTRES``), the target the ranking aimed at before issue 17."""
    valence, arousal = estimate[:2]
    out = {}
    for mood in SUGGEST_QUADRANTS:
        centre = MOOD_CENTRES[mood]
        order = np.argsort(np.hypot(valence - centre.valence, arousal - centre.arousal),
                           kind="stable")
        out[mood] = [clips[i].quadrant for i in order[:n]]
    return out


def likeliest_picks(clips: list[Clip], proba: np.ndarray, n: int) -> dict[str, list[str]]:
    """The ceiling of a ranking that reads only the model: the quadrants of the ``n``
    clips with the highest out-of-fold probability of each mood's quadrant."""
    return {mood: [clips[i].quadrant for i in np.argsort(-proba[:, QUADRANTS.index(q)],
                                                          kind="stable")[:n]]
            for mood, q in SUGGEST_QUADRANTS.items() if q is not None}


def _precision(picks: dict[str, list[str]]) -> dict[str, float]:
    return {m: picks[m].count(q) / len(picks[m])
            for m, q in SUGGEST_QUADRANTS.items() if q is not None}


def _print_picks(name: str, picks: dict[str, list[str]], detail: bool = True) -> None:
    precision = _precision(picks)
    goal = np.mean([precision[m] for m in GOAL_MOODS])
    n = len(next(iter(picks.values())))
    print(f"{name:22s} top {n}: " + "  ".join(
        f"{m} {100 * precision[m]:3.0f}%" for m in GOAL_MOODS)
        + f"  (mean {100 * goal:.1f} %)  energetic {100 * precision['energetic']:3.0f}% Q1")
    for mood, quadrants in picks.items() if detail else ():
        counts = " ".join(f"{q} {quadrants.count(q):2d}" for q in QUADRANTS)
        print(f"{'':22s}   --mood {mood:9s} {counts}")


def suggest_check(data: Path, clips: list[Clip], x: np.ndarray,
                  estimates: dict[str, tuple[np.ndarray, ...]], proba: np.ndarray, k: int,
                  seed: int) -> None:
    """Print the top-``SUGGEST_N`` precision per mood of ``moodplayer suggest`` on each
    estimate, on all clips and on each half of the artists (a library of half the clips,
    half the picks: a ranking tuned on one half should hold on the other), beside the
    nearest-centre anchor; then the model's own quadrant probabilities ``proba`` ranked
    alone."""
    halves = split(clips, 2, seed)
    for name, estimate in estimates.items():
        _print_picks(f"suggest {name}", suggest_picks(data, clips, x, estimate, SUGGEST_N))
        for h, (_, half) in enumerate(halves, start=1):
            sub = [clips[i] for i in half]
            picks = suggest_picks(data, sub, x[half], tuple(e[half] for e in estimate),
                                  SUGGEST_N // 2)
            _print_picks(f"  artist half {h}", picks, detail=False)
        _print_picks(f"nearest centre {name}", nearest_picks(clips, estimate, SUGGEST_N))
    _print_picks("P(quadrant) model", likeliest_picks(clips, proba, SUGGEST_N), detail=False)
    for h, (_, half) in enumerate(halves, start=1):
        _print_picks(f"  artist half {h}", likeliest_picks(
            [clips[i] for i in half], proba[half], SUGGEST_N // 2), detail=False)
    print(f"{'random':22s} top {SUGGEST_N}: 25 % per mood (150 clips per quadrant); "
          f"{k} folds, seed {seed}")


def _clip_patches(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Tag logits of every whole patch of the clip's cue excerpt, and the patches' levels
    (mean log-mel), both in time order."""
    from moodplayer.music import musicnn
    from moodplayer.music.analyze import CUE_SECONDS, middle
    from moodplayer.music.decode import decode_excerpt

    batch = musicnn.split_patches(musicnn.spectrogram(
        middle(decode_excerpt(path).samples, CUE_SECONDS)))
    return musicnn.patch_logits(batch), musicnn.levels(batch)


def patch_choices(data: Path, clips: list[Clip], x: np.ndarray, k: int, seed: int) -> None:
    """Print the model's scores with the tags averaged over differently chosen patches."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from moodplayer.music.dataset import MAX_JOBS
    from moodplayer.music.musicnn import PATCHES, loudest

    with ProcessPoolExecutor(MAX_JOBS, mp_context=multiprocessing.get_context("forkserver")
                             ) as pool:
        per_clip = list(pool.map(_clip_patches, [data / c.file for c in clips], chunksize=8))
    print(f"{'':10s} patches per clip: {np.mean([len(lv) for _, lv in per_clip]):.1f}")
    choices = {
        "even": lambda lv: np.unique(np.linspace(0, len(lv) - 1, min(PATCHES, len(lv)))
                                     .round().astype(int)),
        "quietest": lambda lv: np.sort(np.argsort(lv, kind="stable")[:PATCHES]),
        "all": lambda lv: np.arange(len(lv)),
        "loudest": lambda lv: loudest(lv, PATCHES),
    }
    cues = x[:, [FEATURES.index(n) for n in CUES]]
    for name, choose in choices.items():
        tags = np.array([logits[choose(lv)].mean(axis=0) for logits, lv in per_clip])
        _print(f"p {name}", *cross_validate(np.hstack([cues, tags]), clips, k, seed)[:2])


def _folded(clips: list[Clip], valence: np.ndarray, arousal: np.ndarray, k: int,
            seed: int) -> tuple[list[dict], dict]:
    """Scores of a fixed predictor on the same test folds the model is scored on."""
    folds = [scores([clips[i] for i in te], valence[te], arousal[te])
             for _, te in split(clips, k, seed)]
    return folds, scores(clips, valence, arousal)


def _print(name: str, folds: list[dict], pooled: dict) -> None:
    def mean(key: str) -> float:
        return float(np.mean([f[key] for f in folds]))

    recall = "  ".join(f"{q} {100 * pooled['recall'][q]:3.0f}%" for q in QUADRANTS)
    print(f"{name:10s} valence AUC {pooled['valence_auc']:.3f} (folds {mean('valence_auc'):.3f}"
          f" ± {np.std([f['valence_auc'] for f in folds]):.3f})  arousal AUC "
          f"{pooled['arousal_auc']:.3f} (folds {mean('arousal_auc'):.3f})  quadrant "
          f"{100 * pooled['quadrant_accuracy']:.1f} % (folds "
          f"{100 * mean('quadrant_accuracy'):.1f} %)  recall {recall}")
    for i, f in enumerate(folds, start=1):
        print(f"{'':10s}   fold {i}: valence {f['valence_auc']:.3f}  arousal "
              f"{f['arousal_auc']:.3f}  quadrant {100 * f['quadrant_accuracy']:.1f} %")


def main() -> int:
    """Run the comparison and print one block per predictor."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-vibenet", action="store_true")
    ap.add_argument("--patches", action="store_true",
                    help="also compare ways of choosing the taggers' patches")
    ap.add_argument("--suggest", action="store_true",
                    help="also count the quadrants of `moodplayer suggest` picks")
    args = ap.parse_args()
    if not (args.data / "labels.csv").is_file():
        print(f"{args.data / 'labels.csv'} is absent: the labelled clips are not part of the "
              "project", file=sys.stderr)
        return 2
    clips = load_labels(args.data)
    x_all = extract(args.data, clips)
    ok = ~np.isnan(x_all).any(axis=1)
    kept = [c for c, good in zip(clips, ok, strict=True) if good]
    x = x_all[ok]
    print(f"{len(kept)} clips ({len(clips) - len(kept)} unreadable), {args.folds}-fold "
          f"artist-grouped CV, seed {args.seed}")
    rules = rules_v1(x)
    _print("rules v1", *_folded(kept, *rules, args.folds, args.seed))
    cols = [FEATURES.index(n) for n in SELECTED]
    folds, pooled, oof = cross_validate(x[:, cols], kept, args.folds, args.seed)
    _print("model", folds, pooled)
    for name, names in (("no tags", (*CUES, *DESCRIPTORS)), ("all", FEATURES)):
        _print(name, *cross_validate(x[:, [FEATURES.index(n) for n in names]], kept,
                                     args.folds, args.seed)[:2])
    if args.patches:
        patch_choices(args.data, kept, x, args.folds, args.seed)
    if args.suggest:
        suggest_check(args.data, kept, x, {"model": quadrant_point(oof), "rules v1": rules},
                      oof, args.folds, args.seed)
    if not args.no_vibenet:
        found = vibenet_outputs(args.data, kept)
        if found is None:
            print("vibenet    not installed (pip install vibenet): skipped")
        else:
            out, cost = found
            import vibenet

            valence = out[:, vibenet.labels.index("valence")] - 0.5
            energy = out[:, vibenet.labels.index("energy")] - 0.5
            _print("vibenet", *_folded(kept, valence, energy, args.folds, args.seed))
            print(f"{'':10s} VibeNet costs {cost:.2f} s per clip (decode included)")
            folds, pooled, _ = cross_validate(np.hstack([x[:, cols], out]), kept, args.folds,
                                              args.seed)
            _print("model+vn", folds, pooled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
