"""Enqueue backends, one module per player family, in the order they are tried."""

from moodplayer.player.backends.audacious import AudaciousBackend
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities
from moodplayer.player.backends.mpd import MpdBackend
from moodplayer.player.backends.mpv import MpvBackend
from moodplayer.player.backends.openuri import OpenUriBackend
from moodplayer.player.backends.rhythmbox import RhythmboxBackend
from moodplayer.player.backends.spotify import SpotifyBackend
from moodplayer.player.backends.tracklist import TrackListBackend

#: Tried in this order; the first whose ``supports`` is true is used. OpenUri is last.
BACKEND_CLASSES: tuple[type[Backend], ...] = (
    RhythmboxBackend, AudaciousBackend, MpvBackend, MpdBackend, SpotifyBackend,
    TrackListBackend, OpenUriBackend,
)
BACKENDS: dict[str, type[Backend]] = {b.NAME: b for b in BACKEND_CLASSES}


def choose_backend(caps: Capabilities, settings: BackendSettings) -> type[Backend]:
    """The backend for a player with these capabilities (OpenUri at worst)."""
    return next(b for b in BACKEND_CLASSES if b.supports(caps, settings))


__all__ = ["BACKENDS", "BACKEND_CLASSES", "Backend", "BackendSettings", "Capabilities",
           "choose_backend"]
