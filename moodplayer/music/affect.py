"""Valence and arousal of a track from its audio cues and its Last.fm mood tags.

Signs follow docs/audio.md: arousal rises with tempo, loudness, onset rate, brightness
and a small dynamic range; valence rises with major mode (weighted by key strength) and
consonance, weakly with tempo and brightness. Cues are z-scored over the user's own
library (``CueStats``), shrunk toward typical values while the library is small, so the
estimate says how a track sits among what the user owns. The tag estimate
(``moodtags.tag_estimate``) is fused in by how much tag evidence there is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from moodplayer.emotion import VA, Mood, mood_of
from moodplayer.music.analyze import Analysis
from moodplayer.music.moodtags import TagEstimate

#: Typical (mean, standard deviation) of each cue in popular music; the prior that
#: library statistics are shrunk toward.
PRIOR: Mapping[str, tuple[float, float]] = {
    "bpm": (115.0, 25.0),
    "loudness": (-12.0, 4.0),
    "onset_rate": (3.0, 1.5),
    "brightness": (2500.0, 900.0),
    "dynamic_range": (7.0, 4.0),
    "dissonance": (0.45, 0.05),
}
#: How many tracks' worth of weight the prior has.
PRIOR_WEIGHT = 5.0
#: Cue weights (z-score units) for arousal and valence.
AROUSAL_WEIGHTS: Mapping[str, float] = {
    "bpm": 0.30, "loudness": 0.25, "onset_rate": 0.20, "brightness": 0.15,
    "dynamic_range": -0.10,
}
VALENCE_WEIGHTS: Mapping[str, float] = {
    "dissonance": -0.20, "bpm": 0.10, "brightness": 0.10,
}
#: Weight of (major +1 / minor -1) x key strength in valence.
MODE_WEIGHT = 0.6
#: Tag evidence at which tags and audio count equally, for valence and arousal.
TAG_HALF_VALENCE = 0.5
TAG_HALF_AROUSAL = 1.5


@dataclass(frozen=True, slots=True)
class CueStats:
    """Per-cue (mean, standard deviation) of a library, shrunk toward ``PRIOR``."""

    stats: Mapping[str, tuple[float, float]]

    @classmethod
    def of(cls, analyses: Iterable[Analysis]) -> CueStats:
        """Statistics over ``analyses`` (any number, zero included)."""
        items = list(analyses)
        n = len(items)
        out = {}
        for cue, (pm, ps) in PRIOR.items():
            values = [float(getattr(a, cue)) for a in items]
            mean = (sum(values) + PRIOR_WEIGHT * pm) / (n + PRIOR_WEIGHT)
            var = (sum((x - mean) ** 2 for x in values) + PRIOR_WEIGHT * ps**2) / (
                n + PRIOR_WEIGHT)
            out[cue] = (mean, math.sqrt(var))
        return cls(out)

    def z(self, cue: str, value: float) -> float:
        """``value`` of ``cue`` in standard deviations from the library mean."""
        mean, std = self.stats[cue]
        return (value - mean) / std if std > 0 else 0.0


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


def audio_estimate(analysis: Analysis, stats: CueStats) -> VA:
    """Valence and arousal from the audio cues alone, relative to ``stats``."""
    arousal = sum(w * stats.z(c, getattr(analysis, c)) for c, w in AROUSAL_WEIGHTS.items())
    mode = (1.0 if analysis.mode == "major" else -1.0) * analysis.key_strength
    valence = MODE_WEIGHT * mode + sum(
        w * stats.z(c, getattr(analysis, c)) for c, w in VALENCE_WEIGHTS.items())
    return VA(math.tanh(valence), math.tanh(arousal))


def fuse(audio: VA, tags: TagEstimate | None) -> Affect:
    """Blend the audio and tag estimates, weighting tags by their evidence."""
    if tags is None or tags.evidence <= 0:
        return Affect(audio, None, audio, 0.0, 0.0)
    wv = tags.evidence / (tags.evidence + TAG_HALF_VALENCE)
    wa = tags.evidence / (tags.evidence + TAG_HALF_AROUSAL)
    fused = VA((1 - wv) * audio.valence + wv * tags.point.valence,
               (1 - wa) * audio.arousal + wa * tags.point.arousal)
    return Affect(audio, tags.point, fused, wv, wa)


def estimate(analysis: Analysis, stats: CueStats, tags: TagEstimate | None = None) -> Affect:
    """The fused emotion estimate of one analysed track."""
    return fuse(audio_estimate(analysis, stats), tags)
