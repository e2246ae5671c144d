"""Where moodplayer keeps what it stores, with the XDG fallbacks.

Everything the project writes lives under ``data_dir()`` or ``cache_dir()``, so
``moodplayer forget`` can remove it all. Never images: see the README.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "moodplayer"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    base = Path(value) if value and Path(value).is_absolute() else Path.home() / fallback
    return base / APP


def data_dir() -> Path:
    """``$XDG_DATA_HOME/moodplayer`` (default ``~/.local/share/moodplayer``); not created."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/moodplayer`` (default ``~/.cache/moodplayer``); not created."""
    return _xdg("XDG_CACHE_HOME", ".cache")


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/moodplayer`` (default ``~/.config/moodplayer``); not created."""
    return _xdg("XDG_CONFIG_HOME", ".config")
