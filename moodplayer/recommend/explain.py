"""Explanations: one sentence per pick, built from the values that actually ranked it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from moodplayer.emotion import CLASS_MOODS, quadrant_of_mood
from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.policy import Target

#: How to say "you look <label>" for the expression classes whose name is a noun.
_ADJECTIVES = {"disgust": "disgusted", "fear": "afraid", "surprise": "surprised",
               "contempt": "contemptuous"}

#: Learner contribution (score units) above which a pick reads as "you usually finish these".
PERSONAL_THRESHOLD = 0.25


#: A component fit (0..1) below which the track's value speaks against the target.
AGAINST = 0.5


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
    tempo_fit: float = math.nan  #: how the tempo fits the target (0..1), NaN: no say
    mode_fit: float = math.nan   #: how the mode fits the target (0..1), NaN: no say
    poor: bool = False      #: more likely outside the target's quadrant than in it


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


def _quadrant(name: str) -> str | None:
    """The quadrant of a mood or expression class; None for neutral."""
    return quadrant_of_mood(CLASS_MOODS.get(name, name))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _music(target: Target, ev: Evidence) -> tuple[list[str], list[str]]:
    """What of the track's sound speaks for the target, and what against it."""
    if not ev.analyzed:
        return ["not analysed yet (run `beet moodtag`)"], []
    speaks_for, against = [], []
    pace = _pace(ev.bpm, ev.arousal)
    bpm = "" if math.isnan(ev.bpm) else f"{ev.bpm:.0f} BPM"
    if ev.tempo_fit < AGAINST and pace:
        against.append(f"{pace} at {bpm}" if bpm else pace)
    else:
        speaks_for.extend(p for p in (pace, bpm) if p)
    key = key_name(ev.key, ev.mode)
    if key and ev.mode_fit < AGAINST:
        against.append(f"in {key}")
    elif key:
        speaks_for.append(key)
    if ev.fitting_tag:
        speaks_for.append(f"tagged {ev.fitting_tag}")
    elif ev.track_mood:
        wanted, heard = _quadrant(target.profile.name), _quadrant(ev.track_mood)
        if wanted is None or heard is None or wanted == heard:
            speaks_for.append(f"sounds {ev.track_mood}")
        else:
            against.append(f"it sounds {ev.track_mood}")
    return speaks_for, against


def sentence(estimate: MoodEstimate, target: Target, ev: Evidence) -> str:
    """E.g. "You look happy (82 %): upbeat, 128 BPM, A major, tagged feel-good; you
    usually finish songs like this."

    It never contradicts itself: what speaks against the pick (a tempo, key or sound
    that does not fit the target, a learner that expects a skip) is said as such
    ("..., though ..."), never as a reason for it; "the closest left in your library"
    only of a pick the model places outside the target's quadrant (``Evidence.poor``),
    which is picked only when nothing inside it is left.
    """
    if estimate.confidence is not None:
        look = _ADJECTIVES.get(estimate.label, estimate.label)
        head = f"You look {look} ({round(estimate.confidence * 100)} %)"
    else:
        article = "an" if estimate.label[:1] in "aeiou" else "a"
        head = f"For {article} {estimate.label} mood"
    if target.note:
        head += f", {target.note}"
    speaks_for, against = _music(target, ev)
    personal = []
    if ev.likes > 0:
        personal.append("you liked it")
    elif ev.plays >= 2 and ev.skips == 0:
        personal.append(f"you played it through {ev.plays} times")
    if ev.lastfm:
        personal.append(ev.lastfm)
    if ev.learned >= PERSONAL_THRESHOLD:
        personal.append("you usually finish songs like this")
    skipped = ev.learned <= -PERSONAL_THRESHOLD
    doubts = [*against, *(["you often skip songs like this"] if skipped else [])]
    if doubts:
        lead = ("the closest left in your library" if ev.poor
                else "the best fit left" if skipped or not speaks_for else "")
        speaks_for.append(f"{lead}, though {_and(doubts)}" if lead
                          else f"though {_and(doubts)}")
    text = f"{head}: {', '.join(speaks_for)}"
    if personal:
        text += "; " + " and ".join(personal)
    return text + "."
