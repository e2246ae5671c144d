"""What every enqueue backend offers, and the settings they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from moodplayer.player.events import EnqueueResult, QueueItem, Removed, TrackRef, Upcoming
from moodplayer.player.mpris import Player
from moodplayer.player.uri import to_uri

Done = Callable[[EnqueueResult], None]


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """Where the non-D-Bus queue interfaces live (from configuration)."""

    mpv_socket: Path | None = None
    mpd_host: str = "localhost"
    mpd_port: int = 6600
    timeout_s: float = 2.0


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a player offers, as seen on the bus: its identity, its interfaces and the
    other well-known names its connection owns (``org.gnome.Rhythmbox3``...)."""

    player_name: str
    interfaces: frozenset[str]
    owned_names: frozenset[str]


class Backend(ABC):
    """Queues URIs in one family of players, after the current track.

    ``supports`` decides from the bus name and capabilities, once, when the player
    appears. ``enqueue`` is asynchronous: it calls ``done`` exactly once, on the main loop.
    """

    NAME: ClassVar[str]
    #: True for players without a queue: the backend opens the track when the current ends.
    DEFERRED: ClassVar[bool] = False
    #: True if ``remove`` can take upcoming tracks out of the player's queue.
    CAN_REMOVE: ClassVar[bool] = False

    def __init__(self, player: Player, settings: BackendSettings) -> None:
        self.player, self.settings = player, settings

    @classmethod
    @abstractmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """True if this backend can queue in a player with these capabilities."""

    @abstractmethod
    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Queue ``uris`` (in order) after the upcoming entry ``after`` (a URI) where the
        player allows, else after the current track; report through ``done``."""

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """Take one upcoming entry of each of ``uris`` out of the queue (never the playing
        one); ``done(removed, message)`` once. Backends with ``CAN_REMOVE`` override it."""
        done((), f"{self.NAME} offers no way to take tracks out of its queue")

    def upcoming(self, done: Upcoming) -> None:
        """``done`` once with the entries waiting after the playing one; None where the
        backend cannot read its player's queue (backends that can override it)."""
        done(None)

    def uri_for(self, item: QueueItem) -> str | None:
        """The URI this player should get for ``item``; None if it cannot play it."""
        if isinstance(item, TrackRef):
            return to_uri(item.path) if item.path else (item.url or None)
        return to_uri(item)

    def play(self, uri: str) -> None:
        """Start playback; ``uri`` is the track queued first, for a player that cannot
        start from idle with MPRIS ``Play`` (its backend overrides this and plays it)."""
        self.player.play()

    def queue_length(self) -> int | None:
        """How many tracks wait after the current one, if the backend can tell."""
        return None

    def on_player_change(self) -> None:  # noqa: B027 - optional hook
        """Called after every change of the player's state (deferred backends use it)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release timers, sockets and threads."""

    def result(self, uris: Sequence[str], ok: bool, message: str = "") -> EnqueueResult:
        """An ``EnqueueResult`` for this backend's player."""
        status = ("deferred" if self.DEFERRED else "queued") if ok else "failed"
        return EnqueueResult(status, tuple(uris), str(self.player.name), self.NAME, message,
                             self.queue_length() if ok else None)
