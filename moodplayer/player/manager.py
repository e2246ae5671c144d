"""Following every MPRIS player on the session bus, and queueing into the right one.

Discovery works like playerctl: ``ListNames`` once, then ``NameOwnerChanged``. Players
are keyed by their unique connection name, so a second well-known name of the same
connection (mpv's plugin loaded twice) is an alias, and a restarted player is a new one.
Everything runs on the default GLib main context through asynchronous calls.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import dbus
import dbus.bus
from dbus.mainloop.glib import DBusGMainLoop

from moodplayer.exceptions import PlayerError
from moodplayer.player import _glib
from moodplayer.player.backends import Backend, BackendSettings, Capabilities, choose_backend
from moodplayer.player.backends.deferred import DeferredBackend
from moodplayer.player.events import (
    EnqueueResult,
    FeedbackEvent,
    QueueItem,
    Removed,
    TrackRef,
    Upcoming,
)
from moodplayer.player.identity import PlayerName, rank
from moodplayer.player.listener import ListenerEvent, PlayerListener
from moodplayer.player.mpris import DEFAULT_TIMEOUT_S, INTERFACE, PATH, PROPERTIES, Player
from moodplayer.tracks import local_path

log = logging.getLogger(__name__)

DBUS_NAME, DBUS_PATH, DBUS_INTERFACE = ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus")
#: Seconds between attempts to reach a session bus that went away.
RECONNECT_S = 2.0


@dataclass(slots=True)
class _Managed:
    player: Player
    backend: Backend | None = None
    status: str = ""  # the PlaybackStatus last reported to listeners


def session_address() -> str | None:
    """The session bus address: ``DBUS_SESSION_BUS_ADDRESS``, else the systemd user bus
    socket ``$XDG_RUNTIME_DIR/bus`` if it exists; None if neither."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    socket = Path(runtime, "bus") if runtime else None
    return f"unix:path={socket}" if socket is not None and socket.exists() else None


@dataclass(slots=True)
class _Intent:
    items: tuple[QueueItem, ...]
    player: str | None
    done: Callable[[EnqueueResult], None] | None
    tried: set[str] = field(default_factory=set)
    after: QueueItem | None = None
    refused: tuple[tuple[str, str], ...] = ()


def _unreadable(item: QueueItem) -> str | None:
    """Why a local file cannot be queued (missing, unreadable); None if fine or not local."""
    path = item.path if isinstance(item, TrackRef) else local_path(item)
    if path is None:
        return None
    if not Path(path).is_file():
        return "no such file"
    return None if os.access(path, os.R_OK) else "not readable"


def _label(item: QueueItem) -> str:
    """How ``item`` is named in log lines and results."""
    return item.describe() if isinstance(item, TrackRef) else os.fspath(item)


