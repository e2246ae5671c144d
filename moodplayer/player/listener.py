"""Who hears what the player part reports: a listener base whose handlers never break the loop."""

from __future__ import annotations

import logging
from typing import Any, Literal

from moodplayer.player.events import EnqueueResult, FeedbackEvent, PlaybackStatus
from moodplayer.player.identity import PlayerName

log = logging.getLogger(__name__)

ListenerEvent = Literal["player_appeared", "player_vanished", "feedback", "status",
                        "enqueue_result"]


class PlayerListener:
    """Override the ``on_*`` methods you need; the others do nothing.

    ``dispatch`` calls ``on_<event>`` and logs (never raises) a handler's exception.
    """

    def on_player_appeared(self, player: PlayerName, backend: str) -> None:
        """A usable player appeared (``backend``: how tracks are queued in it)."""

    def on_player_vanished(self, player: PlayerName) -> None:
        """A player quit (or the bus went away)."""

    def on_feedback(self, event: FeedbackEvent) -> None:
        """A track started, was played through, skipped, or paused."""

    def on_status(self, player: PlayerName, status: PlaybackStatus) -> None:
        """A usable player's PlaybackStatus changed (play, pause, stop without a new track)."""

    def on_enqueue_result(self, result: EnqueueResult) -> None:
        """An ``enqueue`` call changed state (waiting, queued, deferred, failed)."""

    def dispatch(self, event: ListenerEvent, *args: Any) -> None:
        """Call ``on_<event>(*args)``, logging any exception it raises."""
        try:
            getattr(self, f"on_{event}")(*args)
        except Exception:
            log.exception("player listener %s failed on %s", type(self).__name__, event)
