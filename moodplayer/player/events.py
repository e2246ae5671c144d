"""What the player part reports: the track identity and the feedback events."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from moodplayer.tracks import track_name

FeedbackKind = Literal["started", "played", "skipped", "paused"]
#: MPRIS ``PlaybackStatus`` values, as the player part reports them to its listeners.
PlaybackStatus = Literal["Playing", "Paused", "Stopped"]


@dataclass(frozen=True, slots=True)
class TrackRef:
    """How to find a playing track in the beets library: by path, Spotify id, or tags.

    ``path`` is set for local files: the real path of ``xesam:url``, the track's identity
    (``moodplayer.tracks.local_path``); ``spotify_id`` for Spotify tracks; ``artist`` and
    ``title`` are the fallback. ``length_s`` is None if unknown.
    """

    url: str = ""
    path: str | None = None
    spotify_id: str | None = None
    artist: str = ""
    title: str = ""
    length_s: float | None = None

    def describe(self) -> str:
        """A short human-readable name for log lines: a local file's path, else the
        track's name (``moodplayer.tracks.track_name``)."""
        return self.path or track_name(self.url or self.spotify_id or "", self.artist,
                                       self.title)


@dataclass(frozen=True, slots=True)
class FeedbackEvent:
    """One thing the user did or heard: a track ``started``, was ``played`` through,
    ``skipped`` (at ``position_s`` of ``length_s``), or ``paused``.
    """

    kind: FeedbackKind
    player: str
    track: TrackRef
    position_s: float = 0.0
    length_s: float | None = None


#: What ``enqueue`` takes: a local path, a URI, or a track from the library (TrackRef).
QueueItem = str | os.PathLike[str] | TrackRef

EnqueueStatus = Literal["queued", "deferred", "waiting", "failed"]


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """The outcome of one ``enqueue`` call.

    ``queued``: in the player's queue after the current track. ``deferred``: the player
    has no queue (Spotify, plain OpenUri); the agent opens it when the current track
    ends. ``waiting``: no player could take it; kept and retried when one appears.
    ``failed``: the items can never be queued (e.g. no Spotify id for Spotify).
    ``refused`` names the items left out before any player was asked (a missing or
    unreadable file) with the reason, as (item, reason); the others went on.
    """

    status: EnqueueStatus
    uris: tuple[str, ...]
    player: str = ""
    backend: str = ""
    message: str = ""
    queue_length: int | None = None
    refused: tuple[tuple[str, str], ...] = ()


#: Called once by ``PlayerManager.remove``: the URIs taken out of the queue, and why not
#: (empty when all went or were no longer waiting).
Removed = Callable[[tuple[str, ...], str], None]
#: Called once by ``PlayerManager.upcoming``: the entries waiting after the playing one, in
#: order and as the player spells them (a path or URI); None where they cannot be read.
Upcoming = Callable[[tuple[str, ...] | None], None]
