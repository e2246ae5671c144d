"""Spotify desktop: ``OpenUri("spotify:track:ID")`` when the current track ends.

Spotify has no queue over D-Bus and only plays its own catalogue, so only tracks that
carry a Spotify id (beets' spotify plugin stores ``spotify_track_id``) can be played.
"""

from __future__ import annotations

import os

from moodplayer.player.backends.base import BackendSettings, Capabilities
from moodplayer.player.backends.deferred import DeferredBackend
from moodplayer.player.events import QueueItem, TrackRef
from moodplayer.player.uri import spotify_id


class SpotifyBackend(DeferredBackend):
    """Deferred ``OpenUri`` of ``spotify:track:`` URIs."""

    NAME = "spotify"

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """The player named ``spotify``."""
        return caps.player_name == "spotify"

    def uri_for(self, item: QueueItem) -> str | None:
        """``spotify:track:ID`` from a TrackRef's Spotify id or a Spotify URI; else None."""
        if isinstance(item, TrackRef):
            return f"spotify:track:{item.spotify_id}" if item.spotify_id else None
        text = os.fspath(item)
        return f"spotify:track:{spotify_id(text)}" if spotify_id(text) else None
