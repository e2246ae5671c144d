"""One MPRIS player on the bus: its properties, its signals, and asynchronous calls.

Every call is asynchronous with a timeout; replies and errors come back through
callbacks on the main loop, so a player that hangs never blocks it.
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

import dbus

from moodplayer.player import _glib
from moodplayer.player.events import FeedbackEvent, TrackRef
from moodplayer.player.identity import PlayerName
from moodplayer.player.metadata import parse_metadata
from moodplayer.player.tracking import PlaybackTracker

log = logging.getLogger(__name__)

PATH = "/org/mpris/MediaPlayer2"
ROOT_INTERFACE = "org.mpris.MediaPlayer2"
INTERFACE = "org.mpris.MediaPlayer2.Player"
TRACKLIST_INTERFACE = "org.mpris.MediaPlayer2.TrackList"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"

#: Seconds any call to a player may take before it counts as not answering.
DEFAULT_TIMEOUT_S = 2.0
#: A player showing a new track as Stopped has its Position read this often, this many
#: times, to see whether it plays after all.
CONFIRM_S, CONFIRM_TRIES = 0.5, 10

Reply = Callable[..., None]
Failure = Callable[[str], None]


def _unwrap(value: Any) -> Any:
    """dbus-python values to plain Python ones (keeps str/int/float/bool/list/dict)."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath)):
        return str(value)
    if isinstance(value, (dbus.Double,)):
        return float(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                          dbus.UInt32, dbus.UInt64)):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _unwrap(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unwrap(v) for v in value]
    return value


