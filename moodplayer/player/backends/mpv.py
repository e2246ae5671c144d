"""mpv's JSON IPC (``--input-ipc-server``): ``loadfile URL append`` moved after the current."""

from __future__ import annotations

import json
import logging
import socket
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gi.repository import GLib

from moodplayer.player import _glib
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.backends.chain import Step, run_steps
from moodplayer.player.events import Removed, Upcoming
from moodplayer.tracks import track_id

log = logging.getLogger(__name__)


class MpvIpc:
    """One non-blocking connection to mpv's IPC socket; replies arrive on the main loop."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.setblocking(False)
        self._sock.connect(str(path))  # a local socket: connects or refuses at once
        self._buffer = b""
        self._next_id = 0
        self._pending: dict[int, tuple[Callable[[Any], None], Callable[[str], None],
                                       GLib.Source]] = {}
        self._watch = GLib.io_add_watch(self._sock.fileno(), GLib.PRIORITY_DEFAULT,
                                        GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, self._readable)

    def command(self, args: list[Any], ok: Callable[[Any], None],
                fail: Callable[[str], None]) -> None:
        """Send one command; ``ok(data)`` on success, ``fail(message)`` on error or timeout."""
        self._next_id += 1
        rid = self._next_id
        timer = _glib.timeout(self.timeout_s, lambda: self._expire(rid))
        self._pending[rid] = (ok, fail, timer)
        try:
            self._sock.send(json.dumps({"command": args, "request_id": rid}).encode() + b"\n")
        except OSError as exc:
            self._resolve(rid, None, f"mpv IPC socket: {exc.strerror or exc}")

    def _expire(self, rid: int) -> None:
        self._resolve(rid, None, f"no answer from mpv within {self.timeout_s:g} s")

    def _resolve(self, rid: int, data: Any, error: str | None) -> None:
        entry = self._pending.pop(rid, None)
        if entry is None:
            return
        ok, fail, timer = entry
        _glib.cancel(timer)
        if error is None:
            ok(data)
        else:
            fail(error)

    def _readable(self, _fd: int, condition: int) -> bool:
        try:
            chunk = self._sock.recv(65536)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if not chunk:
            for rid in list(self._pending):
                self._resolve(rid, None, "mpv closed its IPC socket")
            self._watch = 0
            return False
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and "request_id" in message:
                error = message.get("error")
                self._resolve(message["request_id"], message.get("data"),
                              None if error == "success" else f"mpv: {error}")
        return True

    def close(self) -> None:
        """Close the connection; pending commands fail."""
        for rid in list(self._pending):
            self._resolve(rid, None, "IPC connection closed")
        if self._watch:
            GLib.source_remove(self._watch)
            self._watch = 0
        self._sock.close()


def _is_socket(path: Path | None) -> bool:
    try:
        return path is not None and stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        return False


def _entry_matches(filename: object, uri: str) -> bool:
    """Whether an mpv playlist entry is ``uri`` (mpv keeps ``file://`` URIs as paths)."""
    return isinstance(filename, str) and track_id(filename) == track_id(uri)


def _index_after(playlist: list[dict[str, Any]], position: int, uri: str) -> int | None:
    """The index of the first entry after ``position`` that is ``uri``; None if none."""
    return next((i for i in range(max(position, -1) + 1, len(playlist))
                 if _entry_matches(playlist[i].get("filename"), uri)), None)


class MpvBackend(Backend):
    """Appends with ``loadfile URL append``, then ``playlist-move``s it into place (after
    the current entry, or after the entry ``after``); removes with ``playlist-remove``."""

    NAME = "mpv"
    CAN_REMOVE = True

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """mpv players, when the configured IPC socket exists."""
        return caps.player_name == "mpv" and _is_socket(settings.mpv_socket)

    def _connect(self) -> MpvIpc | str:
        try:
            return MpvIpc(self.settings.mpv_socket, self.settings.timeout_s)
        except OSError as exc:
            return f"mpv IPC socket {self.settings.mpv_socket}: {exc.strerror or exc}"

    @staticmethod
    def _read(ipc: MpvIpc, state: dict[str, Any]) -> Step:
        """A step that reads the playlist and the current position into ``state``."""
        def step(ok, fail) -> None:
            def got_playlist(value: Any) -> None:
                state["playlist"] = value if isinstance(value, list) else []
                ok()

            def got_pos(value: Any) -> None:
                state["pos"] = value if isinstance(value, int) else -1
                ipc.command(["get_property", "playlist"], got_playlist, fail)
            ipc.command(["get_property", "playlist-pos"], got_pos, lambda _msg: got_pos(None))
        return step

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Queue the URIs in order right after ``after`` (if it waits) or the playing entry."""
        ipc = self._connect()
        if isinstance(ipc, str):
            done(self.result(uris, False, ipc))
            return
        state: dict[str, Any] = {}

        def add(index: int, uri: str) -> Step:
            def step(ok, fail) -> None:
                def move(_: Any) -> None:
                    playlist, pos = state["playlist"], state["pos"]
                    anchor = _index_after(playlist, pos, after) if after else None
                    base = (anchor if anchor is not None else pos) + 1
                    source, target = len(playlist) + index, base + index
                    if pos < 0 or source == target:
                        ok()
                        return
                    # playlist-move puts the entry before ``target``.
                    ipc.command(["playlist-move", source, target], lambda _: ok(), fail)
                ipc.command(["loadfile", uri, "append"], move, fail)
            return step

        def finished(err: str | None) -> None:
            ipc.close()
            done(self.result(uris, err is None, err or ""))

        run_steps([self._read(ipc, state), *(add(i, u) for i, u in enumerate(uris))],
                  finished)

    def play(self, uri: str) -> None:
        """Unpause with MPRIS ``Play``; an idle mpv (its playlist played out), where
        ``Play`` does nothing, plays the last entry that is ``uri`` instead."""
        ipc = self._connect()
        if isinstance(ipc, str):
            log.warning("%s; asking mpv to play over MPRIS", ipc)
            self.player.play()
            return
        state: dict[str, Any] = {}

        def idle(ok, fail) -> None:
            def got(value: Any) -> None:
                state["idle"] = value is True
                ok()
            ipc.command(["get_property", "idle-active"], got, fail)

        def finished(err: str | None) -> None:
            entries = state.get("playlist", [])
            index = next((i for i in range(len(entries) - 1, -1, -1)
                          if _entry_matches(entries[i].get("filename"), uri)), None)
            if err is None and state.get("idle") and index is not None:
                def refused(message: str) -> None:
                    log.warning("mpv did not play %s: %s", uri, message)
                    ipc.close()
                ipc.command(["playlist-play-index", index], lambda _: ipc.close(), refused)
                return
            ipc.close()
            self.player.play()

        run_steps([idle, self._read(ipc, state)], finished)

    def upcoming(self, done: Upcoming) -> None:
        """The filenames after the playing entry (all of them while mpv is idle)."""
        ipc = self._connect()
        if isinstance(ipc, str):
            done(None)
            return
        state: dict[str, Any] = {}

        def finished(err: str | None) -> None:
            ipc.close()
            entries = [] if err else state["playlist"][state["pos"] + 1:]
            done(None if err else tuple(str(e["filename"]) for e in entries
                                        if isinstance(e, dict) and "filename" in e))

        run_steps([self._read(ipc, state)], finished)

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """``playlist-remove`` one upcoming entry per URI, the last index first."""
        ipc = self._connect()
        if isinstance(ipc, str):
            done((), ipc)
            return
        state: dict[str, Any] = {}
        found: list[tuple[int, str]] = []

        def pick(ok, fail) -> None:
            playlist, pos = state["playlist"], state["pos"]
            taken: set[int] = set()
            for uri in uris:
                index = next((i for i in range(pos + 1, len(playlist)) if i not in taken
                              and _entry_matches(playlist[i].get("filename"), uri)), None)
                if index is not None:
                    taken.add(index)
                    found.append((index, uri))
            found.sort(reverse=True)
            ok()

        def drop(index: int) -> Step:
            return lambda ok, fail: ipc.command(["playlist-remove", index], lambda _: ok(), fail)

        def finished(err: str | None) -> None:
            ipc.close()
            done(() if err else tuple(uri for _, uri in reversed(found)), err or "")

        run_steps([self._read(ipc, state), pick], lambda err: finished(err) if err else
                  run_steps([drop(i) for i, _ in found], finished))
