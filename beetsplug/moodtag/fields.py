"""The fields moodtag stores on items, their types, and how an annotation fills them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from beets.dbcore import types

from moodplayer.emotion import VA, Mood
from moodplayer.music.analyze import ANALYSIS_VERSION
from moodplayer.music.annotate import Annotation, Estimates

if TYPE_CHECKING:
    from beets.library import Item, Library

#: Every flexible field moodtag writes, with its type (the recommender reads these names).
ITEM_TYPES: dict[str, types.Type] = {
    "moodtag_mode": types.STRING,
    "moodtag_key_strength": types.Float(3),
    "moodtag_bpm_confidence": types.Float(3),
    "moodtag_loudness": types.Float(2),
    "moodtag_dynamic_range": types.Float(2),
    "moodtag_energy": types.Float(3),
    "moodtag_onset_rate": types.Float(2),
    "moodtag_brightness": types.Float(0),
    "moodtag_dissonance": types.Float(3),
    "moodtag_valence": types.Float(3),
    "moodtag_arousal": types.Float(3),
    "moodtag_audio_valence": types.Float(3),
    "moodtag_audio_arousal": types.Float(3),
    "moodtag_confidence": types.Float(3),  # 0..1: P(the audio's quadrant is right)
    "moodtag_tag_valence": types.Float(3),
    "moodtag_tag_arousal": types.Float(3),
    "moodtag_tag_evidence": types.Float(3),
    "moodtag_mood": types.STRING,  # one of moodplayer.emotion.MOODS
    "moodtag_tags": types.MULTI_VALUE_DSV,
    "moodtag_tag_source": types.STRING,
    "moodtag_status": types.STRING,  # one of moodplayer.music.annotate.STATUSES
    "moodtag_version": types.INTEGER,
    "moodtag_analyzed": types.DATE,
}
#: What a not-analysable item keeps: why, and the analysis version that said so.
_STATUS_FIELDS = ("moodtag_status", "moodtag_version")


def is_current(item: Item) -> bool:
    """Whether ``item`` was annotated, or found not analysable, by this analysis version."""
    return item.get("moodtag_version") == ANALYSIS_VERSION


def annotated(lib: Library) -> list[Item]:
    """The items annotated by this analysis version (not those found not analysable)."""
    return [item for item in lib.items(f"moodtag_version:{ANALYSIS_VERSION}")
            if item.get("moodtag_status", "annotated") == "annotated"]


def estimates_of(item: Item) -> Estimates:
    """The stored estimates of an annotated item, to place it again."""
    evidence = item.get("moodtag_tag_evidence", 0.0)
    tags = (VA(item["moodtag_tag_valence"], item["moodtag_tag_arousal"]) if evidence
            else None)
    return Estimates(audio_of(item), tags, evidence)


def audio_of(item: Item) -> VA:
    """The stored audio-model estimate of an annotated item."""
    return VA(item["moodtag_audio_valence"], item["moodtag_audio_arousal"])


def apply_place(item: Item, fused: VA, mood: Mood) -> None:
    """Set the fused emotion fields of ``item`` (not stored)."""
    item["moodtag_valence"] = round(fused.valence, 3)
    item["moodtag_arousal"] = round(fused.arousal, 3)
    item["moodtag_mood"] = mood


def apply(item: Item, annotation: Annotation) -> None:
    """Set every moodtag field of ``item`` from ``annotation`` (not stored).

    An annotated track gets every field: the model's own estimate as is, the fused one,
    tags. A track found not analysable gets its status and the analysis version, and
    loses the estimates an older analysis left (``bpm`` and ``initial_key``, standard
    fields other tools may have set, are left alone).
    """
    item["moodtag_status"] = annotation.status
    item["moodtag_version"] = annotation.version
    if annotation.status != "annotated":
        for name in ITEM_TYPES:
            if name not in _STATUS_FIELDS and name in item:
                del item[name]
        return
    analysis, audio, affect = annotation.analysis, annotation.audio, annotation.affect
    assert analysis is not None and audio is not None and affect is not None
    item["bpm"] = round(analysis.bpm)
    item["initial_key"] = analysis.initial_key
    item["moodtag_mode"] = analysis.mode
    item["moodtag_key_strength"] = round(analysis.key_strength, 3)
    item["moodtag_bpm_confidence"] = round(analysis.bpm_confidence, 3)
    item["moodtag_loudness"] = round(analysis.loudness, 2)
    item["moodtag_dynamic_range"] = round(analysis.dynamic_range, 2)
    item["moodtag_energy"] = round(analysis.energy, 3)
    item["moodtag_onset_rate"] = round(analysis.onset_rate, 2)
    item["moodtag_brightness"] = round(analysis.brightness)
    item["moodtag_dissonance"] = round(analysis.dissonance, 3)
    item["moodtag_audio_valence"] = round(audio.valence, 3)
    item["moodtag_audio_arousal"] = round(audio.arousal, 3)
    item["moodtag_confidence"] = round(audio.confidence, 3)
    apply_place(item, affect.fused, affect.mood)
    item["moodtag_tags"] = annotation.tags.names
    item["moodtag_tag_source"] = annotation.tags.source
    estimate = annotation.tag_estimate
    if estimate is not None and estimate.evidence > 0:
        item["moodtag_tag_valence"] = round(estimate.point.valence, 3)
        item["moodtag_tag_arousal"] = round(estimate.point.arousal, 3)
        item["moodtag_tag_evidence"] = round(estimate.evidence, 3)
    else:
        item["moodtag_tag_evidence"] = 0.0
    item["moodtag_analyzed"] = time.time()