class Player:
    """A player reached through its unique bus name; feeds a ``PlaybackTracker``.

    ``interfaces`` (from introspection) and ``properties`` are filled once the player
    answered (``ready``); a player that does not answer is still usable with defaults.
    """

    def __init__(self, bus: dbus.bus.BusConnection, name: PlayerName, owner: str,
                 on_feedback: Callable[[FeedbackEvent], None],
                 on_change: Callable[[Player], None],
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.bus, self.name, self.owner, self.timeout_s = bus, name, owner, timeout_s
        self._on_change = on_change
        self.tracker = PlaybackTracker(str(name), on_feedback)
        self.interfaces: frozenset[str] = frozenset()
        self.properties: dict[str, Any] = {}
        self.last_active = 0.0
        self.ready = False
        self.gone = False
        self._object = bus.get_object(owner, PATH, introspect=False,
                                      follow_name_owner_changes=False)

    # -- calls ----------------------------------------------------------------------------
    def call(self, interface: str, method: str, args: Sequence[Any] = (),
             reply: Reply | None = None, error: Failure | None = None,
             signature: str | None = None) -> None:
        """Call ``interface.method(*args)`` on the MPRIS object (see ``call_on``)."""
        self.call_on(self.owner, PATH, interface, method, args, reply, error, signature)

    def call_on(self, bus_name: str, object_path: str, interface: str, method: str,
                args: Sequence[Any] = (), reply: Reply | None = None,
                error: Failure | None = None, signature: str | None = None) -> None:
        """Call a method asynchronously with this player's timeout, on any name it owns
        (e.g. ``org.gnome.Rhythmbox3``); errors and timeouts go to ``error(message)``."""
        def on_error(exc: dbus.DBusException) -> None:
            message = exc.get_dbus_message() or exc.get_dbus_name() or str(exc)
            if exc.get_dbus_name() == "org.freedesktop.DBus.Error.NoReply":
                message = f"no answer within {self.timeout_s:g} s"
            if error:
                error(message)
            else:
                log.debug("%s: %s.%s failed: %s", self.name, interface, method, message)

        try:
            obj = (self._object if (bus_name, object_path) == (self.owner, PATH) else
                   self.bus.get_object(bus_name, object_path, introspect=False,
                                       follow_name_owner_changes=False))
            obj.get_dbus_method(method, interface)(
                *args, signature=signature,
                reply_handler=lambda *values: reply and reply(*[_unwrap(v) for v in values]),
                error_handler=on_error, timeout=self.timeout_s)
        except dbus.DBusException as exc:
            on_error(exc)
        except (TypeError, ValueError, OverflowError) as exc:  # arguments that do not fit
            if error:
                error(f"bad arguments for {method}: {exc}")
            else:
                log.warning("%s: bad arguments for %s: %s", self.name, method, exc)

    def open_uri(self, uri: str, reply: Reply | None = None, error: Failure | None = None) -> None:
        """MPRIS ``OpenUri``: most players replace what plays with it."""
        self.call(INTERFACE, "OpenUri", (uri,), reply, error, signature="s")

    def play(self) -> None:
        """MPRIS ``Play``."""
        self.call(INTERFACE, "Play")

    def next(self, by_agent: bool = True) -> None:
        """MPRIS ``Next``; with ``by_agent`` the boundary is not reported as a skip."""
        if by_agent:
            self.tracker.expect_boundary()
        self.call(INTERFACE, "Next")

    # -- state ----------------------------------------------------------------------------
    def load(self) -> None:
        """Fetch properties and interfaces; sets ``ready`` when both answered (or failed)."""
        pending = {"props", "introspect"}

        def done(part: str) -> None:
            pending.discard(part)
            if not pending and not self.gone:
                self.ready = True
                self._on_change(self)

        def got_props(props: dict[str, Any]) -> None:
            self.properties.update(props)
            self._apply(props)
            done("props")

        def got_xml(xml: str) -> None:
            try:
                root = ET.fromstring(xml)
                self.interfaces = frozenset(i.get("name", "") for i in root.iter("interface"))
            except ET.ParseError:
                log.warning("%s: unreadable introspection data; assuming plain MPRIS", self.name)
            done("introspect")

        def failed(part: str) -> Failure:
            def report(message: str) -> None:
                log.warning("%s: could not read its %s (%s); using defaults", self.name,
                            "properties" if part == "props" else "interfaces", message)
                done(part)
            return report

        self.call(PROPERTIES, "GetAll", (INTERFACE,), got_props, failed("props"))
        self.call(INTROSPECTABLE, "Introspect", (), got_xml, failed("introspect"))

    def on_properties(self, interface: str, changed: dict[str, Any]) -> None:
        """A PropertiesChanged signal from this player."""
        if interface != INTERFACE:
            return
        changed = _unwrap(changed)
        self.properties.update(changed)
        self.last_active = time.monotonic()
        self._apply(changed)
        if "Metadata" in changed and "PlaybackStatus" not in changed:
            self._read_status(CONFIRM_TRIES)
        self._on_change(self)

    def _read_status(self, tries: int) -> None:
        """Fetch PlaybackStatus. A player that shows a track but says Stopped is watched
        by its Position for a few seconds: mpv-mpris says Stopped all along for a track
        started from idle, and signals nothing when it plays."""
        def got(status: Any) -> None:
            if self.gone:
                return
            self._apply({"PlaybackStatus": status})
            self._on_change(self)
            if self.tracker.track is not None and self.tracker.status == "Stopped":
                self._probe(tries, None)

        self.call(PROPERTIES, "Get", (INTERFACE, "PlaybackStatus"), got)

    def _probe(self, tries: int, before: float | None) -> None:
        """Read Position; if it moved on since ``before``, the player is playing."""
        key = self.tracker.key

        def got(position: Any) -> None:
            if self.gone or self.tracker.key != key or self.tracker.status != "Stopped":
                return
            try:
                now = float(position) / 1e6
            except (TypeError, ValueError):
                return
            if before is not None and now > before:
                log.debug("%s says Stopped but its position moves: playing", self.name)
                self._apply({"PlaybackStatus": "Playing"})
                self._on_change(self)
            elif tries > 1:
                _glib.timeout(CONFIRM_S, lambda: self._probe(tries - 1, now))

        self.call(PROPERTIES, "Get", (INTERFACE, "Position"), got)

    def on_seeked(self, position_us: Any) -> None:
        """A Seeked signal: only a position resync, never a boundary."""
        try:
            self.tracker.on_seeked(float(position_us) / 1e6)
        except (TypeError, ValueError):
            return
        self.last_active = time.monotonic()
        self._on_change(self)

    def _apply(self, props: dict[str, Any]) -> None:
        track = (parse_metadata(props["Metadata"]) or (None, None)) if "Metadata" in props \
            else None
        status = props.get("PlaybackStatus")
        status = status if isinstance(status, str) else None
        before = self.tracker.status
        self.tracker.on_change(track, status)
        if status == "Playing" and before != "Playing":
            self.last_active = time.monotonic()
            self._resync_position()
        if "Rate" in props:
            try:
                self.tracker.set_rate(float(props["Rate"]))
            except (TypeError, ValueError):
                log.debug("%s: ignoring a Rate of %r", self.name, props["Rate"])
        if "Position" in props:
            self._set_position(props["Position"])

    def _resync_position(self) -> None:
        key = self.tracker.key
        self.call(PROPERTIES, "Get", (INTERFACE, "Position"),
                  lambda pos: self.tracker.key == key and self._set_position(pos))

    def _set_position(self, value: Any) -> None:
        try:
            self.tracker.sync_position(float(value) / 1e6)
        except (TypeError, ValueError):
            log.debug("%s: ignoring a Position of type %s", self.name, type(value).__name__)
        self._on_change(self)

    @property
    def playing(self) -> bool:
        """True while the player reports Playing."""
        return self.tracker.playing

    @property
    def track(self) -> TrackRef | None:
        """What the player has loaded now (read when it appeared, then from its signals)."""
        return self.tracker.track

    def __repr__(self) -> str:
        return f"Player({self.name.bus_name!r}, owner={self.owner!r})"
