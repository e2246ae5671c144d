"""The agent's hands and ears on the player: the one place that talks to moodplayer.player.

It listens to the player part's ``PlayerManager`` and turns what it reports into
``PlayerEvent``s for the agent, and offers the few actions the agent needs (enqueue,
play). While no player runs, enqueueing is not attempted and the agent waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import dbus
from gi.repository import GLib

from moodplayer.agent.config import AgentConfig
from moodplayer.player import (
    BackendSettings,
    EnqueueResult,
    FeedbackEvent,
    PlayerListener,
    PlayerManager,
    PlayerName,
)

log = logging.getLogger(__name__)

EventKind = Literal["appeared", "vanished", "started", "played", "skipped", "paused",
                    "playing", "stopped"]
#: Called once per enqueue request: the paths the player accepted (empty: none), and why not.
Enqueued = Callable[[Sequence[str], str], None]

_MPRIS_PATH = "/org/mpris/MediaPlayer2"
_PROPERTIES = "org.freedesktop.DBus.Properties"


@dataclass(frozen=True, slots=True)
class PlayerEvent:
    """Something the player did, as the agent cares about it."""

    kind: EventKind
    player: str
    path: str = ""
    position_s: float | None = None


class Hands(PlayerListener):
    """Follows the preferred player; enqueues into it; reports what it does."""

    def __init__(self, bus: dbus.Bus, config: AgentConfig) -> None:
        self.bus, self.config = bus, config
        settings = BackendSettings(mpv_socket=config.mpv_socket, mpd_host=config.mpd_host,
                                   mpd_port=config.mpd_port)
        self.manager = PlayerManager(bus, priority=config.players,
                                     ignore=config.ignore_players, settings=settings)
        self.manager.add_listener(self)
        self.on_event: Callable[[PlayerEvent], None] | None = None
        self.name = ""
        self.playing = False
        self.playing_path = ""
        self._receiver = None
        self._check = 0

    @property
    def available(self) -> bool:
        """True while a usable player is there to steer."""
        return bool(self.name)

    def start(self, on_event: Callable[[PlayerEvent], None]) -> None:
        """Begin following players on the bus, reporting to ``on_event``."""
        self.on_event = on_event
        self.manager.start()
        # Play/pause without a track change brings no feedback event: a property change
        # is the cue to look at the player's state again (after the manager saw it).
        self._receiver = self.bus.add_signal_receiver(
            self._poke, "PropertiesChanged", _PROPERTIES, path=_MPRIS_PATH)
        log.info("waiting for an MPRIS player")

    def _emit(self, kind: EventKind, path: str = "", position_s: float | None = None) -> None:
        if self.on_event is not None:
            self.on_event(PlayerEvent(kind, self.name, path, position_s))

    def _poke(self, *_args: object) -> None:
        if not self._check:
            self._check = GLib.idle_add(self._recheck)

    def _recheck(self) -> bool:
        self._check = 0
        player = self.manager.player()
        playing = bool(player and player.playing)
        if playing != self.playing and self.name:
            self.playing = playing
            stopped = player is None or player.tracker.status == "Stopped"
            self._emit("playing" if playing else "stopped" if stopped else "paused",
                       self.playing_path)
        return False

    # -- PlayerListener ----------------------------------------------------------------
    def on_player_appeared(self, player: PlayerName, backend: str) -> None:
        """A usable player appeared: steer it (or the active one)."""
        active = self.manager.active() or player
        if str(active) == self.name:
            return
        self.name = str(active)
        current = self.manager.player()
        self.playing = bool(current and current.playing)
        log.info("steering %s (queue through %s)", self.name, backend)
        self._emit("appeared")

    def on_player_vanished(self, player: PlayerName) -> None:
        """A player quit: follow another one, or wait."""
        if str(player) != self.name:
            return
        gone = self.name
        active = self.manager.active()
        self.name = str(active) if active else ""
        self.playing, self.playing_path = False, ""
        if self.on_event is not None:
            self.on_event(PlayerEvent("vanished", gone))
        if self.name:
            self._emit("appeared")

    def on_feedback(self, event: FeedbackEvent) -> None:
        """A track started, was played through, skipped, or paused."""
        if str(event.player) != self.name:
            return
        path = event.track.path or event.track.describe()
        if event.kind == "started":
            self.playing, self.playing_path = True, path
        elif event.kind == "paused":
            self.playing = False
        self._emit(event.kind, path, event.position_s)

    # -- actions -------------------------------------------------------------------------
    def enqueue(self, paths: Sequence[str], done: Enqueued) -> None:
        """Queue ``paths`` (in order) after what plays; ``done`` hears once what came of it."""
        answered = False

        def result(outcome: EnqueueResult) -> None:
            nonlocal answered
            if answered or outcome.status == "waiting":
                return  # waiting: the manager keeps the request and answers later
            answered = True
            if outcome.status in ("queued", "deferred"):
                done(list(paths), "")
            else:
                done([], outcome.message or "the player refused the tracks")

        self.manager.enqueue(list(paths), player=self.name or None, done=result)

    def play(self) -> None:
        """Start playback (used once, with ``run --play``, on an idle player)."""
        player = self.manager.player()
        if player is not None:
            player.play()

    def close(self) -> None:
        """Stop following players."""
        if self._receiver is not None:
            self._receiver.remove()
            self._receiver = None
        if self._check:
            GLib.source_remove(self._check)
            self._check = 0
        self.manager.stop()
