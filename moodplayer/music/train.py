"""Train the track emotion model on two kinds of labelled clips and export it with its card.

    python -m moodplayer.music.train --data ../shared/data/mer4q \
        [--ratings ../shared/data/musifeast] --out models/moodplayer-music.json \
        [--folds 5] [--seed 0] [--jobs 2]

Two kinds of label, each honoured as it is: ``--data`` clips carry a quadrant (4Q), the
target is that quadrant; ``--ratings`` clips carry the mean and spread of listeners'
1..5 ratings, the target is ``Phi((mean - 3) / (SPREAD * sd))`` per axis (the share of
listeners above the middle of each scale, with the spread narrowed by ``SPREAD``), over
the four quadrants as the product of the two axes.
The model is a softmax over the four quadrants (``HIDDEN`` ReLU units between, 0: none;
an ensemble of ``MEMBERS``) on the ``COMPONENTS`` leading principal axes of the
standardised features, fitted by L-BFGS on the weighted cross-entropy with those soft
targets and an L2 weight decay; the decay is chosen from ``ALPHAS`` by an inner grouped
cross-validation on the training part only (the same loss). The projection is folded
into the exported weights, so the model file holds a network on the features
themselves. The figures reported come from an outer k-fold over both sets together,
grouped by artist (no artist on both sides, in either set) and stratified by quadrant
and genre, and from leaving each genre of the rated set out in turn; no test
fold informs a choice. The same inner cross-validation's out-of-fold probabilities (at the
chosen decay) fit a temperature that divides the logits, so that the confidence matches
how often the likeliest quadrant of a row is right (``CALIBRATE``). The exported model
is refitted on every clip with the decay and temperature the same inner procedure picks
there. Everything is seeded: the same data and seed give the
same file. Needs scikit-learn (the ``train`` extra) for the folds only; the model file is
plain JSON read with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import ndtr
from scipy.stats import spearmanr

from moodplayer.exceptions import MoodplayerError
from moodplayer.music.dataset import (
    MAX_JOBS,
    RATING_MIDDLE,
    Clip,
    Rated,
    extract,
    load_labels,
    load_ratings,
)
from moodplayer.music.model import (
    CUES,
    FEATURES,
    FORMAT,
    QUADRANTS,
    Layers,
    forward,
    parse_model,
    quadrant_point,
)
from moodplayer.music.musicnn import EMBEDDING_FEATURES, PATCHES, TAG_FEATURES

log = logging.getLogger(__name__)

#: L2 weight decays the inner cross-validation chooses from.
ALPHAS: tuple[float, ...] = (10.0, 30.0, 100.0, 300.0, 1000.0)
#: Hidden ReLU units per network (0: a linear softmax over the principal axes), and
#: networks per ensemble. A linear model ranked MUSIFEAST best at no cost on 4Q
#: (docs/benchmarks/music-emotion.md); being convex, one member is all its ensemble is.
HIDDEN = 0
MEMBERS = 1
INNER_FOLDS = 3
#: How much one rated clip counts against one quadrant clip in the loss: the rated set is
#: a fifth the size of the quadrant set and spans the genres the quadrant set lacks.
RATED_WEIGHT = 6.0
#: Principal axes of the standardised features the networks read (fitted on the
#: training part; folded into the exported first layer): 509 inputs are many for 719
#: clips (32 axes ranked worse, 256 no better), and the fit takes a fraction of the time.
COMPONENTS = 128
#: The spread of the ratings the rated targets assume, in units of the listeners' sd:
#: half of it, so that the targets lean further from 0.5 than one listener's would
#: (ranked MUSIFEAST better than 1.0 or 0.3, same CV).
SPREAD = 0.5
#: Whether ``fit`` divides the networks' logits by a temperature fitted on the inner
#: cross-validation's out-of-fold probabilities, against the likeliest quadrant of each
#: row (``calibration_targets``), from the grid ``TEMPERATURES``.
CALIBRATE = True
TEMPERATURES: tuple[float, ...] = tuple(np.round(np.geomspace(0.25, 4.0, 41), 4))
#: L-BFGS iterations per network.
MAX_ITER = 400
#: Model version written into the file and the card.
VERSION = "7.0"
#: Features the model reads (a subset of ``model.FEATURES``): the analysis' cues,
#: musicnn's 100 tags and the 400 units of its two penultimate layers
#: (docs/benchmarks/music-emotion.md compares the alternatives in one run).
SELECTED: tuple[str, ...] = (*CUES, *TAG_FEATURES, *EMBEDDING_FEATURES)
#: How the feature set was chosen: said on the card, since it bears on the CV figures.
SELECTION = ("the feature set (cues, musicnn tags and embeddings, without the "
             "descriptors), the network size and the rated set's weight were chosen by "
             "comparing pooled figures of this same cross-validation (same folds, same "
             "seed; bench/music_emotion.py), and so were the analysis' onset-rate span and "
             "the taggers' patches: that is model selection on these folds, so the figures "
             "are somewhat optimistic; the weight decay and the confidence's temperature are "
             "chosen inside every fold")


@dataclass(frozen=True)
class Labelled:
    """Training rows of both sets: features, soft quadrant targets, loss weights, the
    artist group and the stratum (quadrant or genre) of each row."""

    x: np.ndarray
    target: np.ndarray  # (n, 4), rows sum to 1, columns in QUADRANTS order
    weight: np.ndarray
    group: np.ndarray
    stratum: np.ndarray

    def take(self, rows: np.ndarray) -> Labelled:
        """The rows ``rows`` of every part."""
        return Labelled(self.x[rows], self.target[rows], self.weight[rows], self.group[rows],
                        self.stratum[rows])


def quadrant_targets(clips: Sequence[Clip]) -> np.ndarray:
    """One-hot (n, 4) targets of quadrant clips."""
    return np.eye(len(QUADRANTS))[[QUADRANTS.index(c.quadrant) for c in clips]]


def rated_targets(clips: Sequence[Rated]) -> np.ndarray:
    """Soft (n, 4) targets of rated clips: the share of listeners above the middle of
    each scale (normal spread of ratings about the mean), as the four quadrants."""
    v = ndtr(np.array([(c.valence_mean - RATING_MIDDLE) / (SPREAD * c.valence_sd)
                       for c in clips]))
    a = ndtr(np.array([(c.arousal_mean - RATING_MIDDLE) / (SPREAD * c.arousal_sd)
                       for c in clips]))
    return np.stack([v * a, (1 - v) * a, (1 - v) * (1 - a), v * (1 - a)], axis=1)


def labelled(x_quad: np.ndarray, quad: Sequence[Clip], x_rated: np.ndarray,
             rated: Sequence[Rated], rated_weight: float = RATED_WEIGHT) -> Labelled:
    """Both sets as one table of training rows (quadrant clips first)."""
    return Labelled(
        np.vstack([x_quad, x_rated]),
        np.vstack([quadrant_targets(quad), rated_targets(rated).reshape(-1, len(QUADRANTS))]),
        np.concatenate([np.ones(len(quad)), np.full(len(rated), rated_weight)]),
        np.array([c.artist.strip().lower() for c in (*quad, *rated)], dtype=object),
        np.array([*(c.quadrant for c in quad), *(f"genre {c.genre}" for c in rated)],
                 dtype=object))


def split(groups: np.ndarray, strata: np.ndarray, k: int, seed: int
          ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, test) index pairs: grouped by ``groups``, stratified by ``strata``."""
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold

    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a stratum smaller than k
        return list(cv.split(np.zeros(len(groups)), list(strata), list(groups)))


