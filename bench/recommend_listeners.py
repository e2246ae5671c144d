"""The simulated world for bench/recommend_simulate.py: a catalogue and listeners.

Deliberately separate from ``moodplayer.recommend``: nothing here imports it, and the
listeners' tastes are their own model (a utility over the *true* track properties,
which the recommender never sees; it sees only noisy annotations). Only the shared
vocabulary (``moodplayer.emotion``: mood regions, FER classes) is common, as it is
between the real vision part and the real recommender.

World model, in short:
- Tracks have true valence/arousal (around their artist's home), tempo that rises with
  arousal, mode that leans major with valence, energy, brightness. Their annotations
  (what `beet moodtag` would write) add estimation noise: +-0.2 in the plane, octave
  errors on 8 % of tempos, 15 % flipped modes, crowd tags on about half, and 10 %
  of tracks not analysed at all.
- A listener's true mood drifts: a point that follows a session anchor (a mood centre)
  with noise; the anchor switches to another mood with probability 4 % per track.
- The face shows a class for that mood (tense -> angry/fear/disgust, energetic ->
  surprise or happy, calm -> neutral or happy), or neutral when the listener is not
  expressive; each of 8 frames is then read by the FER model with the measured
  confusion matrix, scattered per listener (a face is misread in its own way: each
  listener's rows are a Dirichlet draw around the measured rows with about 40
  pseudo-counts); the smoothed estimate is the share of frames per class.
- A listener enjoys music near their mood's point (with a personal offset), at their
  own tempo (a personal shift of -30..+30 BPM from the track's natural tempo for that
  mood, and a personal tolerance), with a personal leaning to major or minor, energy,
  and likes or dislikes of artists (10 % hated). They skip with a probability that
  rises as the utility falls below their personal threshold, skip repeats heard in the
  last 30 tracks more often, and now and then give an explicit thumbs up or down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from moodplayer.emotion import FER_CLASSES, MOOD_CENTRES, MOODS, VA, mood_of

#: Crowd tags the simulated Last.fm users give tracks of each true mood region.
CROWD_TAGS: dict[str, tuple[str, ...]] = {
    "happy": ("happy", "feel good", "upbeat", "fun", "summer"),
    "sad": ("sad", "melancholy", "depressing", "heartbreak"),
    "calm": ("chill", "relaxing", "mellow", "ambient"),
    "energetic": ("energetic", "party", "dance", "workout"),
    "tense": ("aggressive", "dark", "intense", "heavy"),
    "neutral": ("indie", "rock", "pop", "alternative"),
}


def natural_tempo(arousal: float | np.ndarray) -> float | np.ndarray:
    """The tempo a track of this arousal tends to have (the world's own rule)."""
    return 108.0 + 32.0 * arousal


@dataclass
class Catalogue:
    """True track properties (hidden) and the annotations beets would hold (visible)."""

    artist: np.ndarray       # int artist index per track
    valence: np.ndarray
    arousal: np.ndarray
    bpm: np.ndarray
    major: np.ndarray        # bool
    energy: np.ndarray
    annotations: list[dict] = field(default_factory=list)  # beets fields per track

    def __len__(self) -> int:
        return len(self.valence)

    def true_mood(self, k: int) -> str:
        """The mood region of track ``k``'s true point."""
        return mood_of(VA(float(self.valence[k]), float(self.arousal[k])))


def make_catalogue(n_tracks: int, n_artists: int, seed: int) -> Catalogue:
    """A synthetic catalogue with hidden truths and noisy moodtag-style annotations."""
    rng = np.random.default_rng(seed)
    centres = np.array([[c.valence, c.arousal] for c in MOOD_CENTRES.values()])
    homes = centres[rng.integers(len(centres), size=n_artists)] \
        + rng.normal(0, 0.25, (n_artists, 2))
    tempo_style = rng.normal(0, 8, n_artists)
    artist = rng.integers(n_artists, size=n_tracks)
    va = np.clip(homes[artist] + rng.normal(0, 0.22, (n_tracks, 2)), -1, 1)
    valence, arousal = va[:, 0], va[:, 1]
    bpm = np.clip(natural_tempo(arousal) + tempo_style[artist] + rng.normal(0, 10, n_tracks),
                  55, 190)
    major = rng.random(n_tracks) < 1 / (1 + np.exp(-(2.5 * valence + 0.3)))
    energy = np.clip(0.5 + 0.35 * arousal + rng.normal(0, 0.1, n_tracks), 0, 1)
    brightness = np.clip(0.5 + 0.2 * valence + 0.2 * arousal
                         + rng.normal(0, 0.1, n_tracks), 0, 1)
    cat = Catalogue(artist, valence, arousal, bpm, major, energy)
    keys = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    for k in range(n_tracks):
        fields: dict = {"artist": f"Artist {artist[k]:03d}", "title": f"Track {k:05d}",
                        "album": f"Album {artist[k]:03d}", "length": 180.0 + 60 * rng.random()}
        roll = rng.random()
        if roll >= 0.10:
            ann_bpm = bpm[k] * (rng.choice([0.5, 2.0]) if rng.random() < 0.08 else 1.0)
            ann_major = bool(major[k]) != (rng.random() < 0.15)
            v = float(np.clip(valence[k] + rng.normal(0, 0.2), -1, 1))
            a = float(np.clip(arousal[k] + rng.normal(0, 0.2), -1, 1))
            key = keys[rng.integers(12)] + ("" if ann_major else "m")
            fields |= {"bpm": round(float(ann_bpm)), "initial_key": key,
                       "moodtag_mode": "major" if ann_major else "minor",
                       "moodtag_valence": v, "moodtag_arousal": a,
                       "moodtag_energy": float(np.clip(energy[k] + rng.normal(0, 0.08), 0, 1)),
                       "moodtag_brightness": float(brightness[k]),
                       "moodtag_key_strength": float(rng.uniform(0.3, 0.9)),
                       "moodtag_mood": mood_of(VA(v, a)), "moodtag_version": 1,
                       "moodtag_analyzed": "2026-11-24T00:00:00"}
            if rng.random() < 0.5:
                vocab = CROWD_TAGS[cat.true_mood(k)]
                fields["moodtag_tags"] = list(rng.choice(vocab, size=rng.integers(1, 3),
                                                         replace=False))
        cat.annotations.append(fields)
    return cat


#: Which expression classes a face shows in each true mood, with weights.
FACES: dict[str, dict[str, float]] = {
    "happy": {"happy": 1.0},
    "sad": {"sad": 1.0},
    "tense": {"angry": 0.5, "fear": 0.3, "disgust": 0.2},
    "energetic": {"surprise": 0.5, "happy": 0.5},
    "calm": {"neutral": 0.7, "happy": 0.3},
    "neutral": {"neutral": 1.0},
}


class Listener:
    """One simulated listener: hidden taste, a drifting mood, a face, a skip finger."""

    def __init__(self, seed: int, n_artists: int, confusion: np.ndarray,
                 frames: int = 8) -> None:
        rng = np.random.default_rng(seed)
        self._mood_rng = np.random.default_rng([seed, 1])
        self._face_rng = np.random.default_rng([seed, 2])
        self._skip_rng = np.random.default_rng([seed, 3])
        rows = confusion / confusion.sum(axis=1, keepdims=True)
        # Each face is misread in its own way: this listener's rows scatter around the
        # measured ones (Dirichlet, about 40 pseudo-counts per row).
        self.confusion = np.array([rng.dirichlet(40 * row + 0.1) for row in rows])
        self.frames = frames
        self.offsets = {m: rng.normal(0, 0.15, 2) for m in MOODS}
        self.va_tolerance = rng.uniform(0.5, 0.8)
        self.tempo_shift = rng.uniform(-30, 30)
        self.tempo_tolerance = rng.uniform(15, 30)
        self.mode_bias = rng.normal(0, 0.6)
        self.energy_shift = rng.normal(0, 0.15)
        self.artist_taste = rng.normal(0, 0.3, n_artists)
        self.artist_taste[rng.random(n_artists) < 0.10] = -2.0
        self.threshold = rng.uniform(-1.8, -1.2)
        self.expressive = rng.uniform(0.6, 0.95)
        self.point = np.array([MOOD_CENTRES["neutral"].valence, MOOD_CENTRES["neutral"].arousal])
        self.anchor = MOODS[self._mood_rng.integers(len(MOODS))]
        self.heard: list[int] = []

    @property
    def mood(self) -> str:
        """The listener's true current mood."""
        return mood_of(VA(*np.clip(self.point, -1, 1)))

    def drift(self) -> None:
        """Move the true mood one track further through the session."""
        rng = self._mood_rng
        if rng.random() < 0.04:
            self.anchor = MOODS[rng.integers(len(MOODS))]
        centre = MOOD_CENTRES[self.anchor]
        target = np.array([centre.valence, centre.arousal])
        self.point = np.clip(self.point + 0.3 * (target - self.point)
                             + rng.normal(0, 0.08, 2), -1, 1)

    def face(self) -> np.ndarray:
        """What the FER model reports over ``frames`` frames: shares per FER class."""
        rng = self._face_rng
        shown = FACES[self.mood]
        if rng.random() > self.expressive:
            cls = "neutral"
        else:
            names = list(shown)
            cls = names[rng.choice(len(names), p=np.array(list(shown.values())))]
        row = self.confusion[FER_CLASSES.index(cls)]
        counts = rng.multinomial(self.frames, row)
        return (counts + 0.05) / (counts.sum() + 0.05 * len(counts))

    def wanted_point(self) -> np.ndarray:
        """Where in the plane this listener wants music now (their mood + own offset)."""
        centre = MOOD_CENTRES[self.mood]
        return np.clip(np.array([centre.valence, centre.arousal]) + self.offsets[self.mood],
                       -1, 1)

    def utility(self, cat: Catalogue, k: int) -> float:
        """How much this listener enjoys track ``k`` right now (hidden from the recommender)."""
        want = self.wanted_point()
        dist = math.hypot(cat.valence[k] - want[0], cat.arousal[k] - want[1])
        tempo = natural_tempo(want[1]) + self.tempo_shift
        u = -dist / self.va_tolerance
        u -= min(2.0, ((cat.bpm[k] - tempo) / self.tempo_tolerance) ** 2 / 2)
        u += self.mode_bias * (1 if cat.major[k] else -1) / 2
        u -= abs(cat.energy[k] - (0.5 + 0.35 * want[1] + self.energy_shift))
        u += self.artist_taste[cat.artist[k]]
        if k in self.heard[-30:]:
            u -= 1.0
        return u

    def react(self, cat: Catalogue, k: int) -> str:
        """Listen to track ``k``: 'skipped', 'played', 'like' or 'dislike'."""
        u = self.utility(cat, k)
        self.heard.append(k)
        rng = self._skip_rng
        skip = rng.random() < 1 / (1 + math.exp(-(self.threshold - u) / 0.3))
        if skip:
            return "dislike" if u < self.threshold - 1.5 and rng.random() < 0.1 else "skipped"
        return "like" if u > self.threshold + 1.5 and rng.random() < 0.1 else "played"
