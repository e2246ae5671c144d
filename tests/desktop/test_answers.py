"""Notifications you can answer, with real parts: `moodplayer run` steering a headless mpv,
its "queued" notification shown by Debian's notification-daemon (the GNOME fallback
daemon, which offers actions) on a virtual screen, and its buttons pressed with the mouse
as a person does (xdotool). Each press must reach the agent and change what it does. The
tray's "Why this track?" answers with a notification too (no tray host needed for that:
its menu is driven over D-Bus as a panel would)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import dbus
import dbus.bus
import pytest

from moodplayer.agent.control import AgentClient
from moodplayer.agent.notify import BUS_NAME as NOTIFICATIONS
from moodplayer.agent.service import QUEUED_ACTIONS
from moodplayer.agent.store import StateStore
from moodplayer.testing import player_env, start_mpv, start_xvfb
from moodplayer.testing.desktop import press_notification_button

pytestmark = pytest.mark.players

DAEMON = Path("/usr/lib/notification-daemon/notification-daemon")
BUTTONS = [key for key, _label in QUEUED_ACTIONS]


@pytest.fixture
def notification_screen(private_bus, procs) -> str:
    """notification-daemon on the private bus, drawing on a virtual screen; its DISPLAY."""
    if not DAEMON.is_file():
        pytest.skip(f"{DAEMON} is absent (apt-get install notification-daemon)")
    display = start_xvfb(procs)
    procs.start([str(DAEMON)], env=player_env(private_bus, DISPLAY=display, NO_AT_BRIDGE="1"))
    private_bus.wait_for(NOTIFICATIONS)
    return display


class Monitor:
    """``dbus-monitor`` on the private bus for Notify calls; what it saw so far."""

    def __init__(self, address: str) -> None:
        self.proc = subprocess.Popen(
            ["dbus-monitor", "--address", address,
             "interface='org.freedesktop.Notifications',member='Notify'"],
            stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()
        time.sleep(0.5)  # let the monitor attach before the call it must see

    def seen(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _store(read):
    with StateStore() as store:
        return read(store)


def test_the_queued_notification_answers_like_skip_and_pause(
        notification_screen, panel, private_bus, procs, tmp_path, make_config,
        annotated_library, start_agent, wait_for):
    own = sorted((annotated_library / "music").rglob("*.ogg"))[0]
    start_mpv(procs, private_bus, tmp_path / "mpv.sock", own)
    config = make_config(annotated_library, f"""
        players: [mpv]
        mpv_socket: {tmp_path / 'mpv.sock'}
        notifications: yes
        queue_length: 1""")
    agent = start_agent("--config", str(config), "--mood-script", "happy:40,sad:600")
    client = AgentClient(dbus.bus.BusConnection(os.environ["DBUS_SESSION_BUS_ADDRESS"]))

    # Skip on the first notification: its track leaves the queue, counted as a skip, and
    # the agent queues (and announces) another in its place.
    assert wait_for(lambda: _store(lambda s: len(s.decisions()) == 1), 60)
    first = _store(lambda s: s.decisions()[0].path)
    press_notification_button(notification_screen, BUTTONS.index("skip"), tmp_path)
    assert wait_for(lambda: _store(lambda s: any(
        f.kind == "skipped" and f.path == first for f in s.feedback()))), \
        agent.log_path.read_text()
    assert wait_for(lambda: _store(lambda s: len(s.decisions()) == 2), 60)
    second = _store(lambda s: s.decisions()[-1].path)
    assert second != first

    # Like on the second: stored for the track it announced.
    press_notification_button(notification_screen, BUTTONS.index("like"), tmp_path)
    assert wait_for(lambda: _store(lambda s: any(
        f.kind == "liked" and f.path == second for f in s.feedback())))

    # The mood changes: new music, a new notification; Pause on it pauses the agent.
    assert wait_for(lambda: _store(lambda s: any(d.target == "sad" for d in s.decisions())),
                    90)
    press_notification_button(notification_screen, BUTTONS.index("pause"), tmp_path)
    assert wait_for(lambda: client.status()["state"] == "paused")

    # "Why this track?" from the tray's menu: the reason, as a notification.
    monitor = Monitor(private_bus.address)
    status = client.status()
    panel.click("Why this track?")
    assert wait_for(lambda: 'string "Why this track?"' in monitor.seen())
    monitor.close()
    # The body names what plays, and the reason moodplayer chose it (or that it did not).
    assert (status["track"] or status["playing"]) in monitor.seen()
    assert (status["reason"] or "not chosen by moodplayer") in monitor.seen()
    assert "Traceback" not in agent.log_path.read_text()
