"""Train the track emotion model on labelled 4-quadrant clips and export it with its card.

    python -m moodplayer.music.train --data ../shared/data/mer4q \
        --out models/moodplayer-music.json [--folds 5] [--seed 0] [--jobs 2]

Two heads, each a logistic regression on standardised features: valence sign (Q1+Q4
against Q2+Q3) and arousal sign (Q1+Q2 against Q3+Q4). The L2 strength of each head is
chosen by an inner artist-grouped cross-validation on the training part only; the figures
reported come from an outer artist-grouped, quadrant-stratified k-fold, so no artist is
ever on both sides and no test fold informs a choice. The exported model is refitted on
every clip with the strength the same inner procedure picks there. Needs the ``train``
extra (scikit-learn); the model file is plain JSON read with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.exceptions import MoodplayerError
from moodplayer.music.dataset import MAX_JOBS, QUADRANTS, Clip, extract, load_labels
from moodplayer.music.model import FEATURES, FORMAT, HEADS, parse_model

log = logging.getLogger(__name__)

#: L2 inverse strengths the inner cross-validation chooses from.
C_GRID: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
INNER_FOLDS = 4
#: Model version written into the file and the card.
VERSION = "2.0"
#: Features the model reads (a subset of ``model.FEATURES``; chosen on CV evidence, see
#: docs/benchmarks/music-emotion.md).
SELECTED: tuple[str, ...] = FEATURES


@dataclass(frozen=True)
class Heads:
    """A fitted scaler and one logistic regression per head."""

    mean: np.ndarray
    scale: np.ndarray
    coef: dict[str, np.ndarray]
    intercept: dict[str, float]
    c: dict[str, float]

    def proba(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """P(positive) of each head for rows ``x`` (selected features)."""
        z = (x - self.mean) / self.scale
        return {h: 1 / (1 + np.exp(-(z @ self.coef[h] + self.intercept[h]))) for h in HEADS}


def targets(clips: Sequence[Clip]) -> dict[str, np.ndarray]:
    """The 0/1 target of each head."""
    return {"valence": np.array([c.valence for c in clips]),
            "arousal": np.array([c.arousal for c in clips])}


def split(clips: Sequence[Clip], k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, test) index pairs: grouped by artist, stratified by quadrant."""
    from sklearn.model_selection import StratifiedGroupKFold

    y = [c.quadrant for c in clips]
    groups = [c.artist for c in clips]
    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(clips)), y, groups))


def _fit_head(z: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, max_iter=5000)
    lr.fit(z, y)
    return lr.coef_[0].copy(), float(lr.intercept_[0])


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _choose_c(x: np.ndarray, y: np.ndarray, clips: Sequence[Clip], seed: int) -> float:
    """The C of ``C_GRID`` with the lowest inner grouped-CV log loss on these clips only."""
    smallest = min(sum(c.quadrant == q for c in clips) for q in QUADRANTS)
    inner = split(clips, max(2, min(INNER_FOLDS, smallest)), seed + 1)
    losses = []
    for c in C_GRID:
        loss = 0.0
        for tr, te in inner:
            mean, scale = x[tr].mean(axis=0), x[tr].std(axis=0)
            scale[scale == 0] = 1.0
            coef, b = _fit_head((x[tr] - mean) / scale, y[tr], c)
            loss += _log_loss(y[te], 1 / (1 + np.exp(-(((x[te] - mean) / scale) @ coef + b))))
        losses.append(loss)
    return C_GRID[int(np.argmin(losses))]


