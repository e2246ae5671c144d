"""The one vocabulary: Russell's valence-arousal plane, the FER classes and mood labels.

Faces and tracks meet here. Valence runs from unpleasant (-1) to pleasant (+1),
arousal from calm (-1) to excited (+1).

Class coordinates follow Russell & Mehrabian (1977) "Evidence for a three-factor theory
of emotions" (pleasure and arousal ratings of emotion terms), rounded to two places;
``neutral`` is the origin. Mood labels are regions of the plane: a point gets the
label of the nearest mood centre, and anything within ``NEUTRAL_RADIUS`` of the
origin is ``neutral``.

A face is read with :func:`read_face`: the mood whose expression classes together are
the most probable (``CLASS_MOODS``), at the probability-weighted point of those classes.
The weighted point of all classes (:func:`point_of`) hedges between moods: a face the
model finds 47 % sad, 29 % angry, afraid or disgusted lands on the sad/tense border
(docs/benchmarks/loop.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

#: FER-2013's seven classes, in the data set's own label order.
FER_CLASSES: tuple[str, ...] = (
    "angry",
    "disgust",
    "fear",
    "happy",
    "sad",
    "surprise",
    "neutral",
)

Mood = Literal["happy", "sad", "calm", "energetic", "tense", "neutral"]

#: Mood labels, the regions of the plane that users and configuration talk about.
MOODS: tuple[Mood, ...] = get_args(Mood)

#: Radius around the origin that reads as "neutral".
NEUTRAL_RADIUS = 0.2


@dataclass(frozen=True, slots=True)
class VA:
    """A point in the valence-arousal plane, both coordinates in [-1, 1]."""

    valence: float
    arousal: float

    def __post_init__(self) -> None:
        for name in ("valence", "arousal"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            object.__setattr__(self, name, min(1.0, max(-1.0, float(value))))

    def distance(self, other: VA) -> float:
        """Euclidean distance to ``other`` (0 .. 2*sqrt(2))."""
        return math.hypot(self.valence - other.valence, self.arousal - other.arousal)

    def toward(self, other: VA, step: float) -> VA:
        """The point at most ``step`` away from this one on the way to ``other``."""
        gap = self.distance(other)
        if gap <= step or gap == 0.0:
            return other
        f = step / gap
        return VA(
            self.valence + f * (other.valence - self.valence),
            self.arousal + f * (other.arousal - self.arousal),
        )


#: Where each FER class sits in the plane (Russell & Mehrabian 1977, rounded).
CLASS_POINTS: Mapping[str, VA] = {
    "angry": VA(-0.51, 0.59),
    "disgust": VA(-0.60, 0.35),
    "fear": VA(-0.64, 0.60),
    "happy": VA(0.81, 0.51),
    "sad": VA(-0.63, -0.27),
    "surprise": VA(0.40, 0.67),
    "neutral": VA(0.0, 0.0),
    # AffectNet-8 adds contempt; a user's 8-class model then still maps into the plane.
    "contempt": VA(-0.55, 0.10),
}

#: The centre of each mood region.
MOOD_CENTRES: Mapping[Mood, VA] = {
    "happy": VA(0.70, 0.40),
    "energetic": VA(0.30, 0.80),
    "calm": VA(0.50, -0.60),
    "sad": VA(-0.60, -0.40),
    "tense": VA(-0.60, 0.60),
    "neutral": VA(0.0, 0.0),
}

#: The mood a face shows when the model is sure of one class.
CLASS_MOODS: Mapping[str, Mood] = {
    "angry": "tense",
    "disgust": "tense",
    "fear": "tense",
    "contempt": "tense",
    "happy": "happy",
    "sad": "sad",
    "surprise": "energetic",
    "neutral": "neutral",
}


def mood_of(point: VA) -> Mood:
    """The mood label of the region that contains ``point``."""
    if math.hypot(point.valence, point.arousal) < NEUTRAL_RADIUS:
        return "neutral"
    return min(
        (m for m in MOODS if m != "neutral"),
        key=lambda m: point.distance(MOOD_CENTRES[m]),
    )


def quadrant_of_mood(mood: str) -> str | None:
    """The quadrant (``Q1`` .. ``Q4``, as the music model names them) a mood region's
    centre lies in (None for neutral and for a name that is no mood)."""
    if mood not in MOOD_CENTRES or mood == "neutral":
        return None
    c = MOOD_CENTRES[mood]
    return ("Q1" if c.valence >= 0 else "Q2") if c.arousal >= 0 else \
        ("Q4" if c.valence >= 0 else "Q3")


def parse_mood(name: str) -> Mood:
    """``name`` as a mood label; raises ValueError naming the valid labels."""
    key = name.strip().lower()
    if key not in MOODS:
        raise ValueError(f"unknown mood {name!r}: expected one of {', '.join(MOODS)}")
    return key  # type: ignore[return-value]


def mood_masses(
    probabilities: Sequence[float] | Iterable[float], classes: Sequence[str] = FER_CLASSES
) -> dict[Mood, float]:
    """The probability of each mood a face can show: its classes' (``CLASS_MOODS``) summed,
    over the classes with a known mood (renormalised; empty if none has any mass)."""
    probs = [max(0.0, float(p)) for p in probabilities]
    if len(probs) != len(classes):
        raise ValueError(f"got {len(probs)} probabilities for {len(classes)} classes")
    masses: dict[Mood, float] = {}
    for p, c in zip(probs, classes, strict=True):
        if c in CLASS_MOODS:
            masses[CLASS_MOODS[c]] = masses.get(CLASS_MOODS[c], 0.0) + p
    total = sum(masses.values())
    return {m: v / total for m, v in masses.items()} if total > 0 else {}


def mood_point(
    probabilities: Sequence[float] | Iterable[float], classes: Sequence[str], mood: Mood
) -> VA:
    """Where a face showing ``mood`` sits: the probability-weighted point of the classes
    of that mood (the mood's centre when none of them has any probability)."""
    own = [(max(0.0, float(p)), CLASS_POINTS[c]) for p, c in zip(probabilities, classes,
                                                                  strict=True)
           if CLASS_MOODS.get(c) == mood and c in CLASS_POINTS]
    total = sum(p for p, _ in own)
    if total <= 0.0:
        return MOOD_CENTRES[mood]
    return VA(sum(p * pt.valence for p, pt in own) / total,
              sum(p * pt.arousal for p, pt in own) / total)


def read_face(
    probabilities: Sequence[float] | Iterable[float], classes: Sequence[str] = FER_CLASSES
) -> tuple[Mood, VA, float]:
    """The mood a classifier output shows (its classes together the most probable), its
    point (:func:`mood_point`) and the confidence of :func:`point_of`."""
    probs = [float(p) for p in probabilities]
    masses = mood_masses(probs, classes)
    _, confidence = point_of(probs, classes)
    if not masses:
        return "neutral", VA(0.0, 0.0), 0.0
    mood = max(masses, key=lambda m: masses[m])
    return mood, mood_point(probs, classes, mood), confidence


def point_of(
    probabilities: Sequence[float] | Iterable[float], classes: Sequence[str] = FER_CLASSES
) -> tuple[VA, float]:
    """The probability-weighted point of a classifier output, and its confidence.

    Confidence is 1 minus the normalised entropy of the distribution: 1 for a one-hot
    output, 0 for a uniform one. Classes without a known point are ignored (their
    probability mass is dropped before weighting).
    """
    probs = [max(0.0, float(p)) for p in probabilities]
    if len(probs) != len(classes):
        raise ValueError(f"got {len(probs)} probabilities for {len(classes)} classes")
    known = [(p, CLASS_POINTS[c]) for p, c in zip(probs, classes, strict=True)
             if c in CLASS_POINTS]
    total = sum(p for p, _ in known)
    if total <= 0.0:
        return VA(0.0, 0.0), 0.0
    v = sum(p * pt.valence for p, pt in known) / total
    a = sum(p * pt.arousal for p, pt in known) / total
    all_total = sum(probs)
    entropy = -sum((p / all_total) * math.log(p / all_total) for p in probs if p > 0)
    confidence = 1.0 - entropy / math.log(len(probs)) if len(probs) > 1 else 1.0
    return VA(v, a), max(0.0, min(1.0, confidence))
