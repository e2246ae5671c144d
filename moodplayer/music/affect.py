"""Valence and arousal of a track from the trained audio model and its Last.fm mood tags.

The audio estimate comes from ``moodplayer.music.model`` (absolute: a track's value
depends on its own audio only). ``normalise: library`` optionally re-centres it over the
user's library (``AudioStats``), off by default. The tag estimate
(``moodtags.tag_estimate``) is fused in by how much tag evidence there is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from moodplayer.emotion import VA, Mood, mood_of
from moodplayer.music.moodtags import TagEstimate

Normalise = Literal["none", "library"]
#: ``none``: the model's absolute estimate; ``library``: re-centred over the library.
NORMALISE: tuple[Normalise, ...] = get_args(Normalise)

#: Tag evidence at which tags and audio count equally. Audio arousal is reliable
#: (held-out AUC ~0.9) and audio valence is not (~0.7, docs/benchmarks/music-emotion.md),
#: while human mood tags speak mostly to valence: so tags need little evidence to lead
#: valence and three times as much to lead arousal.
TAG_HALF_VALENCE = 0.5
TAG_HALF_AROUSAL = 1.5
#: With ``normalise: library``: how many tracks' worth of weight the model's own training
#: distribution has (mean 0, spread ``PRIOR_SPREAD`` in half-log-odds) before the
#: library's statistics take over.
PRIOR_WEIGHT = 20.0
PRIOR_SPREAD = 1.0


@dataclass(frozen=True, slots=True)
class AudioStats:
    """Mean and spread of the audio estimates' half-log-odds over a library, shrunk."""

    valence: tuple[float, float]
    arousal: tuple[float, float]

    @classmethod
    def of(cls, points: Iterable[VA]) -> AudioStats:
        """Statistics over ``points`` (any number, zero included)."""
        items = list(points)
        n = len(items)

        def stat(values: list[float]) -> tuple[float, float]:
            mean = sum(values) / (n + PRIOR_WEIGHT)
            var = (sum((x - mean) ** 2 for x in values) + PRIOR_WEIGHT * PRIOR_SPREAD**2) / (
                n + PRIOR_WEIGHT)
            return mean, math.sqrt(var)

        return cls(stat([_half_logit(p.valence) for p in items]),
                   stat([_half_logit(p.arousal) for p in items]))

    def relative(self, audio: VA) -> VA:
        """``audio`` re-centred and re-scaled so the library looks like the training data."""
        def one(value: float, stat: tuple[float, float]) -> float:
            mean, std = stat
            return math.tanh(PRIOR_SPREAD * (_half_logit(value) - mean) / std)

        return VA(one(audio.valence, self.valence), one(audio.arousal, self.arousal))


def _half_logit(value: float) -> float:
    """``atanh`` of a plane coordinate (``2p - 1 = tanh(logit / 2)``), kept finite."""
    return math.atanh(max(-0.999999, min(0.999999, value)))


@dataclass(frozen=True, slots=True)
class Affect:
    """A track's place in the plane: audio, tags and fused, with its mood label."""

    audio: VA
    tags: VA | None
    fused: VA
    tag_weight_valence: float
    tag_weight_arousal: float

    @property
    def mood(self) -> Mood:
        """The mood region the fused point lies in."""
        return mood_of(self.fused)


def fuse(audio: VA, tags: TagEstimate | None) -> Affect:
    """Blend the audio and tag estimates, weighting tags by their evidence."""
    if tags is None or tags.evidence <= 0:
        return Affect(audio, None, audio, 0.0, 0.0)
    wv = tags.evidence / (tags.evidence + TAG_HALF_VALENCE)
    wa = tags.evidence / (tags.evidence + TAG_HALF_AROUSAL)
    fused = VA((1 - wv) * audio.valence + wv * tags.point.valence,
               (1 - wa) * audio.arousal + wa * tags.point.arousal)
    return Affect(audio, tags.point, fused, wv, wa)
