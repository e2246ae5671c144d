"""Train the track emotion model on labelled 4-quadrant clips and export it with its card.

    python -m moodplayer.music.train --data ../shared/data/mer4q \
        --out models/moodplayer-music.json [--folds 5] [--seed 0] [--jobs 2]

The model is an ensemble of ``MEMBERS`` small networks (one hidden ReLU layer of
``HIDDEN`` units, softmax over the four quadrants) on standardised features, each with
strong L2 weight decay; the decay is chosen by an inner artist-grouped cross-validation
on the training part only (quadrant log loss). The figures reported come from an outer
artist-grouped, quadrant-stratified k-fold, so no artist is ever on both sides and no
test fold informs a choice. The exported model is refitted on every clip with the decay
the same inner procedure picks there. Everything is seeded: the same data and seed give
the same file. Needs the ``train`` extra (scikit-learn); the model file is plain JSON
read with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.exceptions import MoodplayerError
from moodplayer.music.dataset import MAX_JOBS, Clip, extract, load_labels
from moodplayer.music.model import CUES, FEATURES, FORMAT, QUADRANTS, parse_model
from moodplayer.music.musicnn import PATCHES, TAG_FEATURES

log = logging.getLogger(__name__)

#: L2 weight decays the inner cross-validation chooses from (larger ones underfit).
ALPHAS: tuple[float, ...] = (1.0, 3.0, 10.0)
#: Hidden units per network, and networks per ensemble (chosen on CV evidence,
#: docs/benchmarks/music-emotion.md: 16 to 64 units score alike, 5 members steady it).
HIDDEN = 16
MEMBERS = 5
INNER_FOLDS = 4
#: Model version written into the file and the card.
VERSION = "5.0"
#: Features the model reads (a subset of ``model.FEATURES``): the analysis' cues and
#: musicnn's 100 tags. With the 116 essentia descriptors added as well, every figure was
#: lower (docs/benchmarks/music-emotion.md): 225 inputs are too many for 600 clips.
SELECTED: tuple[str, ...] = (*CUES, *TAG_FEATURES)
#: How the feature set was chosen: said on the card, since it bears on the CV figures.
SELECTION = ("the feature set (cues and musicnn tags, without the descriptors), the "
             "patches per track and which (the loudest) were chosen by comparing pooled "
             "figures of this same cross-validation (same folds, same seed): that is model "
             "selection on these folds, so the figures are somewhat optimistic")


@dataclass(frozen=True)
class Fitted:
    """A fitted scaler and ensemble (scikit-learn networks) with its weight decay."""

    mean: np.ndarray
    scale: np.ndarray
    members: tuple
    alpha: float

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Quadrant probabilities (n, 4), columns in ``QUADRANTS`` order."""
        return _proba(self.members, (x - self.mean) / self.scale)


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


