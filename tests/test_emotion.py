"""Reading a face: the mood its expressions together make most probable, at their point."""

from __future__ import annotations

import pytest

from moodplayer.emotion import (
    CLASS_POINTS,
    FER_CLASSES,
    VA,
    mood_masses,
    mood_of,
    point_of,
    read_face,
)


def reading(**probabilities: float) -> list[float]:
    """A FER-2013 classifier output with the named classes' probabilities."""
    return [probabilities.get(c, 0.0) for c in FER_CLASSES]


def test_a_face_unsure_between_sad_and_the_tense_expressions_reads_sad_at_the_sad_point():
    # As FER-2013 sad faces read on average: 47 % sad, 29 % angry, afraid or disgusted.
    sad = reading(sad=0.47, fear=0.16, angry=0.11, disgust=0.02, neutral=0.17, happy=0.04,
                  surprise=0.03)
    mood, point, confidence = read_face(sad)
    assert mood == "sad"
    assert point == CLASS_POINTS["sad"]
    assert mood_of(point) == "sad"
    assert confidence == pytest.approx(point_of(sad)[1])
    # The weighted point of every class lands on the sad/tense border instead.
    assert point_of(sad)[0].arousal > CLASS_POINTS["sad"].arousal + 0.3


def test_the_tense_expressions_pool_and_their_point_is_their_weighted_mix():
    afraid = reading(fear=0.3, angry=0.2, sad=0.35, neutral=0.15)
    masses = mood_masses(afraid)
    assert masses["tense"] == pytest.approx(0.5) and masses["sad"] == pytest.approx(0.35)
    mood, point, _ = read_face(afraid)
    assert mood == "tense"
    fear, angry = CLASS_POINTS["fear"], CLASS_POINTS["angry"]
    assert point.valence == pytest.approx((0.3 * fear.valence + 0.2 * angry.valence) / 0.5)
    assert point.arousal == pytest.approx((0.3 * fear.arousal + 0.2 * angry.arousal) / 0.5)


def test_another_models_classes_are_read_by_their_moods():
    classes = (*FER_CLASSES, "contempt")
    mood, _, _ = read_face([0.1, 0.0, 0.0, 0.05, 0.3, 0.0, 0.1, 0.45], classes)
    assert mood == "tense"  # contempt and anger together over sadness
    assert read_face([0.5, 0.5], ("unknown", "other")) == ("neutral", VA(0.0, 0.0), 0.0)


def test_a_count_mismatch_is_named():
    with pytest.raises(ValueError, match="got 3 probabilities for 7 classes"):
        mood_masses([0.2, 0.3, 0.5])
