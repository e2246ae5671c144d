"""Track emotion against human labels: old rules, models 5.0 and 6.0 and VibeNet, one run.

Two labelled sets, each scored as its labels allow:

- ``../shared/data/mer4q`` (600 clips, quadrants Q1..Q4): valence AUC (Q1+Q4 vs Q2+Q3),
  arousal AUC (Q1+Q2 vs Q3+Q4), quadrant accuracy at each model's natural centre, and
  the expected calibration error (ECE) of the quadrant confidence;
- ``../shared/data/musifeast`` (119 clips of 17 genres, mean 1..5 ratings): Spearman
  correlation of valence and arousal with the mean ratings over all clips and within each
  genre (mean over the genres), out-of-fold in the same k-fold, and again leaving each
  genre out in turn (``logo``: trained on the other genres and all of 4Q).

The k-fold runs over both sets together, grouped by artist, stratified by quadrant and
genre (``train.kfold``); every trained row refits ``moodplayer.music.train``'s procedure
(decay chosen inside each fold) on one feature set:

- ``rules v1``: the hand-weighted cues of analysis version 1 (z-scored over all clips as
  the "library", as ``beet moodtag`` did), on today's cue values.
- ``5.0 file``: the shipped model 5.0 (read from git history), fixed: it saw every 4Q
  clip in training, so only its musifeast figures say anything.
- ``4Q only``: 5.0's inputs (cues and musicnn's tags) trained on 4Q alone (the rated
  clips weigh nothing: they are only tested).
- ``tags``, ``emb``, ``tags+emb``, ``all``: trained on both sets with the cues and the
  taggers' logits, their penultimate embeddings, both (``train.SELECTED``, shipped), or
  every feature including the essentia descriptors: the evidence for ``SELECTED``.
- ``vibenet``: VibeNet 0.1.0's valence and energy outputs (centre 0.5), where installed
  (``pip install vibenet``; GPL-3.0-or-later), on the same decoded samples.

With ``--variants``: the shipped features with one choice of the procedure changed at a
time (a hidden layer, the rated set's weight, the targets' spread, the principal axes):
the evidence for ``train``'s constants.

With ``--plot FILE`` the reliability diagram of the shipped feature set's out-of-fold
confidence is written (PNG with matplotlib). With ``--patches``: which of a clip's 3 s
patches musicnn's taggers should hear (4Q only, cues and tags as in 5.0).

With ``--suggest``: a beets library of all clips is built twice, once with each clip's
out-of-fold model estimate (valence, arousal, confidence) and once with the version 1
rules, and ``moodplayer suggest --mood M -n 20 --no-learning`` is run on each for every
mood; the top-20 precision per mood is the share of picks in the listeners' quadrant of
that mood (happy Q1, tense Q2, sad Q3, calm Q4; energetic Q1; neutral only listed).
The same on each artist half of the clips (top 10 of 300), and the anchors: the 20
clips nearest each mood's centre, and the 20 the model gives the highest probability of
the mood's quadrant (the ceiling of a ranking that reads only the model).

Features are extracted once with at most 2 processes and cached (see
``moodplayer.music.dataset``). Needs the ``bench`` extra (scikit-learn, VibeNet,
matplotlib).

    .venv/bin/python bench/music_emotion.py [--data ../shared/data/mer4q]
        [--ratings ../shared/data/musifeast] [--folds 5] [--seed 0] [--no-vibenet]
        [--plot FILE] [--variants] [--patches] [--suggest] [--shipped-only]

``--shipped-only`` trains only the shipped feature set in the k-fold (no ``4Q only`` row,
no leave-one-genre-out): with ``--suggest``, the ranking's figures in a quarter of the
time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from moodplayer.emotion import MOOD_CENTRES, VA, mood_of
from moodplayer.music import train
from moodplayer.music.analyze import ANALYSIS_VERSION
from moodplayer.music.dataset import Clip, Rated, extract, load_labels, load_ratings
from moodplayer.music.model import CUES, FEATURES, QUADRANTS, parse_model, quadrant_point
from moodplayer.music.musicnn import EMBEDDING_FEATURES, TAG_FEATURES
from moodplayer.music.train import (
    SELECTED,
    Evaluation,
    evaluate,
    genre_folds,
    kfold,
    labelled,
    quadrant_figures,
    quadrant_split,
    rated_figures,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_DATA = SHARED_DATA / "mer4q"
DEFAULT_RATINGS = SHARED_DATA / "musifeast"
#: The commit whose models/moodplayer-music.json is model 5.0, the row to beat.
MODEL_5_COMMIT = "51e9417"
#: Feature sets the trained rows compare (``train.SELECTED`` is ``tags+emb``).
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "tags": (*CUES, *TAG_FEATURES),
    "emb": (*CUES, *EMBEDDING_FEATURES),
    "tags+emb": SELECTED,
    "all": FEATURES,
}

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


def vibenet_outputs(data: Path, clips: list[Clip] | list[Rated]
                    ) -> tuple[np.ndarray, float] | None:
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
    halves = quadrant_split(clips, 2, seed)
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
    return musicnn.patch_outputs(batch)[0], musicnn.levels(batch)


def patch_choices(data: Path, clips: list[Clip], x: np.ndarray, k: int, seed: int) -> None:
    """Print the model's 4Q scores with the tags averaged over differently chosen patches."""
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
        rows = np.hstack([cues, tags])
        data_4q = labelled(rows, clips, rows[:0], [])
        _print(f"p {name}", evaluate(data_4q, clips, [], quadrant_split(clips, k, seed),
                                     seed), None)


