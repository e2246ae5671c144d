"""The agent's hands and ears on the player: the one place that talks to moodplayer.player.

It listens to the player part's ``PlayerManager`` (track changes, feedback, playback
status, players coming and going) and turns what it reports into ``PlayerEvent``s for the
agent, and offers the few actions the agent needs (enqueue, remove, play). The manager
owns its own connection to the session bus and comes back with it when the bus restarts.
While no player runs, enqueueing is not attempted and the agent waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from gi.repository import GLib

from moodplayer.agent.config import AgentConfig
from moodplayer.player import (
    BackendSettings,
    EnqueueResult,
    FeedbackEvent,
    PlaybackStatus,
    PlayerListener,
    PlayerManager,
    PlayerName,
    TrackRef,
    to_uri,
)
from moodplayer.tracks import track_id

log = logging.getLogger(__name__)

EventKind = Literal["appeared", "vanished", "started", "played", "skipped", "paused",
                    "playing", "stopped"]
#: Called once per enqueue request: the paths the player accepted, the paths that can
#: never be queued with the reason, as (path, reason), and why the player took none
#: (empty when it took them).
Enqueued = Callable[[Sequence[str], Sequence[tuple[str, str]], str], None]
#: Called once per removal request: the paths taken out of the player's queue, and the
#: error that stopped it (empty if none: what was not taken out was no longer waiting).
TakenOut = Callable[[Sequence[str], str], None]
#: Called once per ``upcoming`` request: the tracks waiting after the playing one, in
#: order, as ``track_id``s; None where the player's queue cannot be read.
Waiting = Callable[[list[str] | None], None]
#: Seconds a player that appears without a track is given to report the one it may be
#: loading (mpv, VLC and Rhythmbox are on the bus before their first file is open): it is
#: announced then, so the agent never queues the very track the user just started.
FIRST_TRACK_S = 2.0
_STATUS_EVENT: dict[PlaybackStatus, EventKind] = {
    "Playing": "playing", "Paused": "paused", "Stopped": "stopped"}


@dataclass(frozen=True, slots=True)
class PlayerEvent:
    """Something the player did, as the agent cares about it (``path``: the track; for
    ``appeared``, what the player has loaded already, if anything)."""

    kind: EventKind
    player: str
    path: str = ""  # a track_id
    position_s: float | None = None
    length_s: float | None = None  #: the track's length, where the player said it


def _path(track: TrackRef) -> str:
    """The track's identity (``track_id``): its real local path, else its URL or tags."""
    return track.path or track.url or track.describe()