def fit(x: np.ndarray, clips: Sequence[Clip], seed: int) -> Heads:
    """Scaler and both heads fitted on rows ``x`` of ``clips``, strengths by inner CV."""
    y = targets(clips)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    coef, intercept, cs = {}, {}, {}
    for h in HEADS:
        cs[h] = _choose_c(x, y[h], clips, seed)
        coef[h], intercept[h] = _fit_head(z, y[h], cs[h])
    return Heads(mean, scale, coef, intercept, cs)


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties count half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def scores(clips: Sequence[Clip], valence: np.ndarray, arousal: np.ndarray) -> dict:
    """Valence/arousal AUC, quadrant accuracy at the centre 0 and per-quadrant recall."""
    y = targets(clips)
    truth = np.array([c.quadrant for c in clips])
    guess = np.where(arousal >= 0, np.where(valence >= 0, "Q1", "Q2"),
                     np.where(valence >= 0, "Q4", "Q3"))
    return {
        "valence_auc": auc(y["valence"], valence),
        "arousal_auc": auc(y["arousal"], arousal),
        "quadrant_accuracy": float(np.mean(guess == truth)),
        "recall": {q: float(np.mean(guess[truth == q] == q)) for q in QUADRANTS
                   if np.any(truth == q)},
        "clips": len(clips),
    }


def cross_validate(x: np.ndarray, clips: Sequence[Clip], k: int, seed: int
                   ) -> tuple[list[dict], dict, np.ndarray]:
    """Per-fold scores, pooled out-of-fold scores and the out-of-fold (valence, arousal)."""
    out = np.zeros((len(clips), 2))
    folds = []
    for tr, te in split(clips, k, seed):
        heads = fit(x[tr], [clips[i] for i in tr], seed)
        p = heads.proba(x[te])
        out[te, 0], out[te, 1] = 2 * p["valence"] - 1, 2 * p["arousal"] - 1
        test = [clips[i] for i in te]
        fold = scores(test, out[te, 0], out[te, 1])
        fold["c"] = heads.c
        fold["artists"] = len({c.artist for c in test})
        folds.append(fold)
    pooled = scores(clips, out[:, 0], out[:, 1])
    y = targets(clips)
    for i, h in enumerate(HEADS):
        p = (out[:, i] + 1) / 2
        pooled[f"{h}_brier"] = float(np.mean((p - y[h]) ** 2))
        pooled[f"{h}_log_loss"] = _log_loss(y[h], p)
    return folds, pooled, out


def model_document(heads: Heads, names: Sequence[str]) -> dict:
    """The model file's JSON content."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "features": list(names),
        "scaler": {"mean": heads.mean.tolist(), "scale": heads.scale.tolist()},
        "heads": {h: {"coef": heads.coef[h].tolist(), "intercept": heads.intercept[h],
                      "c": heads.c[h]} for h in HEADS},
    }


def _per_track_cost(model_path: Path, x: np.ndarray) -> float:
    """Seconds the exported model takes per track on these rows (numpy inference)."""
    model = parse_model(json.loads(model_path.read_text(encoding="utf-8")), model_path)
    start = time.perf_counter()
    for row in x:
        model.logits(row)
    return (time.perf_counter() - start) / len(x)


def write_card(out: Path, doc: dict, folds: list[dict], pooled: dict, clips: int,
               dropped: int, command: str, cost: float) -> None:
    """``<stem>.card.json`` and ``<stem>.md`` next to the model file ``out``."""
    raw = out.read_bytes()
    card = {
        "name": out.stem,
        "file": out.name,
        "version": doc["version"],
        "format": doc["format"],
        "features": doc["features"],
        "heads": {h: {"target": t, "output": "2 * P(positive) - 1", "c": doc["heads"][h]["c"]}
                  for h, t in (("valence", "Q1+Q4 vs Q2+Q3"), ("arousal", "Q1+Q2 vs Q3+Q4"))},
        "confidence": "max(p_v, 1-p_v) * max(p_a, 1-p_a): probability the quadrant is right",
        "data": {"name": "4Q audio emotion dataset (Panda et al. 2018), 30 s clips",
                 "clips": clips, "dropped": dropped,
                 "licence": "research data: the clips are for research use only; the model "
                            "was trained on them and ships weights, not audio"},
        "training": {"method": "standardised features, L2 logistic regression per head, "
                               "C by inner artist-grouped CV (log loss)",
                     "command": command},
        "cv": {"scheme": "artist-grouped, quadrant-stratified k-fold", "folds": folds,
               "pooled": pooled},
        "size_bytes": len(raw),
        "cost_per_track_s": cost,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    out.with_suffix(".card.json").write_text(json.dumps(card, indent=2) + "\n",
                                             encoding="utf-8")
    rows = "\n".join(
        f"| {i + 1} | {f['clips']} | {f['artists']} | {f['valence_auc']:.3f} | "
        f"{f['arousal_auc']:.3f} | {100 * f['quadrant_accuracy']:.1f} % |"
        for i, f in enumerate(folds))
    p = pooled
    md = f"""# {out.stem} {doc['version']}

