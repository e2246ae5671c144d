"""Processes started for tests, the demo and benchmarks: found or refused, always killed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess

from moodplayer.exceptions import MoodplayerError

#: Seconds a started part gets to show up (on the bus, or its socket) before it failed.
STARTUP_S = 15.0


class UnavailableError(MoodplayerError):
    """A real part cannot run on this machine (not installed, or refuses to start here).

    The test suite turns it into a skip naming the part; the demo prints it as one line.
    """


def require(tool: str) -> str:
    """The path of the program ``tool``; raises ``UnavailableError`` when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        raise UnavailableError(f"{tool} is not installed (setup.sh installs it)")
    return path


class Processes:
    """Started processes, each in its own process group, all killed by ``kill_all``
    (or on leaving the ``with`` block)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        """Start ``args`` in a new process group, input and output discarded unless
        ``kwargs`` say otherwise (they go to ``subprocess.Popen``)."""
        for stream in ("stdin", "stdout", "stderr"):
            kwargs.setdefault(stream, subprocess.DEVNULL)
        proc = subprocess.Popen(args, start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """Kill ``proc``'s process group (SIGKILL) and reap it."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self, proc: subprocess.Popen, timeout_s: float = 20.0) -> None:
        """Ask ``proc`` to quit (SIGTERM) as a user's session would, and reap it; kill its
        process group if it is still there after ``timeout_s``."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def kill_all(self) -> None:
        """Kill everything started here."""
        for proc in self.procs:
            self.kill(proc)

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill_all()
