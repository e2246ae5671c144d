"""Local tracks to the ``file://`` URIs players are given; Spotify track ids.

Which spellings name the same track is ``moodplayer.tracks.track_id``'s to say.
"""

from __future__ import annotations

import os
import re

from gi.repository import GLib

from moodplayer.tracks import local_path

_SPOTIFY_TRACK = re.compile(r"^(?:spotify:track:|/com/spotify/track/)([A-Za-z0-9]{22})$")


def to_uri(item: str | os.PathLike[str]) -> str:
    """A URI for ``item``: a local track becomes the percent-escaped ``file://`` URI of its
    real path (``local_path``); any other URI passes through."""
    path = local_path(item)
    return GLib.filename_to_uri(path, None) if path else os.fspath(item)


def spotify_id(value: str) -> str | None:
    """The 22-character Spotify track id in a ``spotify:track:`` URI or trackid; else None."""
    match = _SPOTIFY_TRACK.match(value or "")
    return match.group(1) if match else None