Valence and arousal of a track from {len(doc['features'])} audio features that
`moodplayer.music.analyze` computes with essentia (tempo, mode and key strength, loudness,
dynamics, onset rate, MFCC statistics, spectral shape and contrast, HPCP key and mode
clarity, triad share, harmonic change, dissonance, pulse clarity). Two L2 logistic
regressions on standardised features: P(pleasant) and P(excited); the plane coordinate is
`2p - 1`, the confidence the probability that the quadrant is right. Inference: numpy,
{1e6 * cost:.0f} µs per track. File `{out.name}`: {len(raw)} bytes, sha256
`{card['sha256']}`.

Data: {clips} clips of the 4Q audio emotion dataset (Panda et al., IEEE TAFFC 2018;
research data, research use only; {dropped} dropped as unreadable). Labels are quadrants.

Trained with:

    {command}

Artist-grouped, quadrant-stratified {len(folds)}-fold cross-validation (no artist on both
sides; regularisation chosen inside each training part):

| fold | clips | artists | valence AUC | arousal AUC | quadrant |
|---|---|---|---|---|---|
{rows}
| pooled | {p['clips']} | | {p['valence_auc']:.3f} | {p['arousal_auc']:.3f} | \
{100 * p['quadrant_accuracy']:.1f} % |

Per-quadrant recall (pooled): {', '.join(f'{q} {100 * r:.0f} %' for q, r in p['recall'].items())}.
Brier score valence {p['valence_brier']:.3f}, arousal {p['arousal_brier']:.3f}.
"""
    out.with_suffix(".md").write_text(md, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Train, cross-validate, export the model and its card; 0 on success."""
    ap = argparse.ArgumentParser(prog="python -m moodplayer.music.train",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with labels.csv")
    ap.add_argument("--out", type=Path, required=True, help="model file to write (.json)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=MAX_JOBS, choices=range(1, MAX_JOBS + 1),
                    help=f"feature extraction processes (at most {MAX_JOBS})")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.folds < 2:
        ap.error(f"--folds {args.folds}: expected at least 2")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    try:
        clips = load_labels(args.data)
        x_all = extract(args.data, clips, args.jobs)
    except MoodplayerError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    ok = ~np.isnan(x_all).any(axis=1)
    kept = [c for c, good in zip(clips, ok, strict=True) if good]
    fewest = min(sum(c.quadrant == q for c in kept) for q in QUADRANTS)
    if fewest < 2 * args.folds:
        print(f"train: {args.data / 'labels.csv'}: {fewest} usable clips in the smallest "
              f"quadrant; {args.folds} folds need at least {2 * args.folds}", file=sys.stderr)
        return 2
    cols = [FEATURES.index(n) for n in SELECTED]
    x = x_all[ok][:, cols]
    folds, pooled, _ = cross_validate(x, kept, args.folds, args.seed)
    for i, f in enumerate(folds, start=1):
        print(f"fold {i}: valence AUC {f['valence_auc']:.3f}  arousal AUC "
              f"{f['arousal_auc']:.3f}  quadrant {100 * f['quadrant_accuracy']:.1f} %")
    print(f"pooled: valence AUC {pooled['valence_auc']:.3f}  arousal AUC "
          f"{pooled['arousal_auc']:.3f}  quadrant {100 * pooled['quadrant_accuracy']:.1f} %")
    doc = model_document(fit(x, kept, args.seed), SELECTED)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    command = ("python -m moodplayer.music.train --data ../shared/data/mer4q "
               f"--out {args.out} --folds {args.folds} --seed {args.seed}")
    write_card(args.out, doc, folds, pooled, len(kept), len(clips) - len(kept), command,
               _per_track_cost(args.out, x_all[ok]))
    print(f"wrote {args.out} and its card")
    return 0


if __name__ == "__main__":
    sys.exit(main())
