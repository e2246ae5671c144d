"""The per-user online learner: Bayesian linear regression with Thompson sampling.

It predicts how a user answers a track (played through +1, skipped -1, thumbs up +2,
thumbs down -2) from the interaction of the mood context (which mood the face showed)
with the track's features (its place in the plane, tempo, mode, energy, brightness and
how it fits the target profile). So it can learn that *this* user, when sad, finishes
bright major songs, or skips anything above 130 BPM. A Gaussian prior keeps it at zero
(the static table decides) until evidence arrives; a small Thompson-sampling draw from
the posterior is the exploration.
"""

from __future__ import annotations

import numpy as np

from moodplayer.emotion import MOOD_CENTRES, MOODS
from moodplayer.recommend.store import FeedbackKind

#: Bumped whenever the features below change; stored state of another version is dropped.
VERSION = 2
#: Reward of each feedback kind.
REWARDS: dict[FeedbackKind, float] = {"played": 1.0, "skipped": -1.0, "like": 2.0,
                                      "dislike": -2.0}
#: Track features, in order (all roughly centred, 0 where unknown).
TRACK_FEATURES: tuple[str, ...] = (
    "bias", "valence", "arousal", "tempo", "mode", "energy", "brightness",
    *(f"near_{m}" for m in MOODS),
    "fit_va", "fit_tempo", "fit_mode", "fit_tags",
)
#: How many leading features do not depend on the target (``static_columns``).
STATIC_SIZE = len(TRACK_FEATURES) - 4
#: Width (plane units) of the soft mood-region features ``near_<mood>``.
REGION_WIDTH = 0.4
CONTEXT_SIZE = 1 + len(MOODS) + 2
DIM = CONTEXT_SIZE * len(TRACK_FEATURES)
#: Every so many updates the covariance is recomputed from the precision.
_RESYNC_EVERY = 500


def context_vector(mood: str, valence: float = 0.0, arousal: float = 0.0) -> np.ndarray:
    """The context: a bias, the one-hot mood the face showed, and its point in the plane."""
    c = np.zeros(CONTEXT_SIZE)
    c[0] = 1.0
    if mood in MOODS:
        c[1 + MOODS.index(mood)] = 1.0  # type: ignore[arg-type]
    c[-2:] = valence, arousal
    return c


def static_columns(valence: np.ndarray, arousal: np.ndarray, bpm: np.ndarray,
                   mode: np.ndarray, energy: np.ndarray, brightness: np.ndarray) -> np.ndarray:
    """The target-independent track features, one row per feature (``STATIC_SIZE``, n),
    float32; unknown values become 0.

    Besides the raw values, a soft membership of each mood region (a Gaussian bump
    around its centre) lets the learner map what a face shows to the region this user
    wants, e.g. "a neutral face means calm music".
    """
    regions = [np.exp(-((valence - c.valence) ** 2 + (arousal - c.arousal) ** 2)
                      / (2 * REGION_WIDTH**2)) - 0.5 for c in (MOOD_CENTRES[m] for m in MOODS)]
    x = np.stack((np.ones(valence.shape), valence, arousal,
                  np.clip((bpm - 110.0) / 30.0, -3, 3), 2.0 * mode - 1.0, energy - 0.5,
                  brightness - 0.5, *regions), axis=0).astype(np.float32)
    return np.nan_to_num(x, copy=False, nan=0.0, posinf=0.0, neginf=0.0)


def fit_columns(fits: dict[str, np.ndarray]) -> np.ndarray:
    """The fit-to-target track features, one row per feature (4, n), float32, centred;
    unknown values become 0."""
    x = np.stack([fits[name] for name in ("va", "tempo", "mode", "tags")], axis=0,
                 dtype=np.float32)
    x -= 0.5
    x[np.isnan(x)] = 0.0
    return x


class Learner:
    """Posterior N(mean, covariance) over the weights of context x track interactions.

    The covariance is kept up to date by rank-one (Sherman-Morrison) updates, and a
    Thompson draw is taken only of the per-track-feature weights of the one context
    being ranked (a few dimensions), so no update or query factorises the full matrix:
    each costs well under a millisecond.
    """

    def __init__(self, prior: float = 1.0, precision: np.ndarray | None = None,
                 moment: np.ndarray | None = None, n: int = 0) -> None:
        if precision is None:
            self.precision = prior * np.eye(DIM)
            self.covariance = np.eye(DIM) / prior
        else:
            self.precision = precision
            self.covariance = np.linalg.inv(precision)
        self.moment = moment if moment is not None else np.zeros(DIM)
        self.n = n
        self._mean: np.ndarray | None = None

    @property
    def mean(self) -> np.ndarray:
        """The posterior mean of the weights."""
        if self._mean is None:
            self._mean = self.covariance @ self.moment
        return self._mean

    def track_weights(self, context: np.ndarray, rng: np.random.Generator | None = None,
                      explore: float = 0.0) -> np.ndarray:
        """Per-track-feature weights for one context (``x @ result`` is the prediction):
        the posterior mean, or with ``explore`` > 0 a draw scaled by it from the posterior."""
        k = len(TRACK_FEATURES)
        mean = context @ self.mean.reshape(CONTEXT_SIZE, k)
        if rng is None or explore <= 0.0 or self.n == 0:
            return mean
        blocks = self.covariance.reshape(CONTEXT_SIZE, k, CONTEXT_SIZE, k)
        cov = np.einsum("i,iajb,j->ab", context, blocks, context)
        scale, axes = np.linalg.eigh((cov + cov.T) / 2)  # never fails, unlike cholesky
        spread = axes * np.sqrt(np.clip(scale, 0.0, None))
        return mean + explore * (spread @ rng.standard_normal(k))

    def update(self, context: np.ndarray, x: np.ndarray, reward: float) -> None:
        """Fold in one observed reward for track features ``x`` in ``context``."""
        phi = np.outer(context, x).ravel()
        u = self.covariance @ phi
        self.covariance -= np.outer(u, u) / (1.0 + phi @ u)
        self.precision += np.outer(phi, phi)
        self.moment += reward * phi
        self.n += 1
        if self.n % _RESYNC_EVERY == 0:  # wash out the rank-one updates' rounding
            self.covariance = np.linalg.inv(self.precision)
        self._mean = None