def quadrant_split(clips: Sequence[Clip], k: int, seed: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``split`` of quadrant clips alone: grouped by artist, stratified by quadrant."""
    return split(np.array([c.artist.strip().lower() for c in clips], dtype=object),
                 np.array([c.quadrant for c in clips], dtype=object), k, seed)


def _scaler(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _fit_network(z: np.ndarray, target: np.ndarray, weight: np.ndarray, alpha: float,
                 hidden: int, seed: int) -> Layers:
    """One network (``hidden`` ReLU units, or linear if 0) minimising the weighted soft
    cross-entropy plus ``alpha / (2 n)`` times the squared weights (scikit-learn's scale)."""
    d = z.shape[1]
    sizes = [d, hidden, len(QUADRANTS)] if hidden else [d, len(QUADRANTS)]
    rng = np.random.default_rng(seed)
    shapes = [(o, i) for i, o in itertools.pairwise(sizes)]
    init = []
    for o, i in shapes:
        bound = np.sqrt(6.0 / (i + o))  # Glorot, as scikit-learn's MLP
        init += [rng.uniform(-bound, bound, (o, i)).ravel(), rng.uniform(-bound, bound, o)]
    w = weight / weight.sum()
    decay = alpha / weight.sum()

    def unpack(theta: np.ndarray) -> Layers:
        out, at = [], 0
        for o, i in shapes:
            out.append((theta[at:at + o * i].reshape(o, i), theta[at + o * i:at + o * i + o]))
            at += o * i + o
        return tuple(out)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        layers = unpack(theta)
        acts = [z]
        for i, (wt, b) in enumerate(layers):
            h = acts[-1] @ wt.T + b
            acts.append(np.maximum(h, 0.0) if i < len(layers) - 1 else h)
        logits = acts[-1]
        logits = logits - logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = -float(np.sum(w[:, None] * target * logp))
        delta = w[:, None] * (np.exp(logp) - target)
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            wt = layers[i][0]
            value += 0.5 * decay * float(np.sum(wt * wt))
            grads.append((delta.T @ acts[i] + decay * wt, delta.sum(axis=0)))
            if i:
                delta = (delta @ wt) * (acts[i] > 0)
        return value, np.concatenate([p.ravel() for g in reversed(grads) for p in g])

    done = minimize(loss, np.concatenate(init), jac=True, method="L-BFGS-B",
                    options={"maxiter": MAX_ITER})
    return unpack(done.x)


@dataclass(frozen=True)
class Fitted:
    """A fitted scaler, principal axes and ensemble, with its weight decay."""

    mean: np.ndarray
    scale: np.ndarray
    basis: np.ndarray  # (features, components): the networks read z @ basis
    members: tuple[Layers, ...]
    alpha: float
    temperature: float = 1.0  # divides the logits the confidence is read from

    def proba(self, x: np.ndarray, tempered: bool = False) -> np.ndarray:
        """Quadrant probabilities (n, 4), columns in ``QUADRANTS`` order; ``tempered``:
        the calibrated ones (logits divided by the temperature)."""
        z = (x - self.mean) / self.scale @ self.basis
        t = self.temperature if tempered else 1.0
        return sum(forward(m, z, t) for m in self.members) / len(self.members)

    def exported(self) -> tuple[Layers, ...]:
        """The members with the projection folded into their first layer: networks on the
        standardised features themselves, as the model file holds them."""
        return tuple(((w @ self.basis.T, b), *rest) for (w, b), *rest in self.members)


def principal_axes(z: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` leading principal axes (features, count) of standardised rows ``z``,
    each signed so that its largest loading is positive (deterministic)."""
    _, _, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    axes = vt[:min(count, len(vt))]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return (axes * signs[:, None]).T


def _ensemble(data: Labelled, alpha: float, seed: int, members: int, hidden: int) -> Fitted:
    mean, scale = _scaler(data.x)
    z = (data.x - mean) / scale
    basis = principal_axes(z, COMPONENTS)
    zp = z @ basis
    nets = tuple(_fit_network(zp, data.target, data.weight, alpha, hidden, seed * MEMBERS + i)
                 for i in range(members))
    return Fitted(mean, scale, basis, nets, alpha)


def log_loss(target: np.ndarray, weight: np.ndarray, p: np.ndarray) -> float:
    """Weighted mean soft cross-entropy of probabilities ``p`` against ``target``."""
    ce = -np.sum(target * np.log(np.clip(p, 1e-6, 1.0)), axis=1)
    return float(np.sum(weight * ce) / np.sum(weight))


def _choose_alpha(data: Labelled, seed: int, hidden: int) -> tuple[float, np.ndarray]:
    """The decay of ``ALPHAS`` with the lowest inner grouped-CV loss on ``data`` only (one
    network per fold and decay: the choice, not the figure, is what is needed), and the
    inner out-of-fold quadrant probabilities (rows of ``data``) at that decay."""
    _, counts = np.unique(data.stratum, return_counts=True)
    inner = split(data.group, data.stratum, max(2, min(INNER_FOLDS, int(counts.min()))),
                  seed + 1)
    losses, oofs = [], []
    for alpha in ALPHAS:
        oof = np.zeros_like(data.target)
        for tr, te in inner:
            oof[te] = _ensemble(data.take(tr), alpha, seed, 1, hidden).proba(data.x[te])
        losses.append(log_loss(data.target, data.weight, oof))
        oofs.append(oof)
    best = int(np.argmin(losses))
    return ALPHAS[best], oofs[best]


def calibration_targets(data: Labelled) -> np.ndarray:
    """One-hot (n, 4) quadrants the confidence is judged against: each row's likeliest
    target quadrant (a quadrant clip's own; a rated clip's mean rating's)."""
    return np.eye(len(QUADRANTS))[data.target.argmax(axis=1)]


def fit_temperature(p: np.ndarray, truth: np.ndarray) -> float:
    """The temperature T in ``TEMPERATURES`` whose ``softmax(log p / T)`` has the lowest
    mean cross-entropy against one-hot ``truth`` (T < 1 sharpens, T > 1 softens)."""
    logp = np.log(np.clip(p, 1e-12, 1.0))
    losses = []
    for t in TEMPERATURES:
        z = logp / t
        z = z - z.max(axis=1, keepdims=True)
        q = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        losses.append(log_loss(truth, np.ones(len(truth)), q))
    return float(TEMPERATURES[int(np.argmin(losses))])


def fit(data: Labelled, seed: int, hidden: int = HIDDEN) -> Fitted:
    """Scaler and ensemble fitted on ``data``, decay chosen by inner CV on it alone, and
    the confidence's temperature fitted on that inner CV's out-of-fold probabilities."""
    alpha, inner = _choose_alpha(data, seed, hidden)
    fitted = _ensemble(data, alpha, seed, MEMBERS, hidden)
    if not CALIBRATE:
        return fitted
    return replace(fitted, temperature=fit_temperature(inner, calibration_targets(data)))


def plane(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Valence and arousal in [-1, 1] from quadrant probabilities (as the model file does)."""
    valence, arousal, _ = quadrant_point(p)
    return valence, arousal


def quadrant_of(valence: np.ndarray, arousal: np.ndarray) -> np.ndarray:
    """The quadrant each point lies in (centre 0)."""
    return np.where(arousal >= 0, np.where(valence >= 0, "Q1", "Q2"),
                    np.where(valence >= 0, "Q4", "Q3"))


def confidence(p: np.ndarray, sure: np.ndarray | None = None) -> np.ndarray:
    """The model's confidence: the probability of the quadrant its point lies in (read
    from the calibrated probabilities ``sure`` where given)."""
    return quadrant_point(p, sure)[2]


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties count half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


#: Bins of the reliability table (equal widths over [0, 1]).
CALIBRATION_BINS = 10


def calibration(conf: np.ndarray, correct: np.ndarray) -> dict:
    """Expected calibration error of ``conf`` against 0/1 ``correct`` and its reliability
    table: per non-empty bin, the mean confidence, the share correct and the count."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    table, ece = [], 0.0
    for b in range(CALIBRATION_BINS):
        inside = which == b
        if inside.any():
            c, a = float(conf[inside].mean()), float(correct[inside].mean())
            table.append({"confidence": c, "accuracy": a, "count": int(inside.sum())})
            ece += inside.mean() * abs(c - a)
    return {"ece": float(ece), "bins": table}


def scores(clips: Sequence[Clip], valence: np.ndarray, arousal: np.ndarray) -> dict:
    """Valence/arousal AUC, quadrant accuracy at the centre 0 and per-quadrant recall."""
    truth = np.array([c.quadrant for c in clips])
    guess = quadrant_of(valence, arousal)
    return {
        "valence_auc": auc(np.array([c.valence for c in clips]), valence),
        "arousal_auc": auc(np.array([c.arousal for c in clips]), arousal),
        "quadrant_accuracy": float(np.mean(guess == truth)),
        "recall": {q: float(np.mean(guess[truth == q] == q)) for q in QUADRANTS
                   if np.any(truth == q)},
        "clips": len(clips),
    }


def _rho(a: np.ndarray, b: np.ndarray) -> float:
    return float(spearmanr(a, b).statistic) if len(a) > 2 else float("nan")


def _mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def rating_scores(clips: Sequence[Rated], valence: np.ndarray, arousal: np.ndarray) -> dict:
    """Spearman correlation of the estimates with the mean ratings, over all clips and
    within each genre (and their mean over the genres)."""
    vm = np.array([c.valence_mean for c in clips])
    am = np.array([c.arousal_mean for c in clips])
    genre = np.array([c.genre for c in clips])
    per = {g: {"valence": _rho(valence[genre == g], vm[genre == g]),
               "arousal": _rho(arousal[genre == g], am[genre == g])}
           for g in sorted(set(genre))}
    return {"valence_rho": _rho(valence, vm), "arousal_rho": _rho(arousal, am),
            "valence_rho_within": _mean([r["valence"] for r in per.values()]),
            "arousal_rho_within": _mean([r["arousal"] for r in per.values()]),
            "genres": per, "clips": len(clips)}


@dataclass(frozen=True)
class Evaluation:
    """Out-of-fold quadrant probabilities of every row (and calibrated, ``sure``) and
    the scores they give."""

    oof: np.ndarray
    folds: list[dict]
    quadrant: dict
    rated: dict | None
    alphas: list[float]
    sure: np.ndarray | None = None


def quadrant_figures(clips: Sequence[Clip], p: np.ndarray,
                     sure: np.ndarray | None = None) -> dict:
    """``scores`` of quadrant clips, the quadrant log loss and the calibration of the
    confidence (from the calibrated probabilities ``sure`` where given)."""
    out = scores(clips, *plane(p))
    truth = np.array([c.quadrant for c in clips])
    out["quadrant_log_loss"] = log_loss(quadrant_targets(clips), np.ones(len(clips)), p)
    out["calibration"] = calibration(confidence(p, sure), quadrant_of(*plane(p)) == truth)
    return out


def rated_figures(clips: Sequence[Rated], p: np.ndarray,
                  sure: np.ndarray | None = None) -> dict:
    """``rating_scores`` of rated clips and the calibration of the confidence against the
    quadrant of the mean rating (from ``sure`` where given)."""
    out = rating_scores(clips, *plane(p))
    truth = quadrant_of(np.array([c.valence_mean - RATING_MIDDLE for c in clips]),
                        np.array([c.arousal_mean - RATING_MIDDLE for c in clips]))
    out["calibration"] = calibration(confidence(p, sure), quadrant_of(*plane(p)) == truth)
    return out


def evaluate(data: Labelled, quad: Sequence[Clip], rated: Sequence[Rated],
             splits: Sequence[tuple[np.ndarray, np.ndarray]], seed: int,
             hidden: int = HIDDEN) -> Evaluation:
    """``fit`` on each training part of ``splits`` (rows of ``data``: ``quad`` then
    ``rated``), scored on its test part; per-fold and pooled figures of both sets."""
    oof = np.full((len(data.x), len(QUADRANTS)), np.nan)
    sure = oof.copy()
    folds, alphas = [], []
    n = len(quad)
    for tr, te in splits:
        fitted = fit(data.take(tr), seed, hidden)
        oof[te] = fitted.proba(data.x[te])
        sure[te] = fitted.proba(data.x[te], tempered=True)
        alphas.append(fitted.alpha)
        fold: dict = {"alpha": fitted.alpha, "temperature": fitted.temperature}
        q = te[te < n]
        if len(q):
            fold["quadrant"] = scores([quad[i] for i in q], *plane(oof[q]))
            fold["quadrant"]["artists"] = len({quad[i].artist for i in q})
        r = te[te >= n] - n
        if len(r) > 2:
            # Within-genre figures need 3 clips of a genre in one fold: pooled only.
            fold["rated"] = {k: v for k, v in rating_scores(
                [rated[i] for i in r], *plane(oof[r + n])).items()
                if k in ("valence_rho", "arousal_rho", "clips")}
        folds.append(fold)
    tested = ~np.isnan(oof[:, 0])
    quadrant = quadrant_figures(quad, oof[:n], sure[:n]) if n and tested[:n].all() else {}
    rated_fig = (rated_figures(rated, oof[n:], sure[n:]) if len(rated) and tested[n:].all()
                 else None)
    return Evaluation(oof, folds, quadrant, rated_fig, alphas, sure)


def kfold(data: Labelled, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The outer k-fold over both sets: artist-grouped, quadrant- and genre-stratified."""
    return split(data.group, data.stratum, k, seed)


def genre_folds(data: Labelled, quad: Sequence[Clip], rated: Sequence[Rated]
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (train, test) pair per genre of the rated set: that genre's clips are tested;
    training has every other row except those by the tested clips' artists."""
    n = len(quad)
    out = []
    for genre in sorted({c.genre for c in rated}):
        test = np.array([n + i for i, c in enumerate(rated) if c.genre == genre])
        artists = set(data.group[test])
        train = np.array([i for i in range(len(data.group))
                          if i not in set(test) and data.group[i] not in artists])
        out.append((train, test))
    return out


def model_document(fitted: Fitted, names: Sequence[str]) -> dict:
    """The model file's JSON content (output rows in ``QUADRANTS`` order)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "features": list(names),
        "classes": list(QUADRANTS),
        "scaler": {"mean": fitted.mean.tolist(), "scale": fitted.scale.tolist()},
        "alpha": fitted.alpha,
        "temperature": fitted.temperature,
        "members": [{"layers": [{"w": w.tolist(), "b": b.tolist()} for w, b in m]}
                    for m in fitted.exported()],
    }


def _per_track_cost(model_path: Path, x: np.ndarray) -> float:
    """Seconds the exported model takes per track on these rows (numpy inference)."""
    model = parse_model(json.loads(model_path.read_text(encoding="utf-8")), model_path)
    start = time.perf_counter()
    for row in x:
        model.plane(row)
    return (time.perf_counter() - start) / len(x)


def architecture(features: int, members: int) -> str:
    """The model's shape in words, for the card."""
    body = f"{HIDDEN} ReLU -> 4" if HIDDEN else "4"
    head = f"{members} networks averaged: " if members > 1 else ""
    return (f"{head}{features} standardised features -> {body} (softmax over the "
            f"quadrants), fitted on the features' {COMPONENTS} leading principal axes")


def _fold_rows(folds: list[dict]) -> str:
    rows = []
    for i, f in enumerate(folds, start=1):
        q, r = f.get("quadrant"), f.get("rated")
        rows.append(f"| {i} | {q['clips']} | {q['valence_auc']:.3f} | {q['arousal_auc']:.3f} | "
                    f"{100 * q['quadrant_accuracy']:.1f} % | {r['clips'] if r else 0} | "
                    + (f"{r['valence_rho']:.3f} | {r['arousal_rho']:.3f} |" if r else "| |")
                    + f" {f['alpha']:g} |")
    return "\n".join(rows)


def write_card(out: Path, doc: dict, cv: Evaluation, by_genre: Evaluation | None,
               clips: dict[str, int], command: str, cost: float) -> None:
    """``<stem>.card.json`` and ``<stem>.md`` next to the model file ``out``."""
    raw = out.read_bytes()
    q, r = cv.quadrant, cv.rated
    card = {
        "name": out.stem,
        "file": out.name,
        "version": doc["version"],
        "format": doc["format"],
        "features": doc["features"],
        "classes": doc["classes"],
        "reads": {"cues": [n for n in doc["features"] if n in CUES],
                  "musicnn": f"mean tag logits and mean penultimate-layer units (200 each) of "
                             f"musicnn-msd.onnx and musicnn-mtt.onnx over the {PATCHES} "
                             "loudest 3 s patches of the cue excerpt"},
        "architecture": architecture(len(doc["features"]), len(doc["members"])),
        "outputs": {"valence": "2 * P(Q1 or Q4) - 1", "arousal": "2 * P(Q1 or Q2) - 1",
                    "confidence": "P(the quadrant the point lies in)"},
        "data": {
            "quadrants": {"name": "4Q audio emotion dataset (Panda et al. 2018), 30 s clips",
                          "clips": clips["quadrant"], "dropped": clips["quadrant_dropped"],
                          "labels": "quadrant per clip (one-hot target)"},
            "ratings": {"name": "MUSIFEAST-17 (van der Walle et al. 2025), 30 s "
                                "instrumental clips of 17 genres",
                        "clips": clips["rated"], "dropped": clips["rated_dropped"],
                        "labels": "mean and sd of 1..5 valence and arousal ratings; target "
                                  f"Phi((mean - 3) / ({SPREAD:g} sd)) per axis, weight "
                                  f"{RATED_WEIGHT:g} per clip"},
            "licence": "research data: the 4Q clips are for research use only, MUSIFEAST's "
                       "ratings are CC0 and its music used for research under fair "
                       "dealing; the model was trained on them and ships weights, not audio"},
        "training": {"method": "seeded L-BFGS on the weighted soft cross-entropy, L2 "
                               f"decay {doc['alpha']:g} "
                               f"chosen from {list(ALPHAS)} by inner grouped CV; logits "
                               f"divided by the temperature {doc['temperature']:g} fitted "
                               "on that inner CV's out-of-fold probabilities",
                     "command": command},
        "cv": {"scheme": "k-fold over both sets, artist-grouped, stratified by quadrant and "
                         "genre; weight decay and temperature chosen inside every fold "
                         "(the temperature moves the confidence only)",
               "folds": cv.folds, "quadrant": q, "rated": r,
               "leave_one_genre_out": by_genre.rated if by_genre else None,
               "feature_selection": SELECTION},
        "size_bytes": len(raw),
        "cost_per_track_s": cost,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    out.with_suffix(".card.json").write_text(json.dumps(card, indent=2) + "\n",
                                             encoding="utf-8")
    rated_lines = ""
    if r:
        rated_lines = (f"\nRated clips (Spearman correlation with the mean ratings, "
                       f"out-of-fold): valence {r['valence_rho']:.3f}, arousal "
                       f"{r['arousal_rho']:.3f}; within genre (mean over "
                       f"{len(r['genres'])}) valence {r['valence_rho_within']:.3f}, arousal "
                       f"{r['arousal_rho_within']:.3f}.")
    if by_genre and by_genre.rated:
        g = by_genre.rated
        rated_lines += (f" Leaving each genre out in turn (trained on every other genre "
                        f"and all quadrant clips): valence {g['valence_rho']:.3f}, arousal "
                        f"{g['arousal_rho']:.3f}; within the held-out genre valence "
                        f"{g['valence_rho_within']:.3f}, arousal "
                        f"{g['arousal_rho_within']:.3f}.")
    recall = ", ".join(f"{k} {100 * v:.0f} %" for k, v in q["recall"].items())
    md = f"""# {out.stem} {doc['version']}

Valence and arousal of a track from {len(doc['features'])} audio features that
`moodplayer.music.analyze` computes: essentia's cues (tempo and its regularity, mode and
key strength, loudness, loudness range, energy, onset rate) and what musicnn's two
pretrained taggers (`musicnn-msd.onnx`, `musicnn-mtt.onnx`: ISC licence, see their cards)
hear in the {PATCHES} loudest three-second patches of the cue excerpt: the mean logit of
each of their 100 tags and the mean of the 200 units of each network's penultimate
layer. Model: {architecture(len(doc['features']), len(doc['members']))}, L2 decay
{doc['alpha']:g}: the four quadrants' probabilities; valence is `2 P(Q1 or Q4) - 1`,
arousal `2 P(Q1 or Q2) - 1`, the confidence the probability of the quadrant the point
lies in, read with the logits divided by the temperature {doc['temperature']:g} (fitted,
like the decay, on the inner cross-validation's out-of-fold probabilities, against each
clip's likeliest quadrant; it leaves valence and arousal as they are). Inference:
numpy, {1e6 * cost:.0f} µs per track. File
`{out.name}`: {len(raw)} bytes, sha256 `{card['sha256']}`.

Data, each with its own kind of label:
- {clips['quadrant']} clips of the 4Q audio emotion dataset (Panda et al., IEEE TAFFC 2018;
  research data, research use only; {clips['quadrant_dropped']} dropped as unreadable):
  one quadrant each, the target.
- {clips['rated']} clips of MUSIFEAST-17 (van der Walle et al., Behavior Research Methods
  2025; ratings CC0, music used for research): the mean and spread of 701 listeners'
  1..5 valence and arousal ratings; the target is `Phi((mean - 3) / ({SPREAD:g} sd))`
  per axis (the share of listeners above the middle of each scale, the spread narrowed),
  a clip weighing {RATED_WEIGHT:g} quadrant clips.

The taggers were trained by their authors on other data (the Million Song Dataset's
Last.fm tags, MagnaTagATune).

Trained with:

    {command}

{len(cv.folds)}-fold cross-validation over both sets together, grouped by artist (no
artist on both sides) and stratified by quadrant and genre; the decay chosen inside each
training part; {SELECTION}:

| fold | 4Q clips | valence AUC | arousal AUC | quadrant | rated clips | valence rho | \
arousal rho | decay |
|---|---|---|---|---|---|---|---|---|
{_fold_rows(cv.folds)}
| pooled | {q['clips']} | {q['valence_auc']:.3f} | {q['arousal_auc']:.3f} | \
{100 * q['quadrant_accuracy']:.1f} % | {r['clips'] if r else 0} | \
{f"{r['valence_rho']:.3f} | {r['arousal_rho']:.3f}" if r else " | "} | |

4Q per-quadrant recall (pooled): {recall};
quadrant log loss {q['quadrant_log_loss']:.3f} (chance 1.386); expected calibration error
of the confidence {q['calibration']['ece']:.3f} (4Q), {r['calibration']['ece'] if r else
float('nan'):.3f} (rated clips, against the quadrant of the mean rating); temperatures per
fold {', '.join(f"{f['temperature']:g}" for f in cv.folds)}.{rated_lines}
"""
    out.with_suffix(".md").write_text(md, encoding="utf-8")


def usable(x: np.ndarray, clips: list) -> tuple[np.ndarray, list]:
    """The rows of ``x`` and the clips whose analysis succeeded (no NaN feature)."""
    ok = ~np.isnan(x).any(axis=1)
    return x[ok], [c for c, good in zip(clips, ok, strict=True) if good]


def main(argv: Sequence[str] | None = None) -> int:
    """Train, cross-validate, export the model and its card; 0 on success."""
    ap = argparse.ArgumentParser(prog="python -m moodplayer.music.train",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True,
                    help="folder with a labels.csv of quadrant clips")
    ap.add_argument("--ratings", type=Path,
                    help="folder with a labels.csv of rated clips (mean and sd per axis)")
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
        quad_all = load_labels(args.data)
        rated_all = load_ratings(args.ratings) if args.ratings else []
        xq_all = extract(args.data, quad_all, args.jobs)
        xr_all = (extract(args.ratings, rated_all, args.jobs) if rated_all
                  else np.zeros((0, len(FEATURES))))
    except MoodplayerError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    xq_full, quad = usable(xq_all, quad_all)
    xr_full, rated = usable(xr_all, rated_all)
    fewest = min(sum(c.quadrant == q for c in quad) for q in QUADRANTS)
    if fewest < 2 * args.folds:
        print(f"train: {args.data / 'labels.csv'}: {fewest} usable clips in the smallest "
              f"quadrant; {args.folds} folds need at least {2 * args.folds}", file=sys.stderr)
        return 2
    cols = [FEATURES.index(n) for n in SELECTED]
    data = labelled(xq_full[:, cols], quad, xr_full[:, cols], rated)
    cv = evaluate(data, quad, rated, kfold(data, args.folds, args.seed), args.seed)
    by_genre = (evaluate(data, quad, rated, genre_folds(data, quad, rated), args.seed)
                if rated else None)
    q = cv.quadrant
    print(f"4Q pooled: valence AUC {q['valence_auc']:.3f}  arousal AUC "
          f"{q['arousal_auc']:.3f}  quadrant {100 * q['quadrant_accuracy']:.1f} %  "
          f"ECE {q['calibration']['ece']:.3f}")
    for name, ev in (("rated", cv), ("rated, genre left out", by_genre)):
        if ev and ev.rated:
            r = ev.rated
            print(f"{name}: valence rho {r['valence_rho']:.3f}  arousal rho "
                  f"{r['arousal_rho']:.3f}  within genre {r['valence_rho_within']:.3f} / "
                  f"{r['arousal_rho_within']:.3f}")
    fitted = fit(data, args.seed)
    doc = model_document(fitted, SELECTED)
    x_rows = np.vstack([xq_full, xr_full])
    if not np.allclose(parse_model(doc, args.out).proba(x_rows), fitted.proba(data.x),
                       atol=1e-6):
        print("train: the exported networks disagree with the fitted ones", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    command = ("python -m moodplayer.music.train --data ../shared/data/mer4q "
               + ("--ratings ../shared/data/musifeast " if rated else "")
               + f"--out {args.out} --folds {args.folds} --seed {args.seed}")
    counts = {"quadrant": len(quad), "quadrant_dropped": len(quad_all) - len(quad),
              "rated": len(rated), "rated_dropped": len(rated_all) - len(rated)}
    write_card(args.out, doc, cv, by_genre, counts, command,
               _per_track_cost(args.out, x_rows))
    print(f"wrote {args.out} and its card")
    return 0


if __name__ == "__main__":
    sys.exit(main())
