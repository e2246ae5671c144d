"""Scoring every track at once: how well each fits a target profile, as numpy arrays.

``TrackFeatures`` derives, once per library state, the arrays scoring needs (the
track's point in the plane, tempo, mode, ranks of energy, brightness and popularity,
which table rows its tags fit). ``fit(features, profile, point)`` returns one array
per component, each in [0, 1] with NaN where the track lacks what the component needs;
``static_score`` fills the gaps with a neutral value and weighs them, so a track lacking
annotations is ranked by what it has and never breaks the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moodplayer.emotion import MOOD_CENTRES
from moodplayer.music.library import TrackMatrix
from moodplayer.recommend.profiles import Profile, ProfileTable

#: Weight of each component in the static score. How surely a track lies in the target's
#: quadrant leads; the hand-set cues (tempo, mode, energy, brightness) only break ties
#: among tracks the model places alike: the model already reads them, and with more
#: weight they pulled picks out of the quadrant (docs/benchmarks/music-emotion.md).
WEIGHTS: dict[str, float] = {
    "va": 1.0, "inside": 3.0, "tempo": 0.5, "mode": 0.3, "energy": 0.3, "brightness": 0.25,
    "tags": 1.0, "popularity": 0.3,
}
#: The value a missing component counts as: below a good fit, above a bad one.
MISSING = 0.35
#: Width (in plane units) of the valence-arousal fit, and (in BPM) of the tempo fall-off.
VA_WIDTH = 0.45
TEMPO_WIDTH = 15.0


def _rank(values: np.ndarray) -> np.ndarray:
    """Each value's rank within the finite ones, scaled to [0, 1]; NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    count = int(ok.sum())
    if count == 1:
        out[ok] = 0.5
    elif count > 1:
        order = values[ok].argsort(kind="stable").argsort(kind="stable")
        out[ok] = order / (count - 1)
    return out


@dataclass(frozen=True)
class TrackFeatures:
    """The per-track arrays scoring reads (float32), derived from one ``TrackMatrix``."""

    valence: np.ndarray
    arousal: np.ndarray
    confidence: np.ndarray    #: P(the audio's quadrant), NaN unknown
    bpm: np.ndarray
    mode: np.ndarray          #: 1 major, 0 minor, NaN unknown
    energy: np.ndarray        #: rank within the library, 0..1
    brightness: np.ndarray    #: rank within the library, 0..1
    popularity: np.ndarray    #: rank within the library, 0..1
    has_tags: np.ndarray      #: bool
    tag_fit: dict[str, np.ndarray]  #: table row -> bool: the track has one of its tags
    artist_codes: np.ndarray  #: int, same artist -> same code ("" -> -1)
    artist_index: dict[str, int]  #: case-folded artist name -> code

    @classmethod
    def build(cls, tracks: TrackMatrix, table: ProfileTable) -> TrackFeatures:
        """Derive the arrays for ``tracks`` under ``table`` (tag vocabularies per row)."""
        valence = tracks.column("valence").copy()
        arousal = tracks.column("arousal").copy()
        for i in np.flatnonzero(np.isnan(valence) | np.isnan(arousal)):
            centre = MOOD_CENTRES.get(tracks.moods[i])  # type: ignore[call-overload]
            if centre is not None:
                valence[i], arousal[i] = centre.valence, centre.arousal
        np.clip(valence, -1, 1, out=valence)
        np.clip(arousal, -1, 1, out=arousal)
        tag_fit = {}
        for name, profile in table.items():
            vocab = profile.tags
            tag_fit[name] = np.fromiter((bool(vocab.intersection(t)) for t in tracks.tags),
                                        dtype=bool, count=len(tracks))
        codes: dict[str, int] = {}
        artist_codes = np.fromiter(
            (codes.setdefault(a.casefold(), len(codes)) if a else -1 for a in tracks.artists),
            dtype=np.int64, count=len(tracks))
        bpm = tracks.column("bpm").copy()
        bpm[(bpm < 20) | (bpm > 300)] = np.nan
        f32 = np.float32
        return cls(
            valence=valence.astype(f32),
            arousal=arousal.astype(f32),
            confidence=tracks.column("confidence").astype(f32),
            bpm=bpm.astype(f32),
            mode=tracks.column("mode").astype(f32),
            energy=_rank(tracks.column("energy")).astype(f32),
            brightness=_rank(tracks.column("brightness")).astype(f32),
            popularity=_rank(tracks.column("popularity")).astype(f32),
            has_tags=np.fromiter((bool(t) for t in tracks.tags), dtype=bool,
                                 count=len(tracks)),
            tag_fit=tag_fit,
            artist_codes=artist_codes,
            artist_index=codes,
        )


def fit(tf: TrackFeatures, profile: Profile, valence: float, arousal: float
        ) -> dict[str, np.ndarray]:
    """Each component's fit of every track to ``profile`` centred on (valence, arousal)."""
    dist2 = (tf.valence - valence) ** 2 + (tf.arousal - arousal) ** 2
    low, high = profile.tempo
    gap = np.maximum(low - tf.bpm, 0.0) + np.maximum(tf.bpm - high, 0.0)
    if profile.mode == "any":
        mode = np.full(tf.mode.shape, np.nan)
    else:
        mode = tf.mode if profile.mode == "major" else 1.0 - tf.mode
    tags = np.where(tf.has_tags, tf.tag_fit[profile.name].astype(float), np.nan)
    if not profile.tags:
        tags = np.full(tf.mode.shape, np.nan)
    return {
        "va": np.exp(-dist2 / (2 * VA_WIDTH**2)),
        "inside": inside(tf, valence, arousal),
        "tempo": np.exp(-((gap / TEMPO_WIDTH) ** 2)),
        "mode": mode,
        "energy": 1.0 - np.abs(tf.energy - profile.energy),
        "brightness": 1.0 - np.abs(tf.brightness - profile.brightness),
        "tags": tags,
        "popularity": tf.popularity,
    }


def inside(tf: TrackFeatures, valence: float, arousal: float) -> np.ndarray:
    """How surely each track lies in the quadrant of (valence, arousal), 0..1.

    The model's valence is ``2 P(pleasant) - 1`` and its arousal ``2 P(excited) - 1``, so
    the chance of the quadrant is about the product of the two sides' chances; where the
    track's point lies in that quadrant and the model's own confidence (the quadrant's
    probability) is known, that is used. NaN for a target on an axis (no quadrant).
    """
    if valence == 0.0 or arousal == 0.0:
        return np.full(tf.valence.shape, np.nan)
    sv, sa = np.sign(valence), np.sign(arousal)
    product = (1 + sv * tf.valence) * (1 + sa * tf.arousal) / 4
    here = (sv * tf.valence >= 0) & (sa * tf.arousal >= 0) & np.isfinite(tf.confidence)
    return np.where(here, tf.confidence, product)


def static_score(components: dict[str, np.ndarray]) -> np.ndarray:
    """The weighted sum of the components, missing ones counted as ``MISSING``."""
    total = np.zeros(next(iter(components.values())).shape, dtype=np.float32)
    for name, weight in WEIGHTS.items():
        values = components[name]
        total += weight * np.where(np.isnan(values), MISSING, values)
    return total
