"""MPRIS ``Metadata`` dictionaries to ``TrackRef`` values, tolerating players' quirks.

Quirks handled: ``mpris:trackid`` as a string (Rhythmbox, old Spotify) or object path;
``mpris:length`` as int64, uint64 or double; missing or malformed entries.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from moodplayer.player.events import TrackRef
from moodplayer.player.uri import spotify_id
from moodplayer.tracks import local_path

log = logging.getLogger(__name__)

#: The key a track boundary is detected on (trackid alone is reused by mpv and Audacious).
TrackKey = tuple[str, str, str, str]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value if isinstance(v, str))
    return ""


def _length_s(value: Any) -> float | None:
    try:
        micros = float(value)
    except (TypeError, ValueError):
        return None
    return micros / 1e6 if micros > 0 else None


def parse_metadata(metadata: Mapping[str, Any] | Any) -> tuple[TrackKey, TrackRef] | None:
    """The boundary key and track of a Metadata value; None for an empty or unusable one."""
    if not isinstance(metadata, Mapping):
        log.warning("ignoring malformed MPRIS metadata (a %s, not a dictionary)",
                    type(metadata).__name__)
        return None
    trackid = _text(metadata.get("mpris:trackid", ""))
    url = _text(metadata.get("xesam:url", ""))
    title = _text(metadata.get("xesam:title", ""))
    artist = _text(metadata.get("xesam:artist", ""))
    if not (url or title):
        return None  # idle players send a bare trackid (mpv: the empty playlist)
    track = TrackRef(url=url, path=local_path(url),
                     spotify_id=spotify_id(trackid) or spotify_id(url), artist=artist, title=title,
                     length_s=_length_s(metadata.get("mpris:length")))
    key = (trackid, url, "" if url else title, "" if url else artist)
    return key, track
