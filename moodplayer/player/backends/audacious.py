"""Audacious' own D-Bus interface: insert after the playing entry of the active playlist,
delete upcoming entries."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from moodplayer.player._glib import timeout
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps
from moodplayer.player.events import Removed, Upcoming
from moodplayer.tracks import track_id

BUS_NAME = "org.atheme.audacious"
OBJECT = "/org/atheme/audacious"
INTERFACE = "org.atheme.audacious"
#: ``Position()`` when no entry is current: ``uint32(-1)``.
NO_ENTRY = 2**32 - 1

#: How many entries after the playing one are looked at to place or remove tracks (the
#: agent's picks wait right after it; a long playlist is not read whole).
SCAN = 64

#: Audacious adds URLs on a thread of its own, so an entry inserted a moment ago can still be
#: missing from the playlist: ``remove`` looks again every ``RETRY_S`` seconds, ``RETRIES``
#: times, before it answers without the missing ones.
RETRY_S = 0.25
RETRIES = 8

#: The playing position (-1: none) and the entries after it, as (position, filename).
Entries = tuple[int, list[tuple[int, str]]]


class AudaciousBackend(Backend):
    """``Position()`` then ``PlaylistInsUrlString(uri, position + 1 + i)`` per URI (after
    the entry ``after`` when it waits); ``AddUrl`` (append) when no entry is current;
    ``Delete(position)`` to take upcoming entries out."""

    NAME = "audacious"
    CAN_REMOVE = True

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Players whose connection also owns ``org.atheme.audacious``."""
        return BUS_NAME in caps.owned_names

    def _call(self, method: str, args: tuple, ok, fail, signature: str | None = None) -> None:
        self.player.call_on(self.player.owner, OBJECT, INTERFACE, method, args, ok, fail,
                            signature)

    def _entries(self, then: Callable[[Entries], None], fail: Callable[[str], None]) -> None:
        """Read the playing position and the filenames of the ``SCAN`` entries after it."""
        state: dict[str, int] = {}
        names: list[tuple[int, str]] = []

        def got_length(length: int) -> None:
            position = state["position"]
            start = position + 1 if position >= 0 else int(length)

            def read(index: int) -> Step:
                return lambda ok, err: self._call(
                    "SongFilename", (index,), lambda name: (names.append((index, str(name))),
                                                            ok()), err, signature="u")

            run_steps([read(i) for i in range(start, min(int(length), start + SCAN))],
                      lambda err: fail(err) if err else then((position, names)))

        def got_position(position: int) -> None:
            state["position"] = -1 if int(position) >= NO_ENTRY else int(position)
            self._call("Length", (), got_length, fail)

        self._call("Position", (), got_position, fail)

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Insert the URIs, in order, right after ``after`` or the current entry."""
        def insert(position: int) -> None:
            def step(index: int, uri: str) -> Step:
                if not 0 <= position < 2**31 - 1 - len(uris):
                    return lambda ok, fail: self._call("AddUrl", (uri,), lambda *_: ok(), fail,
                                                       signature="s")
                return lambda ok, fail: self._call(
                    "PlaylistInsUrlString", (uri, position + 1 + index),
                    lambda *_: ok(), fail, signature="si")

            run_steps([step(i, u) for i, u in enumerate(uris)],
                      lambda err: done(self.result(uris, err is None, err or "")))

        def placed(entries: Entries) -> None:
            position, upcoming = entries
            wanted = track_id(after or "")
            insert(next((i for i, name in upcoming if track_id(name) == wanted), position))

        if after is None:
            self._call("Position", (), lambda pos: insert(-1 if int(pos) >= NO_ENTRY
                                                          else int(pos)),
                       lambda err: done(self.result(uris, False, err)))
        else:
            self._entries(placed, lambda err: done(self.result(uris, False, err)))

    def upcoming(self, done: Upcoming) -> None:
        """The filenames of the ``SCAN`` entries after the playing one."""
        self._entries(lambda entries: done(tuple(name for _, name in entries[1])),
                      lambda _err: done(None))

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """``Delete`` one upcoming entry per URI, the last position first; an entry still
        being added is waited for (``RETRIES``)."""
        def failed(err: str) -> None:
            done((), err)

        def drop(entries: Entries, left: int = RETRIES) -> None:
            upcoming, found = list(entries[1]), []
            for uri in uris:
                match = next((e for e in upcoming if track_id(e[1]) == track_id(uri)), None)
                if match is not None:
                    upcoming.remove(match)
                    found.append((match[0], uri))
            if len(found) < len(uris) and left > 0:
                timeout(RETRY_S, lambda: self._entries(lambda e: drop(e, left - 1), failed))
                return
            found.sort(reverse=True)

            def step(index: int) -> Step:
                return lambda ok, fail: self._call("Delete", (index,), lambda *_: ok(), fail,
                                                   signature="u")

            run_steps([step(i) for i, _ in found],
                      lambda err: done(() if err else tuple(u for _, u in reversed(found)),
                                       err or ""))

        self._entries(drop, failed)
