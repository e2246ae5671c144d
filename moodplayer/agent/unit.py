"""The systemd user unit that runs ``moodplayer run`` beside the user's desktop session."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

UNIT_NAME = "moodplayer.service"


def unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (default ``~/.config/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "systemd" / "user"


def executable() -> tuple[str, ...]:
    """The command (words) that runs ``moodplayer`` of this installation."""
    beside = Path(sys.executable).with_name("moodplayer")
    if beside.is_file():
        return (str(beside),)
    found = shutil.which("moodplayer")
    return (found,) if found else (sys.executable, "-m", "moodplayer.agent.cli")


def systemd_word(word: str) -> str:
    """``word`` as one argument of a systemd ``ExecStart=`` line, taken literally.

    Double-quoted with C escapes, and ``%`` (specifiers) and ``$`` (environment
    variables) doubled, so a path like ``~/100% $pecial/config.yaml`` arrives intact.
    """
    quoted = (word.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
              .replace("%", "%%").replace("$", "$$"))
    return f'"{quoted}"'


def render_unit(command: Sequence[str], *, config: Path | None = None) -> str:
    """The unit's text: restart on failure, but not on a configuration error (exit 2)."""
    words = [*command, "run", *(("--config", str(config)) if config is not None else ())]
    exec_start = " ".join(systemd_word(word) for word in words)
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
