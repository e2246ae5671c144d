"""The session's mood belief: readings add up, answers count, hand-given moods are taken."""

from __future__ import annotations

import numpy as np

from moodplayer.emotion import MOODS
from moodplayer.recommend.belief import MoodBelief


def _membership(mood: str) -> np.ndarray:
    """A track squarely in ``mood``'s region."""
    return np.array([1.0 if m == mood else 0.0 for m in MOODS])


def test_one_stray_reading_does_not_overturn_a_run_of_readings():
    belief = MoodBelief()
    for _ in range(4):
        belief.observe("sad", 0.6)
    belief.observe("neutral", 0.6)
    assert belief.mood == "sad"
    for _ in range(4):
        belief.observe("neutral", 0.6)
    assert belief.mood == "neutral"  # a lasting change is followed


def test_skips_and_plays_move_the_belief():
    belief = MoodBelief()
    belief.observe("happy", 0.3)
    assert belief.mood == "happy"
    belief.answer(_membership("happy"), played=False)
    belief.answer(_membership("calm"), played=True)
    belief.answer(_membership("happy"), played=False)
    belief.answer(_membership("calm"), played=True)
    assert belief.mood == "calm"


def test_the_confusion_table_learns_how_this_face_reads():
    """A face that reads 'neutral' while the user plays sad songs and skips neutral ones
    comes to mean 'sad'."""
    learned = MoodBelief()
    for _ in range(30):
        learned.observe("neutral", 0.6)
        learned.answer(_membership("sad"), played=True)
        learned.answer(_membership("neutral"), played=False)
    fresh = MoodBelief(counts=learned.counts.copy())
    fresh.observe("neutral", 0.6)
    assert fresh.mood == "sad"
    assert MoodBelief().counts[MOODS.index("neutral")].argmax() == MOODS.index("neutral")


def test_a_mood_given_by_hand_is_taken_as_it_is():
    belief = MoodBelief()
    for _ in range(5):
        belief.observe("tense", 0.9)
    belief.observe("calm", None)
    belief.observe("bewildered", 0.9)  # not a mood: no evidence
    assert belief.mood == "calm"
    assert belief.confidence > 0.9
