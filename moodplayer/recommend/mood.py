"""What the recommender is told about the listener's mood."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moodplayer.emotion import (
    CLASS_MOODS,
    FER_CLASSES,
    MOOD_CENTRES,
    VA,
    parse_mood,
    read_face,
)


@dataclass(frozen=True, slots=True)
class MoodEstimate:
    """A smoothed mood: its point in the plane, its mood label, a confidence in [0, 1].

    ``label`` may name an expression class (``angry``, ``fear``...) whose own table row
    should be used; it defaults to the mood. ``confidence`` is None when the mood was
    given by hand rather than read from a face.
    """

    point: VA
    mood: str
    confidence: float | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.mood)

    @classmethod
    def named(cls, name: str) -> MoodEstimate:
        """A mood (or expression class) given by name, e.g. on the command line."""
        key = name.strip().lower()
        if key in CLASS_MOODS:
            mood = CLASS_MOODS[key]
            return cls(MOOD_CENTRES[mood], mood, None, key)
        mood = parse_mood(name)  # raises ValueError naming the valid labels
        return cls(MOOD_CENTRES[mood], mood, None, mood)

    @classmethod
    def from_probabilities(cls, probabilities: Sequence[float],
                           classes: Sequence[str] = FER_CLASSES) -> MoodEstimate:
        """The estimate of a classifier output (``read_face``): its point, mood, and top
        class as label."""
        mood, point, confidence = read_face(probabilities, classes)
        top = classes[max(range(len(classes)), key=lambda i: probabilities[i])]
        label = top if CLASS_MOODS.get(top) == mood else mood
        return cls(point, mood, confidence, label)
