"""Steering the user's MPRIS players: discovery, enqueueing, and feedback from what plays.

Usable without the rest of moodplayer. Every D-Bus and IPC call is asynchronous with a
timeout; the caller owns the ``GLib.MainLoop`` (on the default main context, the only
one dbus-python dispatches on). In short::

    bus = dbus.bus.BusConnection(address, mainloop=DBusGMainLoop())  # or omit: own bus
    manager = PlayerManager(bus, priority=["rhythmbox", "%any"], ignore=["chromium"],
                            settings=BackendSettings(mpv_socket=Path("~/.mpv.sock")))
    manager.add_listener(my_listener)        # a PlayerListener: on_feedback(FeedbackEvent),
    manager.start()                          # on_status, on_player_appeared/vanished,
                                             # on_enqueue_result
    manager.enqueue([path, TrackRef(spotify_id=...)], player=None, done=callback, after=None)
    manager.remove([path], done=callback)    # upcoming entries only; see can_remove()
    manager.upcoming(callback)               # what waits after the playing entry
    manager.active(); manager.player().track; manager.queue_length(); manager.stop()

``FeedbackEvent.track`` is a ``TrackRef`` (path, Spotify id, artist/title): the beets
look-up is the caller's.
"""

from moodplayer.player.backends import BACKENDS, BackendSettings
from moodplayer.player.events import (
    EnqueueResult,
    EnqueueStatus,
    FeedbackEvent,
    FeedbackKind,
    PlaybackStatus,
    QueueItem,
    Removed,
    TrackRef,
    Upcoming,
)
from moodplayer.player.identity import ANY, PlayerName
from moodplayer.player.listener import PlayerListener
from moodplayer.player.manager import PlayerManager, session_address
from moodplayer.player.tracking import verdict
from moodplayer.player.uri import to_uri

__all__ = [
    "ANY",
    "BACKENDS",
    "BackendSettings",
    "EnqueueResult",
    "EnqueueStatus",
    "FeedbackEvent",
    "FeedbackKind",
    "PlaybackStatus",
    "PlayerListener",
    "PlayerManager",
    "PlayerName",
    "QueueItem",
    "Removed",
    "TrackRef",
    "Upcoming",
    "session_address",
    "to_uri",
    "verdict",
]
