"""A private D-Bus session bus, and the test side's ways of using it.

``PrivateBus`` runs its own ``dbus-daemon --session``; nothing on the user's session bus
sees what happens on it. ``Control`` presses a player's MPRIS buttons as a user would;
``spin`` runs the GLib main loop until something happened.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import dbus
import dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

from moodplayer.player.identity import MPRIS_PREFIX
from moodplayer.player.mpris import INTERFACE, PATH, PROPERTIES
from moodplayer.testing.processes import STARTUP_S, require


class PrivateBus:
    """A private ``dbus-daemon --session``, started by ``start`` or a ``with`` block.

    With ``socket``, the bus listens on that path and keeps its address across a restart
    (``stop`` then ``start``); without, the daemon picks an address under its default
    (an abstract socket), readable from ``address`` once started.
    """

    def __init__(self, socket: Path | None = None) -> None:
        self.socket = socket
        self.address = f"unix:path={socket}" if socket is not None else ""
        self.pid = 0

    def start(self) -> PrivateBus:
        """Start the daemon; returns once it accepts connections."""
        command = [require("dbus-daemon"), "--session", "--fork", "--print-address=1",
                   "--print-pid=1"]
        if self.socket is not None:
            command.append(f"--address={self.address}")
        out = subprocess.run(command, capture_output=True, text=True, check=True,
                             timeout=STARTUP_S)
        address, pid = out.stdout.split()[:2]
        self.address, self.pid = self.address or address, int(pid)
        return self

    def stop(self) -> None:
        """Stop the daemon (SIGTERM); a no-op when it is not running."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            self.pid = 0

    def __enter__(self) -> PrivateBus:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def connect(self) -> dbus.bus.BusConnection:
        """A new connection to this bus with the GLib main loop (for signals)."""
        return dbus.bus.BusConnection(self.address, mainloop=DBusGMainLoop())

    def has_name(self, name: str) -> bool:
        """Whether ``name`` is owned on this bus now (a blocking check)."""
        conn = dbus.bus.BusConnection(self.address)
        try:
            return bool(conn.name_has_owner(name))
        finally:
            conn.close()

    def wait_for(self, name: str, timeout_s: float = STARTUP_S) -> None:
        """Return once ``name`` is on the bus; raises ``TimeoutError`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not self.has_name(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not appear on the bus in {timeout_s} s")
            time.sleep(0.05)


class Control:
    """A blocking connection of its own to player ``name``, acting as the user presses
    buttons (``org.mpris.MediaPlayer2.NAME`` on ``bus``)."""

    def __init__(self, bus: PrivateBus, name: str) -> None:
        self.conn = dbus.bus.BusConnection(bus.address)
        self.name = name
        self.obj = self.conn.get_object(f"{MPRIS_PREFIX}{name}", PATH)

    def player(self, method: str, *args) -> object:
        """Call ``method`` of the MPRIS Player interface; returns its answer."""
        return self.obj.get_dbus_method(method, INTERFACE)(*args)

    def get(self, prop: str) -> object:
        """Read the MPRIS Player property ``prop``."""
        return self.obj.Get(INTERFACE, prop, dbus_interface=PROPERTIES)

    def url(self) -> str:
        """The ``xesam:url`` of what plays now ('' if nothing, or no answer)."""
        try:
            return str(self.get("Metadata").get("xesam:url", ""))
        except dbus.DBusException:
            return ""

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def spin(predicate: Callable[[], object], timeout_s: float = 10.0) -> object:
    """Run the default GLib main context until ``predicate()`` is truthy or ``timeout_s``
    passes; returns its last value."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        while context.pending():
            context.iteration(False)
        value = predicate()
        if value:
            return value
        context.iteration(False) or time.sleep(0.01)
