"""Steering the user's MPRIS players: discovery, enqueueing, and feedback from what plays.

Usable without the rest of moodplayer. Run a ``GLib.MainLoop`` on the default context
(dbus-python dispatches only there); every D-Bus and IPC call is asynchronous.
"""

from moodplayer.player.backends import BACKENDS, BackendSettings
from moodplayer.player.events import (
    EnqueueResult,
    EnqueueStatus,
    FeedbackEvent,
    FeedbackKind,
    QueueItem,
    TrackRef,
)
from moodplayer.player.identity import ANY, PlayerName
from moodplayer.player.listener import PlayerListener
from moodplayer.player.manager import PlayerManager
from moodplayer.player.tracking import verdict
from moodplayer.player.uri import to_path, to_uri

__all__ = [
    "ANY",
    "BACKENDS",
    "BackendSettings",
    "EnqueueResult",
    "EnqueueStatus",
    "FeedbackEvent",
    "FeedbackKind",
    "PlayerListener",
    "PlayerManager",
    "PlayerName",
    "QueueItem",
    "TrackRef",
    "to_path",
    "to_uri",
    "verdict",
]
