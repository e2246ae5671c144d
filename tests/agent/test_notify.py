"""Desktop notifications when music is queued, against a real notification daemon.

This machine is headless: the real daemon is Debian's ``notification-daemon`` (the GNOME
fallback daemon) on a virtual X screen (Xvfb), on the test's private session bus. What
it was sent is read back with ``dbus-monitor`` on the same bus.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dbus
import pytest
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

from moodplayer.agent.notify import BUS_NAME, Notifier

DAEMON = Path("/usr/lib/notification-daemon/notification-daemon")


def _wait(condition, seconds: float = 10.0) -> bool:
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        context.iteration(False) or time.sleep(0.02)
    return condition()


@pytest.fixture
def bus(session_bus: str) -> dbus.Bus:
    DBusGMainLoop(set_as_default=True)
    return dbus.bus.BusConnection(session_bus)


@pytest.fixture
def notification_daemon(session_bus: str, bus: dbus.Bus) -> Iterator[None]:
    if not DAEMON.is_file():
        pytest.skip(f"{DAEMON} is absent (apt-get install notification-daemon)")
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    display = xvfb.stdout.readline().strip()
    env = dict(os.environ, DISPLAY=f":{display}", NO_AT_BRIDGE="1")
    daemon = subprocess.Popen([str(DAEMON)], env=env, stderr=subprocess.DEVNULL)
    assert _wait(lambda: bus.name_has_owner(BUS_NAME)), "notification-daemon did not start"
    yield
    for proc in (daemon, xvfb):
        proc.terminate()
        proc.wait(10)


def test_queued_music_is_announced_with_its_reason(bus, notification_daemon, session_bus):
    monitor = subprocess.Popen(
        ["dbus-monitor", "--address", session_bus,
         "interface='org.freedesktop.Notifications',member='Notify'"],
        stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # let the monitor attach before the call it must see
    notifier = Notifier(bus)
    notifier.show("moodplayer queued music for calm", "Linden Quiet – Slow Field: 72 BPM, "
                  "major, soft: a calm pace")
    assert _wait(lambda: notifier.shown == 1)
    first = notifier.last_id
    assert first > 0
    notifier.show("moodplayer queued music for sad", "Grey Harbour – Empty Rooms: slow")
    assert _wait(lambda: notifier.shown == 2)
    monitor.terminate()
    seen = monitor.communicate(timeout=10)[0]
    calls = seen.split("member=Notify")[1:]
    assert len(calls) == 2
    assert 'string "Linden Quiet – Slow Field: 72 BPM, major, soft: a calm pace"' in calls[0]
    # The second notification replaces the first instead of piling up.
    assert f"uint32 {first}" in calls[1]


def test_silent_without_a_daemon_and_when_switched_off(bus):
    notifier = Notifier(bus)
    notifier.show("moodplayer queued music", "nobody is listening")
    off = Notifier(bus, enabled=False)
    off.show("moodplayer queued music", "switched off")
    _wait(lambda: False, 0.3)
    assert (notifier.shown, off.shown) == (0, 0)
