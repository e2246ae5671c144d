"""A real tray host for tests and screenshots: Xfce's panel with its status tray.

``start_tray_host`` runs Xvfb, Xfce's settings daemon (xfconfd, holding a one-panel
configuration written here) and ``xfce4-panel`` with only its Status Tray plugin, which
is a StatusNotifierWatcher and host: it owns ``org.kde.StatusNotifierWatcher`` on the
private bus and draws the items and their dbusmenu menus. ``screenshot`` grabs a part of
the virtual screen with ffmpeg.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from moodplayer.testing.bus import PrivateBus
from moodplayer.testing.players import player_env, start_xvfb
from moodplayer.testing.processes import STARTUP_S, Processes, UnavailableError, require

XFCONFD = Path("/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd")
WATCHER = "org.kde.StatusNotifierWatcher"
#: The panel's height in pixels, along the top of the screen; icons are drawn at 22 px.
PANEL_SIZE = 28

_PANEL_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="{PANEL_SIZE}"/>
      <property name="icon-size" type="uint" value="22"/>
      <property name="plugin-ids" type="array"><value type="int" value="1"/></property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def start_tray_host(procs: Processes, bus: PrivateBus, home: Path) -> str:
    """Xfce's panel with its status tray on ``bus``, on a new virtual screen; returns the
    DISPLAY once the panel is the bus's StatusNotifierWatcher."""
    panel = require("xfce4-panel")
    if not XFCONFD.is_file():
        raise UnavailableError(f"{XFCONFD} is absent (package xfconf)")
    config = home / "config"
    channel = config / "xfce4" / "xfconf" / "xfce-perchannel-xml"
    channel.mkdir(parents=True, exist_ok=True)
    (channel / "xfce4-panel.xml").write_text(_PANEL_XML, encoding="utf-8")
    env = player_env(bus, DISPLAY=start_xvfb(procs), HOME=str(home), NO_AT_BRIDGE="1",
                     XDG_CONFIG_HOME=str(config), XDG_CACHE_HOME=str(home / "cache"))
    procs.start([str(XFCONFD)], env=env)
    bus.wait_for("org.xfce.Xfconf")
    procs.start([panel], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bus.wait_for(WATCHER, 60)  # the tray plugin runs in a process of its own, started later
    return env["DISPLAY"]


def screenshot(display: str, path: Path, size: tuple[int, int],
               origin: tuple[int, int] = (0, 0)) -> Path:
    """Save the ``size`` (width, height) part of ``display`` at ``origin`` as a PNG."""
    subprocess.run([require("ffmpeg"), "-nostdin", "-loglevel", "error", "-y", "-f", "x11grab",
                    "-video_size", f"{size[0]}x{size[1]}",
                    "-i", f"{display}+{origin[0]},{origin[1]}", "-frames:v", "1", str(path)],
                   check=True, timeout=60)
    return path


def press_notification_button(display: str, index: int, workdir: Path) -> None:
    """Click the ``index``-th button (0: the first action) of the notification that
    Debian's notification-daemon shows on ``display``, as a person would.

    The buttons are found on the screen: the last line of dark text in the notification's
    window is the buttons' labels, one cluster of pixels per button, left to right in the
    order of the actions.
    """
    xdotool = require("xdotool")
    env = {"DISPLAY": display, "PATH": "/usr/bin:/bin"}
    deadline = time.monotonic() + STARTUP_S
    while True:  # until the window is drawn whole, with its buttons
        found = _buttons(xdotool, env, display, workdir)
        if found is not None and index < len(found[0]):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"the notification shows no button {index + 1}")
        time.sleep(0.2)
    columns, row = found
    subprocess.run([xdotool, "mousemove", str(columns[index]), str(row), "click", "1"],
                   env=env, timeout=30, check=True)


def _buttons(xdotool: str, env: dict[str, str], display: str,
             workdir: Path) -> tuple[list[int], int] | None:
    """Where the notification's buttons are on the screen: the x of each, and their y."""
    import cv2
    import numpy as np

    found = subprocess.run([xdotool, "search", "--sync", "--onlyvisible", "--name",
                            "^Notification$", "getwindowgeometry", "--shell"],
                           capture_output=True, text=True, env=env, timeout=30, check=True)
    geometry = dict(line.split("=", 1) for line in found.stdout.split() if "=" in line)
    x, y = int(geometry["X"]), int(geometry["Y"])
    width, height = int(geometry["WIDTH"]), int(geometry["HEIGHT"])
    left, top = max(0, x), max(0, y)
    shot = screenshot(display, workdir / "notification.png",
                      (width - (left - x), height - (top - y)), (left, top))
    margin = 12  # inside the window's rounded border
    dark = cv2.imread(str(shot), cv2.IMREAD_GRAYSCALE)[margin:-margin, margin:-margin] < 110
    rows = np.flatnonzero(dark.any(axis=1))  # lines of text: the last one holds the buttons
    if not rows.size:
        return None
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 3) + 1)
    line = dark[bands[-1][0]:bands[-1][-1] + 1]
    columns = np.flatnonzero(line.any(axis=0))
    clusters = np.split(columns, np.flatnonzero(np.diff(columns) > 8) + 1)
    return ([left + margin + int(c.mean()) for c in clusters],
            top + margin + int(bands[-1].mean()))
