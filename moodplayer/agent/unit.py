"""The systemd user unit that runs ``moodplayer run`` beside the user's desktop session."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

UNIT_NAME = "moodplayer.service"


def unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (default ``~/.config/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "systemd" / "user"


def executable() -> str:
    """The ``moodplayer`` script of this installation (absolute path)."""
    beside = Path(sys.executable).with_name("moodplayer")
    if beside.is_file():
        return str(beside)
    return shutil.which("moodplayer") or f"{sys.executable} -m moodplayer.agent.cli"


def render_unit(command: str, *, config: Path | None = None) -> str:
    """The unit's text: restart on failure, but not on a configuration error (exit 2)."""
    exec_start = command + " run"
    if config is not None:
        exec_start += f" --config {shlex.quote(str(config))}"
    return f"""[Unit]
Description=moodplayer: music that follows your mood
Documentation=https://github.com/moodplayer/moodplayer#readme
After=graphical-session.target
PartOf=graphical-session.target

[Service]
Type=dbus
BusName=org.moodplayer.Agent
ExecStart={exec_start}
Restart=on-failure
RestartSec=5
# Exit status 2 is a configuration error: fix the config instead of restarting.
RestartPreventExitStatus=2
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=graphical-session.target
"""


def install_unit(*, config: Path | None = None, directory: Path | None = None) -> Path:
    """Write the unit file (replacing an older one) and return its path."""
    target = (directory or unit_dir()) / UNIT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".service.partial")
    partial.write_text(render_unit(executable(), config=config), encoding="utf-8")
    partial.replace(target)
    return target
