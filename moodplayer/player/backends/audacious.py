"""Audacious' own D-Bus interface: insert after the playing entry of the active playlist."""

from __future__ import annotations

from collections.abc import Sequence

from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps

BUS_NAME = "org.atheme.audacious"
OBJECT = "/org/atheme/audacious"
INTERFACE = "org.atheme.audacious"


class AudaciousBackend(Backend):
    """``Position()`` then ``PlaylistInsUrlString(uri, position + 1 + i)`` per URI;
    ``AddUrl`` (append) when no entry is current (Position answers ``uint32(-1)``)."""

    NAME = "audacious"

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Players whose connection also owns ``org.atheme.audacious``."""
        return BUS_NAME in caps.owned_names

    def _call(self, method: str, args: tuple, ok, fail, signature: str | None = None) -> None:
        self.player.call_on(self.player.owner, OBJECT, INTERFACE, method, args, ok, fail,
                            signature)

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Insert the URIs, in order, right after the current entry."""
        def with_position(position: int) -> None:
            def step(index: int, uri: str) -> Step:
                if not 0 <= position < 2**31 - 1 - len(uris):
                    return lambda ok, fail: self._call("AddUrl", (uri,), lambda *_: ok(), fail,
                                                       signature="s")
                return lambda ok, fail: self._call(
                    "PlaylistInsUrlString", (uri, position + 1 + index),
                    lambda *_: ok(), fail, signature="si")

            run_steps([step(i, u) for i, u in enumerate(uris)],
                      lambda err: done(self.result(uris, err is None, err or "")))

        self._call("Position", (), with_position,
                   lambda err: done(self.result(uris, False, err)))