def _scaler(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _fit_members(z: np.ndarray, quadrants: np.ndarray, alpha: float, seed: int) -> tuple:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    members = []
    for i in range(MEMBERS):
        net = MLPClassifier((HIDDEN,), alpha=alpha, max_iter=3000,
                            random_state=seed * MEMBERS + i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            members.append(net.fit(z, quadrants))
    return tuple(members)


def _proba(members: tuple, z: np.ndarray) -> np.ndarray:
    total = np.zeros((len(z), len(QUADRANTS)))
    for net in members:
        p = net.predict_proba(z)
        order = [list(net.classes_).index(q) for q in QUADRANTS]
        total += p[:, order]
    return total / len(members)


def _quadrant_loss(clips: Sequence[Clip], p: np.ndarray) -> float:
    truth = [QUADRANTS.index(c.quadrant) for c in clips]
    return float(-np.mean(np.log(np.clip(p[np.arange(len(p)), truth], 1e-6, 1.0))))


def _choose_alpha(x: np.ndarray, clips: Sequence[Clip], seed: int) -> float:
    """The decay of ``ALPHAS`` with the lowest inner grouped-CV log loss on these clips only."""
    smallest = min(sum(c.quadrant == q for c in clips) for q in QUADRANTS)
    inner = split(clips, max(2, min(INNER_FOLDS, smallest)), seed + 1)
    quadrants = np.array([c.quadrant for c in clips])
    losses = []
    for alpha in ALPHAS:
        loss = 0.0
        for tr, te in inner:
            mean, scale = _scaler(x[tr])
            members = _fit_members((x[tr] - mean) / scale, quadrants[tr], alpha, seed)
            loss += _quadrant_loss([clips[i] for i in te],
                                   _proba(members, (x[te] - mean) / scale))
        losses.append(loss)
    return ALPHAS[int(np.argmin(losses))]


def fit(x: np.ndarray, clips: Sequence[Clip], seed: int) -> Fitted:
    """Scaler and ensemble fitted on rows ``x`` of ``clips``, decay chosen by inner CV."""
    alpha = _choose_alpha(x, clips, seed)
    mean, scale = _scaler(x)
    members = _fit_members((x - mean) / scale, np.array([c.quadrant for c in clips]),
                           alpha, seed)
    return Fitted(mean, scale, members, alpha)


def plane(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Valence and arousal in [-1, 1] from quadrant probabilities (as the model file does)."""
    return 2 * (p[:, 0] + p[:, 3]) - 1, 2 * (p[:, 0] + p[:, 1]) - 1


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
    """Per-fold scores, pooled out-of-fold scores and the out-of-fold quadrant probabilities."""
    out = np.zeros((len(clips), len(QUADRANTS)))
    folds = []
    for tr, te in split(clips, k, seed):
        fitted = fit(x[tr], [clips[i] for i in tr], seed)
        out[te] = fitted.proba(x[te])
        test = [clips[i] for i in te]
        fold = scores(test, *plane(out[te]))
        fold["alpha"] = fitted.alpha
        fold["artists"] = len({c.artist for c in test})
        folds.append(fold)
    pooled = scores(clips, *plane(out))
    y = targets(clips)
    for h, p in zip(("valence", "arousal"), plane(out), strict=True):
        pooled[f"{h}_brier"] = float(np.mean(((p + 1) / 2 - y[h]) ** 2))
    pooled["quadrant_log_loss"] = _quadrant_loss(clips, out)
    return folds, pooled, out


def model_document(fitted: Fitted, names: Sequence[str]) -> dict:
    """The model file's JSON content (output rows in ``QUADRANTS`` order)."""
    members = []
    for net in fitted.members:
        order = [list(net.classes_).index(q) for q in QUADRANTS]
        layers = [{"w": w.T.tolist(), "b": b.tolist()}
                  for w, b in zip(net.coefs_[:-1], net.intercepts_[:-1], strict=True)]
        layers.append({"w": net.coefs_[-1].T[order].tolist(),
                       "b": net.intercepts_[-1][order].tolist()})
        members.append({"layers": layers})
    return {
        "format": FORMAT,
        "version": VERSION,
        "features": list(names),
        "classes": list(QUADRANTS),
        "scaler": {"mean": fitted.mean.tolist(), "scale": fitted.scale.tolist()},
        "alpha": fitted.alpha,
        "members": members,
    }


def _per_track_cost(model_path: Path, x: np.ndarray) -> float:
    """Seconds the exported model takes per track on these rows (numpy inference)."""
    model = parse_model(json.loads(model_path.read_text(encoding="utf-8")), model_path)
    start = time.perf_counter()
    for row in x:
        model.plane(row)
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
        "classes": doc["classes"],
        "reads": {"cues": [n for n in doc["features"] if n in CUES],
                  "musicnn": f"mean tag logits of musicnn-msd.onnx and musicnn-mtt.onnx over "
                             f"the {PATCHES} loudest 3 s patches of the cue excerpt"},
        "architecture": f"{len(doc['members'])} networks averaged: {len(doc['features'])} "
                        f"standardised features -> {HIDDEN} ReLU -> 4 (softmax over quadrants)",
        "outputs": {"valence": "2 * P(Q1 or Q4) - 1", "arousal": "2 * P(Q1 or Q2) - 1",
                    "confidence": "P(the quadrant the point lies in)"},
        "data": {"name": "4Q audio emotion dataset (Panda et al. 2018), 30 s clips",
                 "clips": clips, "dropped": dropped,
                 "licence": "research data: the clips are for research use only; the model "
                            "was trained on them and ships weights, not audio"},
        "training": {"method": f"scikit-learn MLPClassifier x{len(doc['members'])} (seeded), "
                               f"L2 decay {doc['alpha']:g} chosen from {list(ALPHAS)} by "
                               "inner artist-grouped CV (quadrant log loss)",
                     "command": command},
        "cv": {"scheme": "artist-grouped, quadrant-stratified k-fold", "folds": folds,
               "pooled": pooled, "feature_selection": SELECTION},
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
`moodplayer.music.analyze` computes: essentia's cues (tempo and its regularity, mode and
key strength, loudness, loudness range, energy, onset rate) and what musicnn's two
pretrained taggers (`musicnn-msd.onnx`, `musicnn-mtt.onnx`: ISC licence, see their cards)
hear in the {PATCHES} loudest three-second patches of the cue excerpt: the mean logit of
each of their 100 tags. {len(doc['members'])} small
networks ({HIDDEN} ReLU units, L2 decay {doc['alpha']:g}) give the four quadrants'
probabilities, averaged; valence is `2 P(Q1 or Q4) - 1`, arousal `2 P(Q1 or Q2) - 1`, the
confidence the probability of the quadrant the point lies in. Inference: numpy,
{1e6 * cost:.0f} µs per track. File `{out.name}`: {len(raw)} bytes, sha256
`{card['sha256']}`.

Data: {clips} clips of the 4Q audio emotion dataset (Panda et al., IEEE TAFFC 2018;
research data, research use only; {dropped} dropped as unreadable). Labels are quadrants.
The taggers were trained by their authors on other data (the Million Song Dataset's
Last.fm tags, MagnaTagATune): a 4Q song may be among the MSD's million, heard there with
listeners' tags, never with these quadrant labels.

Trained with:

    {command}

Artist-grouped, quadrant-stratified {len(folds)}-fold cross-validation (no artist on both
sides; regularisation chosen inside each training part; {SELECTION}):

| fold | clips | artists | valence AUC | arousal AUC | quadrant |
|---|---|---|---|---|---|
{rows}
| pooled | {p['clips']} | | {p['valence_auc']:.3f} | {p['arousal_auc']:.3f} | \
{100 * p['quadrant_accuracy']:.1f} % |

Per-quadrant recall (pooled): {', '.join(f'{q} {100 * r:.0f} %' for q, r in p['recall'].items())}.
Brier score valence {p['valence_brier']:.3f}, arousal {p['arousal_brier']:.3f}; quadrant
log loss {p['quadrant_log_loss']:.3f} (chance 1.386).
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
    fitted = fit(x, kept, args.seed)
    doc = model_document(fitted, SELECTED)
    exported = parse_model(doc, args.out).proba(x_all[ok])
    if not np.allclose(exported, fitted.proba(x), atol=1e-6):
        print("train: the exported networks disagree with the fitted ones", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    command = ("python -m moodplayer.music.train --data ../shared/data/mer4q "
               f"--out {args.out} --folds {args.folds} --seed {args.seed}")
    write_card(args.out, doc, folds, pooled, len(kept), len(clips) - len(kept), command,
               _per_track_cost(args.out, x_all[ok]))
    print(f"wrote {args.out} and its card")
    return 0


if __name__ == "__main__":
    sys.exit(main())
