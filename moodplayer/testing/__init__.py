"""Real parts started for the tests, the demo and the benchmarks, in one place.

- ``PrivateBus``: a private ``dbus-daemon --session`` (``bus.py``), with ``Control`` (a
  user's MPRIS buttons) and ``spin`` (run the GLib main loop until something happened).
- Headless players on it (``players.py``): ``start_mpv``, ``start_vlc``,
  ``start_rhythmbox`` (under ``start_xvfb``), ``start_audacious`` (after
  ``prepare_audacious_config``), ``start_mpd`` and ``start_mpdris2``; ``tone`` encodes
  a track to play; ``mpv_command`` asks mpv over its IPC socket. ``Processes`` kills
  whatever was started.
- ``FakeLastFm``: Last.fm's web service on 127.0.0.1, answering in its own XML (``lastfm.py``).

A part this machine cannot run raises ``UnavailableError`` (the tests skip, naming it). Nothing
here imports the rest of moodplayer beyond its exceptions and the MPRIS names of
``moodplayer.player``; ``import moodplayer`` does not import this package.
"""

from moodplayer.testing.bus import Control, PrivateBus, spin
from moodplayer.testing.lastfm import SERVICE_OFFLINE, FakeLastFm
from moodplayer.testing.players import (
    mpv_command,
    player_env,
    prepare_audacious_config,
    start_audacious,
    start_mpd,
    start_mpdris2,
    start_mpv,
    start_rhythmbox,
    start_vlc,
    start_xvfb,
    tone,
)
from moodplayer.testing.processes import STARTUP_S, Processes, UnavailableError, require

__all__ = [
    "SERVICE_OFFLINE",
    "STARTUP_S",
    "Control",
    "FakeLastFm",
    "PrivateBus",
    "Processes",
    "UnavailableError",
    "mpv_command",
    "player_env",
    "prepare_audacious_config",
    "require",
    "spin",
    "start_audacious",
    "start_mpd",
    "start_mpdris2",
    "start_mpv",
    "start_rhythmbox",
    "start_vlc",
    "start_xvfb",
    "tone",
]
