"""Desktop notifications when music is queued, against a real notification daemon.

This machine is headless: the real daemon is Debian's ``notification-daemon`` (the GNOME
fallback daemon) on a virtual X screen (Xvfb), on the test's private session bus. What
it was sent is read back with ``dbus-monitor`` on the same bus.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import dbus
import pytest
from dbus.mainloop.glib import DBusGMainLoop

from moodplayer.agent.notify import BUS_NAME, Notifier
from moodplayer.testing import Processes, spin, start_xvfb

DAEMON = Path("/usr/lib/notification-daemon/notification-daemon")


@pytest.fixture
def bus(session_bus: str) -> dbus.Bus:
    DBusGMainLoop(set_as_default=True)
    return dbus.bus.BusConnection(session_bus)


@pytest.fixture
def notification_daemon(bus: dbus.Bus, procs: Processes) -> None:
    if not DAEMON.is_file():
        pytest.skip(f"{DAEMON} is absent (apt-get install notification-daemon)")
    procs.start([str(DAEMON)], env=dict(os.environ, DISPLAY=start_xvfb(procs),
                                        NO_AT_BRIDGE="1"))
    assert spin(lambda: bus.name_has_owner(BUS_NAME)), "notification-daemon did not start"


def test_queued_music_is_announced_with_its_reason(bus, notification_daemon, session_bus):
    monitor = subprocess.Popen(
        ["dbus-monitor", "--address", session_bus,
         "interface='org.freedesktop.Notifications',member='Notify'"],
        stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # let the monitor attach before the call it must see
    notifier = Notifier(bus)
    notifier.show("moodplayer queued music for calm", "Linden Quiet – Slow Field: 72 BPM, "
                  "major, soft: a calm pace")
    assert spin(lambda: notifier.shown == 1)
    first = notifier.last_id
    assert first > 0
    notifier.show("moodplayer queued music for sad", "Grey Harbour – Empty Rooms: slow")
    assert spin(lambda: notifier.shown == 2)
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
    spin(lambda: False, 0.3)
    assert (notifier.shown, off.shown) == (0, 0)
