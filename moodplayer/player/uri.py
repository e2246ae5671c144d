"""Local paths to ``file://`` URIs and back; other URIs pass through."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gi.repository import GLib

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SPOTIFY_TRACK = re.compile(r"^(?:spotify:track:|/com/spotify/track/)([A-Za-z0-9]{22})$")


def to_uri(item: str | os.PathLike[str]) -> str:
    """A URI for ``item``: paths become absolute, percent-escaped ``file://`` URIs."""
    text = os.fspath(item)
    if _SCHEME.match(text) and not Path(text).exists():
        return text
    return GLib.filename_to_uri(str(Path(text).resolve()), None)


def to_path(uri: str) -> str | None:
    """The local path of a ``file://`` URI (percent-escapes decoded); None for other URIs."""
    if not uri.startswith("file://"):
        return None
    try:
        return GLib.filename_from_uri(uri)[0]
    except GLib.Error:
        parts = urlsplit(uri)
        return unquote(parts.path) if parts.path else None


def spotify_id(value: str) -> str | None:
    """The 22-character Spotify track id in a ``spotify:track:`` URI or trackid; else None."""
    match = _SPOTIFY_TRACK.match(value or "")
    return match.group(1) if match else None


def same_uri(a: str, b: str) -> bool:
    """Whether two URIs name the same track (``file://`` URIs compared as decoded paths,
    since players escape characters differently)."""
    if a == b:
        return True
    path = to_path(a)
    return path is not None and path == to_path(b)