#: Variants of the procedure ``--variants`` runs: train's constants, one change each.
VARIANTS: dict[str, dict[str, float]] = {
    "hidden 16": {"HIDDEN": 16, "MEMBERS": 5},
    "weight 2": {"RATED_WEIGHT": 2.0},
    "weight 10": {"RATED_WEIGHT": 10.0},
    "spread 1": {"SPREAD": 1.0},
    "spread .3": {"SPREAD": 0.3},
    "axes 32": {"COMPONENTS": 32},
    "axes 256": {"COMPONENTS": 256},
}


@contextlib.contextmanager
def _procedure(**constants: float) -> Iterator[None]:
    """``moodplayer.music.train`` with some of its constants changed, for one run."""
    old = {name: getattr(train, name) for name in constants}
    for name, value in constants.items():
        setattr(train, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(train, name, value)


def variants(quad: list[Clip], x: np.ndarray, rated: list[Rated], xr: np.ndarray, k: int,
             seed: int) -> None:
    """Print the shipped features' k-fold figures under each of ``VARIANTS``."""
    cols = [FEATURES.index(n) for n in SELECTED]
    for name, constants in VARIANTS.items():
        with _procedure(**constants):
            data = labelled(x[:, cols], quad, xr[:, cols], rated, train.RATED_WEIGHT)
            _print(name, evaluate(data, quad, rated, kfold(data, k, seed), seed,
                                  train.HIDDEN), None)


def _model_5() -> Path | None:
    """Model 5.0's file, written from git history to a temporary file; None if unavailable."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(["git", "-C", str(root), "show",
                           f"{MODEL_5_COMMIT}:models/moodplayer-music.json"],
                          capture_output=True, check=False)
    if done.returncode != 0:
        return None
    out = Path(tempfile.mkdtemp()) / "moodplayer-music-5.0.json"
    out.write_bytes(done.stdout)
    return out


def _fixed(quad: list[Clip], rated: list[Rated], p_quad: np.ndarray | None,
           p_rated: np.ndarray | None) -> Evaluation:
    """Figures of a fixed predictor's quadrant probabilities (or None) on both sets."""
    return Evaluation(np.zeros((0, 4)), [],
                      quadrant_figures(quad, p_quad) if p_quad is not None else {},
                      rated_figures(rated, p_rated) if p_rated is not None else None, [])


def _va_as_proba(valence: np.ndarray, arousal: np.ndarray) -> np.ndarray:
    """Quadrant 'probabilities' of a predictor that gives valence and arousal in [-1, 1],
    so that ``plane`` returns them unchanged (and the confidence is their product)."""
    v, a = (np.clip(valence, -1, 1) + 1) / 2, (np.clip(arousal, -1, 1) + 1) / 2
    return np.stack([v * a, (1 - v) * a, (1 - v) * (1 - a), v * (1 - a)], axis=1)


def _print(name: str, cv: Evaluation, by_genre: Evaluation | None) -> None:
    q, r = cv.quadrant, cv.rated
    line = f"{name:9s}"
    if q:
        line += (f" 4Q valence AUC {q['valence_auc']:.3f} arousal AUC {q['arousal_auc']:.3f} "
                 f"quadrant {100 * q['quadrant_accuracy']:4.1f} % ECE "
                 f"{q['calibration']['ece']:.3f}")
    else:
        line += " " * 70
    if r:
        line += (f" | musifeast valence {r['valence_rho']:.3f} arousal {r['arousal_rho']:.3f}"
                 f" within {r['valence_rho_within']:.3f} / {r['arousal_rho_within']:.3f}"
                 f" ECE {r['calibration']['ece']:.3f}")
    if by_genre and by_genre.rated:
        g = by_genre.rated
        line += (f" | logo {g['valence_rho']:.3f} / {g['arousal_rho']:.3f} within "
                 f"{g['valence_rho_within']:.3f} / {g['arousal_rho_within']:.3f}")
    print(line, flush=True)


def _genre_lines(name: str, ev: Evaluation) -> None:
    if ev.rated:
        per = ev.rated["genres"]
        print(f"{'':9s} {name} per genre (valence/arousal): " + ", ".join(
            f"{g} {r['valence']:.2f}/{r['arousal']:.2f}" for g, r in per.items()))


def reliability_plot(out: Path, curves: dict[str, dict]) -> None:
    """A reliability diagram (PNG) of each named calibration table of ``train.calibration``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for (name, cal), marker in zip(curves.items(), "os^v", strict=False):
        conf = [b["confidence"] for b in cal["bins"]]
        acc = [b["accuracy"] for b in cal["bins"]]
        size = [8 + 0.6 * b["count"] for b in cal["bins"]]
        ax.plot(conf, acc, marker=marker, label=f"{name} (ECE {cal['ece']:.3f})")
        ax.scatter(conf, acc, s=size, alpha=0.3)
    ax.set_xlabel("confidence (probability of the quadrant the point lies in)")
    ax.set_ylabel("share of clips in that quadrant")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("moodplayer-music: out-of-fold reliability")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main() -> int:
    """Run the comparison and print one line per predictor."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--ratings", type=Path, default=DEFAULT_RATINGS)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-vibenet", action="store_true")
    ap.add_argument("--plot", type=Path, help="write the reliability diagram (PNG) here")
    ap.add_argument("--variants", action="store_true",
                    help="also run the procedure with one constant changed at a time")
    ap.add_argument("--patches", action="store_true",
                    help="also compare ways of choosing the taggers' patches")
    ap.add_argument("--suggest", action="store_true",
                    help="also count the quadrants of `moodplayer suggest` picks")
    ap.add_argument("--shipped-only", action="store_true",
                    help="train only the shipped feature set, k-fold only (no 4Q-only row, "
                    "no leave-one-genre-out): the estimates --suggest ranks, sooner")
    args = ap.parse_args()
    for folder in (args.data, args.ratings):
        if not (folder / "labels.csv").is_file():
            print(f"{folder / 'labels.csv'} is absent: the labelled clips are not part of "
                  "the project", file=sys.stderr)
            return 2
    clips = load_labels(args.data)
    x_all = extract(args.data, clips)
    ok = ~np.isnan(x_all).any(axis=1)
    kept = [c for c, good in zip(clips, ok, strict=True) if good]
    x = x_all[ok]
    rated_all = load_ratings(args.ratings)
    xr_all = extract(args.ratings, rated_all)
    good_r = ~np.isnan(xr_all).any(axis=1)
    rated = [c for c, good in zip(rated_all, good_r, strict=True) if good]
    xr = xr_all[good_r]
    print(f"{len(kept)} 4Q clips ({len(clips) - len(kept)} unreadable), {len(rated)} musifeast "
          f"clips ({len(rated_all) - len(rated)} unreadable); {args.folds}-fold CV over both, "
          f"artist-grouped, seed {args.seed}; logo = leave one genre out (17 folds)")
    rules = rules_v1(x)
    _print("rules v1", _fixed(kept, rated, _va_as_proba(*rules), _va_as_proba(*rules_v1(xr))),
           None)
    old = _model_5()
    if old is None:
        print(f"5.0 file  not in this checkout's history ({MODEL_5_COMMIT}): skipped")
    else:
        import json

        model_5 = parse_model(json.loads(old.read_text(encoding="utf-8")), old)
        _print("5.0 file", _fixed(kept, rated, None, model_5.proba(xr)), None)
    # 5.0's inputs on 4Q alone: rated rows weigh nothing, so they are only tested.
    cols = [FEATURES.index(n) for n in FEATURE_SETS["tags"]]
    data = labelled(x[:, cols], kept, xr[:, cols], rated, rated_weight=0.0)
    splits = kfold(data, args.folds, args.seed)
    if not args.shipped_only:
        _print("4Q only", evaluate(data, kept, rated, splits, args.seed), None)
    shipped = None
    for name, names in FEATURE_SETS.items():
        if args.shipped_only and names != SELECTED:
            continue
        cols = [FEATURES.index(n) for n in names]
        data = labelled(x[:, cols], kept, xr[:, cols], rated)
        cv = evaluate(data, kept, rated, splits, args.seed)
        by_genre = None if args.shipped_only else \
            evaluate(data, kept, rated, genre_folds(data, kept, rated), args.seed)
        _print(name, cv, by_genre)
        if names == SELECTED:
            shipped = cv
            _genre_lines("cv", cv)
            if by_genre is not None:
                _genre_lines("logo", by_genre)
    if args.plot and shipped is not None:
        reliability_plot(args.plot, {"4Q (quadrant labels)": shipped.quadrant["calibration"],
                                     "MUSIFEAST (quadrant of the mean rating)":
                                     shipped.rated["calibration"]})
        print(f"{'':9s} wrote {args.plot}")
    oof = shipped.oof[:len(kept)] if shipped is not None else None
    sure = shipped.sure[:len(kept)] if shipped is not None else None
    if args.variants:
        variants(kept, x, rated, xr, args.folds, args.seed)
    if args.patches:
        patch_choices(args.data, kept, x, args.folds, args.seed)
    if args.suggest and oof is not None:
        suggest_check(args.data, kept, x, {"model": quadrant_point(oof, sure),
                                           "rules v1": rules},
                      oof, args.folds, args.seed)
    if not args.no_vibenet:
        found = vibenet_outputs(args.data, kept)
        if found is None:
            print("vibenet   not installed (pip install vibenet): skipped")
        else:
            import vibenet

            out, cost = found
            out_r, _ = vibenet_outputs(args.ratings, rated)

            def va(o: np.ndarray) -> np.ndarray:
                return _va_as_proba(2 * o[:, vibenet.labels.index("valence")] - 1,
                                    2 * o[:, vibenet.labels.index("energy")] - 1)

            _print("vibenet", _fixed(kept, rated, va(out), va(out_r)), None)
            print(f"{'':9s} VibeNet costs {cost:.2f} s per clip (decode included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
