"""A track without title or artist is named by its file name wherever a person reads it:
the agent's log, its desktop notification (a real notification daemon), the report and
``moodplayer suggest``."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import dbus
import pytest
from dbus.mainloop.glib import DBusGMainLoop

from moodplayer.agent.config import load_config
from moodplayer.agent.notify import BUS_NAME
from moodplayer.agent.service import Agent, RunOptions
from moodplayer.agent.store import StateStore
from moodplayer.testing import Processes, spin, start_xvfb

from .conftest import DummyHands

DAEMON = Path("/usr/lib/notification-daemon/notification-daemon")


@pytest.fixture
def untagged_library(annotated_library: Path, tmp_path: Path) -> Path:
    """A copy of the annotated library whose tracks have lost their title and artist
    tags (the moodtag annotations stay); its root."""
    root = tmp_path / "untagged"
    shutil.copytree(annotated_library / "music", root / "music")
    shutil.copy(annotated_library / "library.db", root / "library.db")
    with sqlite3.connect(root / "library.db") as db:
        db.execute("UPDATE items SET artist = '', title = '', albumartist = ''")
    db.close()
    return root


def _names(root: Path) -> set[str]:
    return {p.name for p in (root / "music").rglob("*") if p.is_file()}


def test_an_untagged_track_is_named_by_its_file_name(untagged_library, make_config,
                                                    session_bus, procs: Processes, caplog,
                                                    moodplayer_cmd, tmp_path):
    if not DAEMON.is_file():
        pytest.skip(f"{DAEMON} is absent (apt-get install notification-daemon)")
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(session_bus)
    procs.start([str(DAEMON)], env=dict(os.environ, DISPLAY=start_xvfb(procs),
                                        NO_AT_BRIDGE="1"))
    assert spin(lambda: bus.name_has_owner(BUS_NAME)), "notification-daemon did not start"
    monitor = procs.start(["dbus-monitor", "--address", session_bus,
                           "interface='org.freedesktop.Notifications',member='Notify'"],
                          stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # let the monitor attach before the call it must see
    config = make_config(untagged_library, "sensing: off\nqueue_length: 2\nnotifications: yes")
    hands = DummyHands()
    agent = Agent(load_config(config), RunOptions(), StateStore(), bus, hands)
    hands.start(agent.on_player_event)
    try:
        with caplog.at_level(logging.INFO, logger="moodplayer.agent.service"):
            hands.appear()  # the agent queues two tracks and says so
            assert spin(lambda: agent.notifier.shown, 10), "no notification was shown"
    finally:
        agent.shutdown()
    procs.stop(monitor)
    sent = monitor.stdout.read()
    queued = [r.getMessage() for r in caplog.records if r.getMessage().startswith("queued ")]
    names = _names(untagged_library)
    assert len(queued) == 2, caplog.text
    for line in queued:
        assert line.split(": ", 1)[0].removeprefix("queued ") in names, line
        assert line.split(": ", 1)[0].removeprefix("queued ") in sent, sent
    assert " – :" not in sent

    report = tmp_path / "report.html"
    subprocess.run([*moodplayer_cmd, "report", "-o", str(report)], check=True, timeout=60)
    page = report.read_text(encoding="utf-8")
    assert sum(name in page for name in names) == 2, page
    assert "<td> – </td>" not in page

    suggest = subprocess.run(
        [*moodplayer_cmd, "suggest", "--mood", "calm", "-n", "3", "--no-learning",
         "--library", str(untagged_library / "library.db"),
         "--music-dir", str(untagged_library / "music")],
        capture_output=True, text=True, timeout=120, check=True).stdout
    firsts = suggest.splitlines()[0::3]
    assert all(line.split(". ", 1)[1].split("  [")[0] in names for line in firsts), suggest
