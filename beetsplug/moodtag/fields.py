"""The fields moodtag stores on items, their types, and how an analysis fills them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from beets.dbcore import types

from moodplayer.emotion import VA
from moodplayer.music.analyze import ANALYSIS_VERSION, Analysis
from moodplayer.music.moodtags import TagEstimate

if TYPE_CHECKING:
    from beets.library import Item

    from moodplayer.music.affect import Affect
    from moodplayer.music.lastfm import Tags
    from moodplayer.music.model import Prediction

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
    "moodtag_version": types.INTEGER,
    "moodtag_analyzed": types.DATE,
}


def is_current(item: Item) -> bool:
    """Whether ``item`` was annotated by the current analysis version."""
    return item.get("moodtag_version") == ANALYSIS_VERSION


def audio_of(item: Item) -> VA:
    """The stored audio-model estimate of an annotated item."""
    return VA(item["moodtag_audio_valence"], item["moodtag_audio_arousal"])


def tag_estimate_of(item: Item) -> TagEstimate | None:
    """The stored Last.fm mood estimate of an item, or None if it had no mood tags."""
    evidence = item.get("moodtag_tag_evidence", 0.0)
    if not evidence:
        return None
    return TagEstimate(VA(item["moodtag_tag_valence"], item["moodtag_tag_arousal"]),
                       evidence, ())


def apply_affect(item: Item, affect: Affect) -> None:
    """Set the fused emotion fields of ``item`` (not stored)."""
    item["moodtag_valence"] = round(affect.fused.valence, 3)
    item["moodtag_arousal"] = round(affect.fused.arousal, 3)
    item["moodtag_mood"] = affect.mood


def apply(item: Item, analysis: Analysis, audio: Prediction, affect: Affect, tags: Tags,
          estimate: TagEstimate | None) -> None:
    """Set every moodtag field of ``item`` (not stored).

    ``audio`` is the model's own estimate, stored as is; ``affect`` the fused one.
    """
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
    apply_affect(item, affect)
    item["moodtag_tags"] = tags.names
    item["moodtag_tag_source"] = tags.source
    if estimate is not None and estimate.evidence > 0:
        item["moodtag_tag_valence"] = round(estimate.point.valence, 3)
        item["moodtag_tag_arousal"] = round(estimate.point.arousal, 3)
        item["moodtag_tag_evidence"] = round(estimate.evidence, 3)
    else:
        item["moodtag_tag_evidence"] = 0.0
    item["moodtag_version"] = analysis.version
    item["moodtag_analyzed"] = time.time()
