"""Choosing the music: from a mood to ranked tracks with reasons, learning from skips.

The public API::

    rec = Recommender(library_path, store=FeedbackStore(), policy=MatchPolicy())
    for pick in rec.suggest(MoodEstimate.named("happy"), n=10):
        print(pick.artist, pick.title, pick.reason)
    rec.feedback(pick.item_id, "skipped")        # or "played", "like", "dislike"
"""

from moodplayer.recommend.lastfm_signals import LastfmSignals
from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.policy import (
    POLICIES,
    FixedPolicy,
    MatchPolicy,
    Policy,
    PolicyName,
    Target,
    UpliftPolicy,
    make_policy,
)
from moodplayer.recommend.profiles import DEFAULT_TABLE, Profile, ProfileTable, load_table
from moodplayer.recommend.recommender import Pick, Recommender
from moodplayer.recommend.store import KINDS, FeedbackKind, FeedbackStore

__all__ = [
    "DEFAULT_TABLE",
    "KINDS",
    "POLICIES",
    "FeedbackKind",
    "FeedbackStore",
    "FixedPolicy",
    "LastfmSignals",
    "MatchPolicy",
    "MoodEstimate",
    "Pick",
    "Policy",
    "PolicyName",
    "Profile",
    "ProfileTable",
    "Recommender",
    "Target",
    "UpliftPolicy",
    "load_table",
    "make_policy",
]
