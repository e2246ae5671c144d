"""MPRIS ``TrackList``: ``AddTrack`` after the current track, ``RemoveTrack`` (VLC, current
Strawberry)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dbus

from moodplayer.player import _glib
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps
from moodplayer.player.events import Removed
from moodplayer.player.mpris import PATH, TRACKLIST_INTERFACE
from moodplayer.tracks import track_id

#: VLC's pseudo trackid that appends at the end of its playlist.
APPEND = "/org/mpris/MediaPlayer2/TrackList/Append"
#: How long (seconds, times) an enqueue waits for the TrackAdded signal of each track.
SIGNAL_WAIT_S, SIGNAL_WAITS = 0.05, 20


class TrackListBackend(Backend):
    """Inserts after the current trackid (or after the entry ``after``), in reverse so the
    tracks keep their order; removes entries by trackid.

    VLC reports ``HasTrackList`` false although the interface works, so the interface
    list from introspection decides, not the property. VLC's ``Tracks`` property does not
    follow ``AddTrack``, so the trackids of added entries are learned from the
    ``TrackAdded`` signals (which VLC sends on the misnamed interface
    ``MediaPlayer2.TrackList``: any interface is accepted).
    """

    NAME = "tracklist"
    CAN_REMOVE = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._added: list[tuple[str, str]] = []  # (trackid, url), oldest first
        bus, owner = self.player.bus, self.player.owner
        self._receivers = [
            bus.add_signal_receiver(self._track_added, "TrackAdded", None, owner, PATH),
            bus.add_signal_receiver(self._track_removed, "TrackRemoved", None, owner, PATH),
        ]

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Players whose MPRIS object implements ``org.mpris.MediaPlayer2.TrackList``."""
        return TRACKLIST_INTERFACE in caps.interfaces

    def _track_added(self, metadata: Any, _after: Any = None) -> None:
        # The spec sends one a{sv}; VLC sends an array holding it.
        for entry in metadata if isinstance(metadata, (list, tuple)) else (metadata,):
            trackid = str(entry.get("mpris:trackid", "")) if isinstance(entry, dict) else ""
            if trackid:
                self._added.append((trackid, str(entry.get("xesam:url", ""))))
        del self._added[:-256]

    def _track_removed(self, trackid: Any) -> None:
        self._added = [e for e in self._added if e[0] != str(trackid)]

    def _current(self) -> str:
        key = self.player.tracker.key
        return key[0] if key and key[0].startswith("/") else ""

    def _entry(self, uri: str, taken: set[str] = frozenset()) -> str | None:
        """The trackid of the newest added entry that is ``uri`` and not what plays."""
        current, wanted = self._current(), track_id(uri)
        return next((tid for tid, url in reversed(self._added)
                     if track_id(url) == wanted and tid != current and tid not in taken), None)

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """AddTrack(uri, anchor, False) for each URI, last one first (in order at the end)."""
        anchor = (self._entry(after) if after else None) or self._current() or APPEND
        order = list(reversed(uris)) if anchor != APPEND else list(uris)

        def step(uri: str) -> Step:
            return lambda ok, fail: self.player.call(
                TRACKLIST_INTERFACE, "AddTrack", (uri, dbus.ObjectPath(anchor), False),
                lambda *_: self._await_signal(uri, ok), fail, signature="sob")

        run_steps([step(u) for u in order],
                  lambda err: done(self.result(uris, err is None, err or "")))

    def _await_signal(self, uri: str, then: Callable[[], None], waits: int = SIGNAL_WAITS,
                      ) -> None:
        """Go on once the TrackAdded signal of ``uri`` is in (it may follow the reply, and
        VLC drops a TrackAdded that comes while another is pending), or after a while."""
        if waits and self._entry(uri) is None:
            _glib.timeout(SIGNAL_WAIT_S, lambda: self._await_signal(uri, then, waits - 1))
        else:
            then()

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """RemoveTrack(trackid) for one added entry of each URI (never the playing one)."""
        found: list[tuple[str, str]] = []
        for uri in uris:
            trackid = self._entry(uri, {tid for tid, _ in found})
            if trackid is not None:
                found.append((trackid, uri))

        def step(trackid: str) -> Step:
            return lambda ok, fail: self.player.call(
                TRACKLIST_INTERFACE, "RemoveTrack", (dbus.ObjectPath(trackid),),
                lambda *_: (self._track_removed(trackid), ok()), fail, signature="o")

        run_steps([step(tid) for tid, _ in found],
                  lambda err: done(() if err else tuple(u for _, u in found), err or ""))

    def close(self) -> None:
        """Stop listening to the player's track list signals."""
        for receiver in self._receivers:
            receiver.remove()
        self._receivers = []
