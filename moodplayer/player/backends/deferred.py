"""Players without a queue: hold the tracks and open each one when the current track ends.

``OpenUri`` replaces what plays in these players, so opening at once would interrupt the
user. The backend arms a timer for the end of the current track (re-armed on every
change: seek, pause, new track) and opens the next held track then, or at once when the
player is stopped or idle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from gi.repository import GLib

from moodplayer.player import _glib
from moodplayer.player.backends.base import Backend, Done
from moodplayer.player.events import Removed

log = logging.getLogger(__name__)

#: Open the next track this long before the current one ends (the player's own gap).
LEAD_S = 0.3


class DeferredBackend(Backend):
    """Holds URIs and opens them one at a time with ``open``, at the end of each track."""

    DEFERRED = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[str] = []
        self._timer: GLib.Source | None = None
        self._opening = False
        self._opened_from: object = None
        #: Called with a URI the player refused or did not answer for (set by the manager).
        self.on_lost: Callable[[str], None] = lambda uri: None

    def open(self, uri: str) -> None:
        """Make the player play ``uri`` now."""
        def failed(message: str) -> None:
            log.warning("%s could not open %s: %s", self.player.name, uri, message)
            self._opening = False
            self.on_lost(uri)

        self.player.open_uri(uri, error=failed)

    CAN_REMOVE = True

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Hold the URIs (after ``after`` if held, else last); they are opened as tracks end."""
        at = self._held.index(after) + 1 if after in self._held else len(self._held)
        self._held[at:at] = uris
        self.on_player_change()
        done(self.result(uris, True))

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """Drop held URIs that were not opened yet."""
        removed = []
        for uri in uris:
            if uri in self._held:
                self._held.remove(uri)
                removed.append(uri)
        self.on_player_change()
        done(tuple(removed), "")

    def queue_length(self) -> int | None:
        """The number of tracks held for this player."""
        return len(self._held)

    def on_player_change(self) -> None:
        """Re-arm the end-of-track timer from the player's current state."""
        _glib.cancel(self._timer)
        self._timer = None
        if not self._held:
            return
        tracker = self.player.tracker
        if self._opening and tracker.key == self._opened_from:
            return  # wait for the track just opened to start
        self._opening = False
        if tracker.track is None or tracker.status == "Stopped":
            self._open_next()
            return
        remaining = tracker.remaining()
        if tracker.playing and remaining is not None:
            self._timer = _glib.timeout(max(0.0, remaining - LEAD_S), self._open_next)

    def _open_next(self) -> None:
        self._timer = None
        if self._held:
            self._opening, self._opened_from = True, self.player.tracker.key
            self.open(self._held.pop(0))

    def take_held(self) -> list[str]:
        """Remove and return the tracks not yet opened (to queue them elsewhere)."""
        held, self._held = self._held, []
        return held

    def close(self) -> None:
        """Cancel the timer; held tracks are dropped with the backend."""
        _glib.cancel(self._timer)
        self._timer = None