class Hands(PlayerListener):
    """Follows the preferred player; enqueues into it; reports what it does."""

    def __init__(self, config: AgentConfig, address: str | None = None) -> None:
        self.config = config
        settings = BackendSettings(mpv_socket=config.mpv_socket, mpd_host=config.mpd_host,
                                   mpd_port=config.mpd_port)
        self.manager = PlayerManager(priority=config.players, ignore=config.ignore_players,
                                     settings=settings, address=address)
        self.manager.add_listener(self)
        self.on_event: Callable[[PlayerEvent], None] | None = None
        self.name = ""
        self.playing = False
        self.playing_path = ""
        self._loading = ""  # a player given FIRST_TRACK_S to show a track
        self._loading_timer = 0

    @property
    def available(self) -> bool:
        """True while a usable player is there to steer."""
        return bool(self.name)

    @property
    def can_remove(self) -> bool:
        """True if the steered player lets tracks be taken out of its queue."""
        return bool(self.name) and self.manager.can_remove(self.name)

    def start(self, on_event: Callable[[PlayerEvent], None]) -> None:
        """Begin following players on the bus, reporting to ``on_event``."""
        self.on_event = on_event
        self.manager.start()
        log.info("waiting for an MPRIS player")

    def _emit(self, kind: EventKind, path: str = "", position_s: float | None = None,
              length_s: float | None = None) -> None:
        if self.on_event is not None:
            self.on_event(PlayerEvent(kind, self.name, path, position_s, length_s))

    def _steer(self, player: PlayerName | str | None, *, loaded: bool = False) -> None:
        """Follow ``player`` (None: none left), reading what it plays right now; one that
        shows no track yet is announced once it does, or after ``FIRST_TRACK_S``
        (``loaded``: that time is over)."""
        self._stop_waiting()
        name = str(player) if player else ""
        current = self.manager.player(name) if name else None
        track = current.track if current is not None else None
        if name and track is None and not loaded:
            self.name, self.playing, self.playing_path = "", False, ""
            self._loading = name
            self._loading_timer = GLib.timeout_add(int(FIRST_TRACK_S * 1000),
                                                   self._loading_over, name)
            return
        self.name = name
        self.playing = bool(current and current.playing)
        self.playing_path = _path(track) if track is not None else ""
        if self.name:
            self._emit("appeared", self.playing_path)

    def _loading_over(self, name: str) -> bool:
        self._loading_timer = 0
        self._steer(name, loaded=True)
        return False

    def _stop_waiting(self) -> None:
        if self._loading_timer:
            GLib.source_remove(self._loading_timer)
        self._loading, self._loading_timer = "", 0

    # -- PlayerListener ----------------------------------------------------------------
    def on_player_appeared(self, player: PlayerName, backend: str) -> None:
        """A usable player appeared: steer it (or the active one)."""
        active = self.manager.active() or player
        if str(active) in (self.name, self._loading):
            return
        log.info("steering %s (queue through %s)", active, backend)
        self._steer(active)

    def on_player_vanished(self, player: PlayerName) -> None:
        """A player quit: follow another one, or wait."""
        if str(player) == self._loading:
            self._steer(self.manager.active())
            return
        if str(player) != self.name:
            return
        gone = self.name
        self.name, self.playing, self.playing_path = "", False, ""
        if self.on_event is not None:
            self.on_event(PlayerEvent("vanished", gone))
        self._steer(self.manager.active())

    def on_status(self, player: PlayerName, status: PlaybackStatus) -> None:
        """Play, pause or stop without a track change."""
        if str(player) != self.name or (status == "Playing") == self.playing:
            return
        self.playing = status == "Playing"
        self._emit(_STATUS_EVENT[status], self.playing_path)

    def on_feedback(self, event: FeedbackEvent) -> None:
        """A track started, was played through or skipped."""
        if event.kind == "started" and str(event.player) == self._loading:
            self._steer(self._loading, loaded=True)  # announced with its first track
            return
        if str(event.player) != self.name or event.kind == "paused":
            return  # pausing comes as a status change
        path = _path(event.track)
        if event.kind == "started":
            self.playing_path = path
        self._emit(event.kind, path, event.position_s, event.length_s)

    # -- actions -------------------------------------------------------------------------
    def enqueue(self, paths: Sequence[str], done: Enqueued, after: str | None = None) -> None:
        """Queue ``paths`` (in order) after ``after`` (one of the agent's upcoming tracks)
        or after what plays; ``done`` hears once what came of it."""
        answered = False

        def result(outcome: EnqueueResult) -> None:
            nonlocal answered
            if answered or outcome.status == "waiting":
                return  # waiting: the manager keeps the request and answers later
            answered = True
            refused = list(outcome.refused)
            if outcome.status in ("queued", "deferred"):
                gone = {path for path, _ in refused}
                done([p for p in paths if p not in gone], refused, "")
            elif refused and len(refused) == len(paths):
                done([], refused, "")
            else:
                done([], refused, outcome.message or "the player refused the tracks")

        self.manager.enqueue(list(paths), player=self.name or None, done=result, after=after)

    def remove(self, paths: Sequence[str], done: TakenOut) -> None:
        """Take these upcoming tracks out of the player's queue (never what plays)."""
        wanted = {to_uri(p): p for p in paths}
        self.manager.remove(list(paths), player=self.name or None,
                            done=lambda removed, why: done(
                                [wanted[u] for u in removed if u in wanted], why))

    def upcoming(self, done: Waiting) -> None:
        """What waits after the playing track in the player's queue, as track ids."""
        self.manager.upcoming(lambda entries: done(
            None if entries is None else [track_id(e) for e in entries]), self.name or None)

    def play(self, path: str) -> None:
        """Start playback, from ``path`` (just queued) where the player is idle (used once,
        with ``run --play``)."""
        self.manager.play(self.name or None, to_uri(path))

    def skip(self) -> None:
        """Move the player to its next track, as the user's own skip (it is learnt)."""
        player = self.manager.player(self.name or None)
        if player is not None:
            player.next(by_agent=False)

    def close(self) -> None:
        """Stop following players."""
        self._stop_waiting()
        self.manager.stop()
