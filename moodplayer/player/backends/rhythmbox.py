"""Rhythmbox's play queue: ``org.gnome.Rhythmbox3.PlayQueue.AddToQueue``."""

from __future__ import annotations

from collections.abc import Sequence

from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps
from moodplayer.player.events import Removed

BUS_NAME = "org.gnome.Rhythmbox3"
OBJECT = "/org/gnome/Rhythmbox3/PlayQueue"
INTERFACE = "org.gnome.Rhythmbox3.PlayQueue"


class RhythmboxBackend(Backend):
    """Appends to Rhythmbox's play queue, which plays before the rest of the library."""

    NAME = "rhythmbox"
    CAN_REMOVE = True

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Players whose connection also owns ``org.gnome.Rhythmbox3``."""
        return BUS_NAME in caps.owned_names

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """AddToQueue(uri) for each URI, in order, at the end of the play queue (which is
        after ``after`` when the play queue holds the caller's picks)."""
        def step(uri: str) -> Step:
            return lambda ok, fail: self.player.call_on(
                self.player.owner, OBJECT, INTERFACE, "AddToQueue", (uri,),
                lambda *_: ok(), fail, signature="s")

        run_steps([step(u) for u in uris],
                  lambda err: done(self.result(uris, err is None, err or "")))

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """RemoveFromQueue(uri) for each URI (the playing entry has left the play queue)."""
        def step(uri: str) -> Step:
            return lambda ok, fail: self.player.call_on(
                self.player.owner, OBJECT, INTERFACE, "RemoveFromQueue", (uri,),
                lambda *_: ok(), fail, signature="s")

        run_steps([step(u) for u in uris],
                  lambda err: done(() if err else tuple(uris), err or ""))
