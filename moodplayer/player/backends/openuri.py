"""The last resort for any MPRIS player: ``OpenUri`` when the current track ends."""

from __future__ import annotations

from moodplayer.player.backends.base import BackendSettings, Capabilities
from moodplayer.player.backends.deferred import DeferredBackend


class OpenUriBackend(DeferredBackend):
    """Deferred ``OpenUri`` (it replaces the playing track in most players)."""

    NAME = "openuri"

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """Every player."""
        return True
