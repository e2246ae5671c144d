"""``moodplayer suggest`` and ``moodplayer reset-learning``: try the recommender by hand."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from moodplayer.music.lastfm import LastFmSettings
from moodplayer.options import Number, number_argument
from moodplayer.recommend.lastfm_signals import LastfmSignals
from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.policy import POLICIES, make_policy
from moodplayer.recommend.profiles import ROWS
from moodplayer.recommend.recommender import Recommender, default_user
from moodplayer.recommend.store import FeedbackStore
from moodplayer.tracks import track_name

#: Environment variable naming the beets library database (overridden by --library).
LIBRARY_ENV = "MOODPLAYER_LIBRARY"


def _library(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    library = args.library or os.environ.get(LIBRARY_ENV) or None
    return (Path(library) if library else None,
            Path(args.music_dir) if args.music_dir else None)


def _suggest(args: argparse.Namespace) -> int:
    library, music_dir = _library(args)
    with FeedbackStore() as store:
        rec = Recommender(library, store, args.table,
                          make_policy(args.policy, args.target, args.step),
                          user=args.user, directory=music_dir,
                          learning=not args.no_learning, explore=0.0,
                          lastfm=_lastfm(args.lastfm_user) if args.lastfm_user else None)
        picks = rec.suggest(MoodEstimate.named(args.mood), args.n)
    for rank, pick in enumerate(picks, 1):
        print(f"{rank:2d}. {track_name(pick.path, pick.artist, pick.title)}  [{pick.score:.2f}]")
        print(f"    {pick.reason}")
        print(f"    {pick.path}")
    return 0


def _lastfm(username: str) -> LastfmSignals:
    """Last.fm signals for ``username``, with the API key from beets' ``lastfm.api_key``."""
    from beets import config, plugins

    config["lastfm"].add({"api_key": plugins.LASTFM_KEY})
    return LastfmSignals(LastFmSettings(api_key=config["lastfm"]["api_key"].as_str()), username)


def _reset(args: argparse.Namespace) -> int:
    user = args.user or default_user()
    with FeedbackStore() as store:
        removed = store.reset(user)
    print(f"Forgot {removed} feedback events and the learned taste of {user} "
          f"(in {store.path}).")
    return 0


def _mood(value: str) -> str:
    key = value.strip().lower()
    if key not in ROWS:
        raise argparse.ArgumentTypeError(f"unknown mood {value!r}: expected one of "
                                         f"{', '.join(ROWS)}")
    return key


def add_commands(subparsers: argparse._SubParsersAction,
                 parents: list[argparse.ArgumentParser]) -> None:
    """Register ``suggest`` and ``reset-learning``, each built on ``parents``.

    The defaults of ``--policy``, ``--target``, ``--library`` and ``--music-dir`` are the
    configured ones where the caller reads a configuration.
    """
    suggest = subparsers.add_parser(
        "suggest", help="rank your beets library for a mood, with reasons",
        description="Rank the tracks of your beets library for a mood, without a camera.",
        parents=parents)
    suggest.add_argument("--mood", required=True, type=_mood,
                         help=f"the mood or expression: {', '.join(ROWS)}")
    suggest.add_argument("-n", type=number_argument(Number(1, 1e6, integer=True)), default=10,
                         help="how many tracks (default 10)")
    suggest.add_argument("--policy", choices=POLICIES, default="match",
                         help="match the mood, uplift it step by step toward --target, or "
                              "play --target (fixed); default: the configured policy")
    suggest.add_argument("--target", type=_mood, help="target mood for uplift and fixed "
                                                      "(default: the configured target)")
    suggest.add_argument("--step", type=number_argument(Number(0.01, 2)), default=0.25,
                         help="uplift step per track in the valence-arousal plane "
                              "(default 0.25)")
    suggest.add_argument("--table", help="your own mood table (YAML; default: the shipped "
                                         "one)")
    suggest.add_argument("--lastfm-user", metavar="NAME",
                         help="also weigh your Last.fm top artists, tags and similar artists "
                              "(asks Last.fm; cached for a week)")
    suggest.add_argument("--no-learning", action="store_true",
                         help="rank by the table alone, ignoring what you taught it")
    _library_options(suggest)
    suggest.set_defaults(func=_suggest)
    reset = subparsers.add_parser(
        "reset-learning", help="forget your skips, plays and learned taste",
        description="Forget the feedback events and learned taste of one user.",
        parents=parents)
    _library_options(reset, library=False)
    reset.set_defaults(func=_reset)


def _library_options(parser: argparse.ArgumentParser, library: bool = True) -> None:
    if library:
        parser.add_argument("--library", help=f"beets library database (default: ${LIBRARY_ENV} "
                                              f"or beets' configured library)")
        parser.add_argument("--music-dir", help="beets music directory (default: beets' "
                                                "configured directory)")
    parser.add_argument("--user", help="whose taste (default: your login name)")
