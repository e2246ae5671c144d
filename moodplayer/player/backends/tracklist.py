"""MPRIS ``TrackList.AddTrack`` after the current track (VLC, current Strawberry)."""

from __future__ import annotations

from collections.abc import Sequence

import dbus

from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps
from moodplayer.player.mpris import TRACKLIST_INTERFACE

#: VLC's pseudo trackid that appends at the end of its playlist.
APPEND = "/org/mpris/MediaPlayer2/TrackList/Append"


class TrackListBackend(Backend):
    """Inserts after the current trackid, in reverse so the tracks keep their order.

    VLC reports ``HasTrackList`` false although the interface works, so the interface
    list from introspection decides, not the property.
    """

    NAME = "tracklist"

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Players whose MPRIS object implements ``org.mpris.MediaPlayer2.TrackList``."""
        return TRACKLIST_INTERFACE in caps.interfaces

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """AddTrack(uri, current, False) for each URI, last one first."""
        key = self.player.tracker.key
        current = key[0] if key and key[0].startswith("/") else ""
        after = current or APPEND
        order = list(reversed(uris)) if current else list(uris)

        def step(uri: str) -> Step:
            return lambda ok, fail: self.player.call(
                TRACKLIST_INTERFACE, "AddTrack", (uri, dbus.ObjectPath(after), False),
                lambda *_: ok(), fail, signature="sob")

        run_steps([step(u) for u in order],
                  lambda err: done(self.result(uris, err is None, err or "")))
