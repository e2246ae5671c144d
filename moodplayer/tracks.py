"""What a track is to every part: its one identity, and the name a person reads.

A track reaches moodplayer spelled many ways: the path the beets library stores (perhaps
through a symbolic link: beets' ``import: link: yes``, a music folder linked to another
disk), a ``file://`` URL each player escapes in its own way, a path relative to where the
user is. ``track_id`` turns every spelling of one local file into the same string, so the
players' reports, the agent's bookkeeping, its store and the recommender all meet; it is
the only definition of "the same track" in the project.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, unquote_to_bytes, urlsplit

#: A URI scheme at the start of a string (``spotify:``, ``http:``), as in RFC 3986.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: What names a track that has neither a file name nor tags.
UNKNOWN = "(unknown track)"


def _file_url_path(url: str) -> str | None:
    """The decoded path of a ``file:`` URL on this host (empty or ``localhost``); None for
    another host. Everything after the host is the path, so a ``#`` or ``?`` a player
    left unescaped stays part of the file name."""
    rest = url[len("file:"):]
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host not in ("", "localhost"):
            return None
        rest = slash + path
    return os.fsdecode(unquote_to_bytes(rest)) or None


def local_path(item: str | os.PathLike[str]) -> str | None:
    """The real absolute path of a local track, every symbolic link resolved: ``item`` is
    a path (a relative one from the current folder) or a ``file://`` URL (percent-escapes
    decoded). None for anything else: a Spotify URI, a stream's URL, an empty string."""
    text = os.fspath(item)
    if text.startswith("file:"):
        path = _file_url_path(text)
        return os.path.realpath(path) if path else None
    if not text or (_SCHEME.match(text) and not os.path.exists(text)):
        return None
    return os.path.realpath(text)


def track_id(item: str | os.PathLike[str]) -> str:
    """The identity of a track: two spellings of it are the same track exactly when their
    ids are equal. A local file's real path (``local_path``); anything else as given."""
    return local_path(item) or os.fspath(item)


def _file_name(item: str) -> str:
    """The last part of a path or URL, percent-escapes decoded for URLs."""
    if item.startswith("file:"):
        item = _file_url_path(item) or ""
    elif _SCHEME.match(item) and not os.path.exists(item):
        parts = urlsplit(item)
        return unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or item
    return os.path.basename(item.rstrip("/"))


def track_name(item: str | os.PathLike[str], artist: str = "", title: str = "") -> str:
    """How a person reads a track: ``artist – title``; the title alone without an artist;
    the file name (of a path or URL) where the title is missing, so an untagged track is
    never an empty name."""
    name = title.strip() or _file_name(os.fspath(item)) or UNKNOWN
    return f"{artist.strip()} – {name}" if artist.strip() else name
