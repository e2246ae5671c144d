"""Explanations: one sentence per pick, built from the values that actually ranked it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.policy import Target

#: How to say "you look <label>" for the expression classes whose name is a noun.
_ADJECTIVES = {"disgust": "disgusted", "fear": "afraid", "surprise": "surprised",
               "contempt": "contemptuous"}

#: Learner contribution (score units) above which a pick reads as "you usually finish these".
PERSONAL_THRESHOLD = 0.25


@dataclass(frozen=True, slots=True)
class Evidence:
    """The real values behind one pick."""

    bpm: float
    mode: float             #: 1 major, 0 minor, NaN unknown
    key: str                #: beets' initial_key, e.g. "C#m"
    arousal: float
    track_mood: str
    fitting_tag: str
    analyzed: bool
    learned: float          #: the learner's contribution to the score
    plays: int
    skips: int
    likes: int
    lastfm: str = ""        #: why Last.fm speaks for it, if it does


def key_name(key: str, mode: float) -> str:
    """``C#m`` -> ``C# minor``, ``A`` (major mode) -> ``A major``; "" when unknown."""
    key = key.strip()
    if key.endswith("m") and len(key) > 1:
        return f"{key[:-1]} minor"
    if key:
        if math.isnan(mode):
            return key
        return f"{key} {'major' if mode >= 0.5 else 'minor'}"
    if not math.isnan(mode):
        return "a major key" if mode >= 0.5 else "a minor key"
    return ""


def _pace(bpm: float, arousal: float) -> str:
    if not math.isnan(bpm):
        return "upbeat" if bpm >= 115 else "slow" if bpm <= 85 else "mid-tempo"
    if not math.isnan(arousal):
        return "lively" if arousal > 0.3 else "quiet" if arousal < -0.3 else ""
    return ""


def sentence(estimate: MoodEstimate, target: Target, ev: Evidence) -> str:
    """E.g. "You look happy (82 %): upbeat, 128 BPM, A major, tagged feel-good; you
    usually finish songs like this." """
    if estimate.confidence is not None:
        look = _ADJECTIVES.get(estimate.label, estimate.label)
        head = f"You look {look} ({round(estimate.confidence * 100)} %)"
    else:
        article = "an" if estimate.label[:1] in "aeiou" else "a"
        head = f"For {article} {estimate.label} mood"
    if target.note:
        head += f", {target.note}"
    parts = []
    if ev.analyzed:
        parts = [p for p in (_pace(ev.bpm, ev.arousal),
                             "" if math.isnan(ev.bpm) else f"{ev.bpm:.0f} BPM",
                             key_name(ev.key, ev.mode)) if p]
        if ev.fitting_tag:
            parts.append(f"tagged {ev.fitting_tag}")
        elif ev.track_mood:
            parts.append(f"sounds {ev.track_mood}")
    else:
        parts.append("not analysed yet (run `beet moodtag`)")
    personal = []
    if ev.likes > 0:
        personal.append("you liked it")
    elif ev.plays >= 2 and ev.skips == 0:
        personal.append(f"you played it through {ev.plays} times")
    if ev.lastfm:
        personal.append(ev.lastfm)
    if ev.learned >= PERSONAL_THRESHOLD:
        personal.append("you usually finish songs like this")
    elif ev.learned <= -PERSONAL_THRESHOLD:
        personal.append("something new: you often skip songs like this")
    text = f"{head}: {', '.join(parts)}"
    if personal:
        text += "; " + " and ".join(personal)
    return text + "."