class PlayerManager:
    """Follows MPRIS players, picks the active one, queues tracks, reports feedback.

    ``priority`` is an ordered list of player names (``%any`` matches all; empty means
    any player), ``ignore`` names players never used. Call ``start()`` once; run a
    ``GLib.MainLoop`` (yours) on the default context.
    """

    def __init__(self, bus: dbus.bus.BusConnection | None = None,
                 priority: Sequence[str] = (), ignore: Sequence[str] = (),
                 settings: BackendSettings | None = None,
                 timeout_s: float = DEFAULT_TIMEOUT_S,
                 address: str | None = None) -> None:
        self.priority, self.ignore = tuple(priority), tuple(ignore)
        self.settings = settings or BackendSettings(timeout_s=timeout_s)
        self.timeout_s = timeout_s
        self._address = address
        self._bus = bus
        self._own_bus = bus is None
        self._listeners: list[PlayerListener] = []
        self._owners: dict[str, str] = {}          # every well-known name -> unique owner
        self._managed: dict[str, _Managed] = {}    # unique owner -> player
        self._waiting: list[_Intent] = []
        self._receivers: list = []
        self._reconnect: object = None
        self._started = False

    # -- public API -----------------------------------------------------------------------
    def add_listener(self, listener: PlayerListener) -> None:
        """Report appeared/vanished players, feedback and enqueue results to ``listener``."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Connect (if no bus was given) and begin following players."""
        self._started = True
        if self._bus is None:
            self._bus = self._connect()
            if self._bus is None:
                self._schedule_reconnect()
                return
        self._subscribe()

    def stop(self) -> None:
        """Stop following players; held and waiting tracks are dropped."""
        self._started = False
        _glib.cancel(self._reconnect)
        for receiver in self._receivers:
            receiver.remove()
        self._receivers.clear()
        for managed in self._managed.values():
            self._close(managed)
        self._managed.clear()
        self._waiting.clear()
        if self._own_bus and self._bus is not None:
            self._bus.close()
            self._bus = None

    def players(self) -> list[tuple[PlayerName, str | None, bool]]:
        """Every followed player: (name, backend name or None until ready, is it managed)."""
        return [(m.player.name, m.backend.NAME if m.backend else None,
                 rank(m.player.name, self.priority, self.ignore) is not None)
                for m in self._managed.values()]

    def active(self) -> PlayerName | None:
        """The player tracks go to: one playing, else the most recently active one
        (the priority list decides between equals); None if no usable player runs."""
        managed = self._ready()
        playing = [m for m in managed if m.player.playing and m.player.tracker.track]
        pool = playing or managed
        if not pool:
            return None
        best = min(pool, key=lambda m: (rank(m.player.name, self.priority, self.ignore),
                                        -m.player.last_active))
        return best.player.name

    def player(self, name: PlayerName | str | None = None) -> Player | None:
        """The ``Player`` for ``name`` (a pattern like ``vlc``), or the active one."""
        managed = self._find(name)
        return managed.player if managed else None

    def queue_length(self, player: PlayerName | str | None = None) -> int | None:
        """Tracks waiting after the current one in ``player`` (or the active one), if known."""
        managed = self._find(player)
        return managed.backend.queue_length() if managed and managed.backend else None

    def play(self, player: PlayerName | str | None = None, uri: str | None = None) -> bool:
        """Ask ``player`` (or the active one) to start playing, from ``uri`` (a track just
        queued) where the player is idle; False if there is none."""
        managed = self._find(player)
        if managed is None:
            return False
        if uri and managed.backend is not None:
            managed.backend.play(uri)
        else:
            managed.player.play()
        return True

    def waiting(self) -> int:
        """How many enqueue requests wait for a player."""
        return len(self._waiting)

    def enqueue(self, items: Iterable[QueueItem], player: str | None = None,
                done: Callable[[EnqueueResult], None] | None = None,
                after: QueueItem | None = None) -> None:
        """Queue ``items`` after the current track of ``player`` (a name pattern) or the
        active player, or after the upcoming entry ``after`` where the player allows.
        Asynchronous: ``done`` and the listeners get an ``EnqueueResult`` each time its
        state changes (``waiting`` first if no player can take it yet). Items that cannot
        be queued at all (a missing file) are named in the result's ``refused``; when none
        is left the result is ``failed``."""
        usable: list[QueueItem] = []
        refused: list[tuple[str, str]] = []
        for item in items:
            reason = _unreadable(item)
            if reason:
                log.warning("cannot queue %s: %s", _label(item), reason)
                refused.append((_label(item), reason))
            else:
                usable.append(item)
        intent = _Intent(tuple(usable), player, done, after=after, refused=tuple(refused))
        if usable:
            self._attempt(intent)
        else:
            self._report(intent, EnqueueResult(
                "failed", (), message="; ".join(f"{n}: {r}" for n, r in refused)))

    def can_remove(self, player: PlayerName | str | None = None) -> bool:
        """Whether ``remove`` can take upcoming tracks out of ``player`` (or the active one)."""
        managed = self._find(player)
        return bool(managed and managed.backend and managed.backend.CAN_REMOVE)

    def remove(self, items: Iterable[QueueItem], player: PlayerName | str | None = None,
               done: Removed | None = None) -> None:
        """Take one upcoming (not playing) entry of each item out of ``player``'s queue (or
        the active player's); ``done(removed URIs, message)`` once, on the main loop."""
        items = list(items)
        managed = self._find(player)
        if managed is None or managed.backend is None:
            if done:
                done((), "no player")
            return
        backend = managed.backend
        uris = [u for u in (backend.uri_for(i) for i in items) if u is not None]

        def finished(removed: tuple[str, ...], message: str) -> None:
            if message:
                log.warning("could not take %d track(s) out of %s's queue: %s", len(uris),
                            managed.player.name, message)
            elif removed:
                log.info("took %d track(s) out of %s's queue", len(removed),
                         managed.player.name)
            if done:
                done(removed, message)

        backend.remove(uris, finished)

    def upcoming(self, done: Upcoming, player: PlayerName | str | None = None) -> None:
        """``done`` once, on the main loop, with the entries waiting after the playing one
        in ``player`` (or the active one), as it spells them; None where that cannot be
        read (no such player, or its queue interface cannot list entries)."""
        managed = self._find(player)
        if managed is None or managed.backend is None:
            done(None)
            return
        managed.backend.upcoming(done)

    # -- enqueueing -----------------------------------------------------------------------
    def _ready(self) -> list[_Managed]:
        return [m for m in self._managed.values() if m.backend is not None
                and rank(m.player.name, self.priority, self.ignore) is not None]

    def _find(self, name: PlayerName | str | None) -> _Managed | None:
        if name is None:
            name = self.active()
            if name is None:
                return None
        pattern = name.instance if isinstance(name, PlayerName) else name
        for managed in self._managed.values():
            if managed.backend is not None and managed.player.name.matches(pattern) \
                    and rank(managed.player.name, (), self.ignore) is not None:
                return managed
        return None

    def _candidates(self, intent: _Intent) -> list[_Managed]:
        ready = [m for m in self._ready() if m.player.owner not in intent.tried]
        if intent.player is not None:
            ready = [m for m in self._managed.values() if m.backend is not None
                     and m.player.owner not in intent.tried
                     and m.player.name.matches(intent.player)
                     and rank(m.player.name, (), self.ignore) is not None]
        active = self.active()
        return sorted(ready, key=lambda m: (m.player.name != active,
                                            rank(m.player.name, self.priority, self.ignore)
                                            or 0, -m.player.last_active))

    def _attempt(self, intent: _Intent) -> None:
        candidates = self._candidates(intent)
        if not candidates:
            self._waiting.append(intent)
            log.info("no player to queue %d track(s) in%s; waiting for one", len(intent.items),
                     f" (wanted: {intent.player})" if intent.player else "")
            self._report(intent, EnqueueResult("waiting", tuple(map(_label, intent.items))))
            return
        managed = candidates[0]
        backend = managed.backend
        assert backend is not None
        intent.tried.add(managed.player.owner)
        uris = [backend.uri_for(item) for item in intent.items]
        after = backend.uri_for(intent.after) if intent.after is not None else None
        if None in uris:
            log.warning("%s cannot play %d of the tracks (%s needs other identifiers); "
                        "trying another player", managed.player.name, uris.count(None),
                        backend.NAME)
            self._attempt(intent)
            return

        def finished(result: EnqueueResult) -> None:
            if result.status == "failed":
                log.warning("could not queue %d track(s) in %s (%s): %s; trying another "
                            "player", len(uris), managed.player.name, backend.NAME,
                            result.message)
                self._attempt(intent)
            else:
                log.info("queued %d track(s) in %s (%s)", len(uris), managed.player.name,
                         backend.NAME)
                self._report(intent, result)

        backend.enqueue(uris, finished, after)

    def _requeue(self, uri: str, refused_by: str) -> None:
        """A held track a player could not open: try the other players, or wait."""
        intent = _Intent((uri,), None, None)
        intent.tried.add(refused_by)
        self._attempt(intent)

    def _retry_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for intent in waiting:
            intent.tried.clear()
            self._attempt(intent)

    def _report(self, intent: _Intent, result: EnqueueResult) -> None:
        if intent.refused:
            result = replace(result, refused=intent.refused)
        if intent.done is not None:
            try:
                intent.done(result)
            except Exception:
                log.exception("enqueue callback failed")
        self._emit("enqueue_result", result)

    def _emit(self, event: ListenerEvent, *args: object) -> None:
        for listener in list(self._listeners):
            listener.dispatch(event, *args)

    # -- discovery ------------------------------------------------------------------------
    def _connect(self) -> dbus.bus.BusConnection | None:
        address = self._address or session_address()
        if not address:
            raise PlayerError("no session bus: DBUS_SESSION_BUS_ADDRESS is not set")
        try:
            return dbus.bus.BusConnection(address, mainloop=DBusGMainLoop())
        except dbus.DBusException as exc:
            log.debug("session bus not reachable: %s", exc)
            return None

    def _subscribe(self) -> None:
        bus = self._bus
        assert bus is not None
        bus.call_on_disconnection(self._bus_gone)
        self._receivers = [
            bus.add_signal_receiver(self._name_owner_changed, "NameOwnerChanged",
                                    DBUS_INTERFACE, DBUS_NAME, DBUS_PATH),
            bus.add_signal_receiver(self._properties_changed, "PropertiesChanged", PROPERTIES,
                                    path=PATH, sender_keyword="sender"),
            bus.add_signal_receiver(self._seeked, "Seeked", INTERFACE, path=PATH,
                                    sender_keyword="sender"),
        ]
        bus.call_async(DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "ListNames", "", (),
                       self._got_names, self._bus_error("ListNames"),
                       timeout=self.timeout_s)

    def _bus_error(self, what: str) -> Callable[[Exception], None]:
        return lambda exc: log.warning("session bus did not answer %s: %s", what, exc)

    def _got_names(self, names: Sequence[str]) -> None:
        for name in names:
            name = str(name)
            if name.startswith(":"):
                continue
            try:
                self._bus.call_async(
                    DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "GetNameOwner", "s", (name,),
                    lambda owner, name=name: self._appeared(name, str(owner)),
                    lambda exc: None, timeout=self.timeout_s)
            except dbus.exceptions.DBusException as exc:
                # The bus went away since it listed the names; it is listed again when
                # it is back.
                log.debug("not asking who owns %s: %s", name, exc)
                return

    def _name_owner_changed(self, name: str, old: str, new: str) -> None:
        name, old, new = str(name), str(old), str(new)
        if name.startswith(":"):
            return
        if old:
            self._vanished(name, old)
        if new:
            self._appeared(name, new)

    def _appeared(self, name: str, owner: str) -> None:
        if self._owners.get(name) == owner:
            return
        self._owners[name] = owner
        managed = self._managed.get(owner)
        if managed is not None:
            if managed.backend is None:
                return  # capabilities are decided when the player answers
            if PlayerName.from_bus_name(name) is None:
                self._choose_backend(managed)  # a new companion name (rare)
            else:
                log.debug("%s is another name of %s; ignoring it", name, managed.player.name)
            return
        ident = PlayerName.from_bus_name(name)
        if ident is None:
            return
        player = Player(self._bus, ident, owner, self._feedback, self._changed, self.timeout_s)
        self._managed[owner] = _Managed(player)
        player.load()

    def _vanished(self, name: str, owner: str) -> None:
        if self._owners.get(name) == owner:
            del self._owners[name]
        managed = self._managed.get(owner)
        if managed is None or managed.player.name.bus_name != name:
            return
        del self._managed[owner]
        managed.player.gone = True
        self._close(managed)
        if managed.backend is not None:
            log.info("player %s went away", managed.player.name)
            self._emit("player_vanished", managed.player.name)

    def _close(self, managed: _Managed) -> None:
        backend = managed.backend
        if backend is None:
            return
        backend.close()
        held = backend.take_held() if isinstance(backend, DeferredBackend) else []
        if held and self._started:
            log.warning("%s went away with %d track(s) still to play; keeping them for the "
                        "next player", managed.player.name, len(held))
            self._waiting.append(_Intent(tuple(held), None, None))

    def _choose_backend(self, managed: _Managed) -> None:
        player = managed.player
        caps = Capabilities(player.name.name, player.interfaces,
                            frozenset(n for n, o in self._owners.items() if o == player.owner))
        backend_class = choose_backend(caps, self.settings)
        if managed.backend is not None and type(managed.backend) is backend_class:
            return
        if managed.backend is not None:
            managed.backend.close()
        managed.backend = backend_class(player, self.settings)
        if isinstance(managed.backend, DeferredBackend):
            managed.backend.on_lost = lambda uri: self._requeue(uri, player.owner)

    def _changed(self, player: Player) -> None:
        managed = self._managed.get(player.owner)
        if managed is None or managed.player is not player or not player.ready:
            return
        if managed.backend is None:
            self._choose_backend(managed)
            assert managed.backend is not None
            usable = rank(player.name, self.priority, self.ignore) is not None
            log.info("player %s appeared (queue: %s%s)", player.name, managed.backend.NAME,
                     "" if usable else "; ignored by configuration")
            managed.status = player.tracker.status
            if usable:
                self._emit("player_appeared", player.name, managed.backend.NAME)
                self._retry_waiting()
            return
        managed.backend.on_player_change()
        if player.tracker.status != managed.status:
            managed.status = player.tracker.status
            if rank(player.name, self.priority, self.ignore) is not None:
                self._emit("status", player.name, managed.status)

    def _feedback(self, event: FeedbackEvent) -> None:
        log.debug("%s: %s %s at %.1f s", event.player, event.kind, event.track.describe(),
                  event.position_s)
        self._emit("feedback", event)

    def _properties_changed(self, interface: str, changed: dict, _invalidated: list,
                            sender: str | None = None) -> None:
        managed = self._managed.get(str(sender))
        if managed is not None:
            managed.player.on_properties(str(interface), changed)

    def _seeked(self, position: int, sender: str | None = None) -> None:
        managed = self._managed.get(str(sender))
        if managed is not None:
            managed.player.on_seeked(position)

    # -- the bus going away ---------------------------------------------------------------
    def _bus_gone(self, _connection: object) -> None:
        if not self._started:
            return
        log.warning("the session bus went away; waiting for it to come back")
        for owner in list(self._managed):
            managed = self._managed.pop(owner)
            managed.player.gone = True
            self._close(managed)
            if managed.backend is not None:
                self._emit("player_vanished", managed.player.name)
        self._owners.clear()
        self._receivers.clear()
        self._bus = None
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        def attempt() -> None:
            self._reconnect = None
            if not self._started:
                return
            try:
                self._bus = self._connect()
            except PlayerError as exc:
                log.warning("%s", exc)
                return
            if self._bus is None:
                self._schedule_reconnect()
            else:
                log.info("the session bus is back")
                self._subscribe()

        self._reconnect = _glib.timeout(RECONNECT_S, attempt)
