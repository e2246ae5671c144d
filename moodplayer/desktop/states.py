"""The tray icon's states: what the camera is doing, at a glance.

One name per state (``TrayState``), its icon and what it means, in one place; the
tray, the tests and the user guide read them from here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Literal, get_args

TrayState = Literal["reading", "no-face", "standby", "paused", "off"]
#: Every state the icon shows, most alarming first.
TRAY_STATES: tuple[TrayState, ...] = get_args(TrayState)

#: The icon of each state: a standard themed name (freedesktop icon naming) with the
#: suffix ``-moodplayer``. The project's own SVG has exactly this name; a host that cannot
#: read ``ICON_THEME_PATH`` strips the suffix, as the icon theme specification's lookup
#: does, and shows the themed icon instead.
ICONS: Mapping[TrayState, str] = {
    "reading": "camera-web-moodplayer",
    "no-face": "user-away-moodplayer",
    "standby": "user-idle-moodplayer",
    "paused": "media-playback-pause-moodplayer",
    "off": "user-offline-moodplayer",
}

#: What each state means, as the tooltip's first line and the user guide say it.
MEANINGS: Mapping[TrayState, str] = {
    "reading": "camera open: reading your expression",
    "no-face": "camera open: no face in view",
    "standby": "camera released: waiting for music to play, or for the next glance",
    "paused": "paused: camera released, nothing queued",
    "off": "sensing off: the camera is not used",
}

#: The folder holding the project's icons (an icon theme root: ``hicolor/scalable/status``).
ICON_THEME_PATH: Path = Path(str(files("moodplayer.desktop") / "icons"))


def icon_file(state: TrayState) -> Path:
    """The project's SVG for ``state``."""
    return ICON_THEME_PATH / "hicolor" / "scalable" / "status" / f"{ICONS[state]}.svg"


def tray_state(status: Mapping[str, str]) -> TrayState:
    """The state the agent's ``Status`` facts show."""
    if status.get("state") == "paused":
        return "paused"
    if status.get("source") == "off":
        return "off"
    if status.get("camera") == "open":
        return "no-face" if status.get("mood") == "absent" else "reading"
    return "standby"


def tooltip(status: Mapping[str, str]) -> tuple[str, str]:
    """The tooltip's title and body (body in the SNI markup subset, escaped): the state,
    the mood and its confidence, what plays and why it was chosen."""
    state = tray_state(status)
    lines = []
    mood = status.get("mood", "unknown")
    if mood not in ("unknown", "absent"):
        lines.append(f"Mood: {mood} (confidence {status.get('confidence', '?')})")
    if status.get("track"):
        lines.append(f"Playing: {status['track']}")
        if status.get("reason"):
            lines.append(f"Why: {status['reason']}")
    lines.append(f"Policy: {status.get('policy', '?')}, target {status.get('target', '?')}")
    return f"moodplayer: {MEANINGS[state]}", "\n".join(html.escape(line) for line in lines)
