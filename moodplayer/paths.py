"""Where moodplayer keeps what it stores, with the XDG fallbacks, and storing it privately.

Everything the project writes lives under ``data_dir()`` or ``cache_dir()``, so
``moodplayer forget`` can remove it all. Never images: see docs/user-guide.md.

What is stored says something about a person (their moods over time, what they
skipped), so it is readable by its owner only, whatever the umask: every folder
moodplayer makes is 0700 and every file it writes 0600. Writers go through
:func:`private_dir`, :func:`private_file` or :func:`write_private`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

APP = "moodplayer"
#: Mode of every folder moodplayer makes.
DIR_MODE = 0o700
#: Mode of every file moodplayer writes.
FILE_MODE = 0o600
#: Where onnxruntime's official builds keep their telemetry device id and event
#: database, under the cache home; moodplayer turns that telemetry off
#: (``moodplayer.runtime``) and ``forget`` removes what earlier runs left.
ONNXRUNTIME_TELEMETRY = Path("Microsoft", "DeveloperTools", ".onnxruntime")


def _xdg_home(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def data_dir() -> Path:
    """``$XDG_DATA_HOME/moodplayer`` (default ``~/.local/share/moodplayer``); not created."""
    return _xdg_home("XDG_DATA_HOME", ".local/share") / APP


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/moodplayer`` (default ``~/.cache/moodplayer``); not created."""
    return _xdg_home("XDG_CACHE_HOME", ".cache") / APP


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/moodplayer`` (default ``~/.config/moodplayer``); not created."""
    return _xdg_home("XDG_CONFIG_HOME", ".config") / APP


def onnxruntime_telemetry_dir() -> Path:
    """Where onnxruntime would keep its telemetry id and events (``forget`` removes it)."""
    return _xdg_home("XDG_CACHE_HOME", ".cache") / ONNXRUNTIME_TELEMETRY


def _ours(path: Path) -> bool:
    """True for moodplayer's own folders (and anything inside them)."""
    return any(path == root or root in path.parents for root in (data_dir(), cache_dir()))


def _not_regular(path: Path) -> OSError:
    return OSError(errno.EINVAL, "not a regular file (a folder, device or pipe); refused",
                   str(path))


def _refuse_non_regular(path: Path) -> None:
    """OSError if ``path`` exists and is not a regular file: never write through a device."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise _not_regular(path)


def private_dir(path: Path) -> Path:
    """Make folder ``path`` (and missing parents) and return it.

    Every folder made here is 0700, whatever the umask; moodplayer's own folders
    (``data_dir()``, ``cache_dir()`` and those inside them) are set to 0700 even when
    they exist already. Other existing folders (the user's choice of where a report
    goes) are left as they are.
    """
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for folder in missing + [p for p in (path, *path.parents) if _ours(p)]:
        with contextlib.suppress(FileNotFoundError):
            folder.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create file ``path`` if missing, make it 0600, and return it (its folder: see
    :func:`private_dir`). OSError for a path that is a folder, device or pipe.

    Call before another library opens the file (SQLite, logging): they then write into
    a file only its owner can read, and SQLite gives its ``-wal``/``-shm`` files the
    same mode.
    """
    path = Path(path)
    _refuse_non_regular(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC,
                 FILE_MODE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _not_regular(path)
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def write_private(path: Path, data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` atomically, as a 0600 file; returns ``path``.

    Text is written as UTF-8. The data goes to ``NAME.PID.partial`` beside it first, so a
    crash leaves the old file or the new one, never half of one, and two processes
    writing the same file never write into one partial file. OSError for a path that
    is a folder, device or pipe (it is never replaced).
    """
    path = Path(path)
    _refuse_non_regular(path)
    private_dir(path.parent)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as out:
            out.write(payload)
    finally:
        os.close(fd)
    try:
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return path
