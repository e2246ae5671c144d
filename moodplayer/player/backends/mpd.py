"""MPD (behind mpDris2 or mpd-mpris): ``addid`` through the MPD protocol (python-mpd2).

python-mpd2's client blocks, so each enqueue runs in a short-lived worker thread with a
socket timeout and hands its result back to the main loop.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import mpd

from moodplayer.player import _glib
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.events import Removed, Upcoming
from moodplayer.tracks import local_path

T = TypeVar("T")


class MpdBackend(Backend):
    """Inserts after the current song; local files go as paths relative to MPD's music
    directory when they are inside it, else as ``file://`` + path (MPD accepts those
    only over its local socket, and does not decode percent-escapes)."""

    NAME = "mpd"
    CAN_REMOVE = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._length: int | None = None

    @classmethod
    def supports(cls, caps: Capabilities, settings: BackendSettings) -> bool:
        """The MPRIS bridges for MPD (bus name ``mpd``)."""
        return caps.player_name == "mpd"

    def queue_length(self) -> int | None:
        """Songs after the current one, as of the last enqueue."""
        return self._length

    def _work(self, job: Callable[[mpd.MPDClient], T],
              report: Callable[[T | None, str], None]) -> None:
        """Run ``job(client)`` in a worker thread; ``report(result, error)`` on the main loop."""
        def work() -> None:
            try:
                outcome = (_with_client(self.settings, job), "")
            except (mpd.base.MPDError, OSError) as exc:
                outcome = (None, f"MPD at {self.settings.mpd_host}: {exc}")
            _glib.idle(lambda: report(*outcome))

        threading.Thread(target=work, name="moodplayer-mpd", daemon=True).start()

    def enqueue(self, uris: Sequence[str], done: Done, after: str | None = None) -> None:
        """Queue the URIs in a worker thread; ``done`` runs on the main loop."""
        def report(length: int | None, error: str) -> None:
            self._length = length
            done(self.result(uris, not error, error))

        self._work(lambda client: add_after(client, uris, after), report)

    def upcoming(self, done: Upcoming) -> None:
        """The songs after the current one, read in a worker thread."""
        self._work(waiting_songs, lambda songs, error: done(None if error else tuple(songs)))

    def remove(self, uris: Sequence[str], done: Removed) -> None:
        """``deleteid`` one upcoming song per URI, in a worker thread."""
        self._work(lambda client: delete_upcoming(client, uris),
                   lambda removed, error: done(tuple(removed or ()), error))


def _with_client(settings: BackendSettings, job: Callable[[mpd.MPDClient], T]) -> T:
    client = mpd.MPDClient()
    client.timeout = settings.timeout_s
    client.connect(settings.mpd_host, settings.mpd_port)
    try:
        return job(client)
    finally:
        client.disconnect()


def _upcoming(client: mpd.MPDClient) -> tuple[int, list[dict]]:
    """The position after the current song, and the songs from there on."""
    status = client.status()
    position = int(status["song"]) + 1 if "song" in status else int(status["playlistlength"])
    return position, [s for s in client.playlistinfo() if int(s["pos"]) >= position]


def _mpd_uri(client: mpd.MPDClient, uri: str) -> str:
    path = local_path(uri)
    if path is None:
        return uri
    local = f"file://{path}"  # MPD takes the path as is after file://, without escapes
    try:
        music_dir = client.config()
    except mpd.base.CommandError:
        return local  # `config` is only allowed over the local socket
    prefix = (local_path(music_dir) or music_dir).rstrip("/") + "/"  # as real as ``path``
    return path[len(prefix):] if path.startswith(prefix) else local


def _same(song: dict, wanted: str) -> bool:
    """Whether a song of MPD's queue is ``wanted`` (MPD may list ``file://`` songs bare)."""
    return song.get("file") in (wanted, wanted.removeprefix("file://"))


def waiting_songs(client: mpd.MPDClient) -> list[str]:
    """The songs after the current one as paths or URIs (a song inside MPD's music
    directory, listed relative to it, joined to it where MPD tells the directory)."""
    _, upcoming = _upcoming(client)
    try:
        music_dir = client.config()
    except mpd.base.CommandError:
        music_dir = ""  # `config` is only allowed over the local socket
    return [name if name.startswith(("file:", "/")) or ":" in name.split("/", 1)[0]
            or not music_dir else os.path.join(music_dir, name)
            for name in (str(s.get("file", "")) for s in upcoming)]


def add_after(client: mpd.MPDClient, uris: Sequence[str], after: str | None) -> int:
    """Insert ``uris`` after the upcoming song ``after`` (else after MPD's current song);
    return how many songs now follow the current one."""
    position, upcoming = _upcoming(client)
    start = position
    if after is not None:
        wanted = _mpd_uri(client, after)
        start = next((int(s["pos"]) + 1 for s in upcoming if _same(s, wanted)), position)
    for index, uri in enumerate(uris):
        client.addid(_mpd_uri(client, uri), start + index)
    return int(client.status()["playlistlength"]) - position


def delete_upcoming(client: mpd.MPDClient, uris: Sequence[str]) -> list[str]:
    """``deleteid`` one upcoming song per URI; return the URIs taken out."""
    _, upcoming = _upcoming(client)
    removed = []
    for uri in uris:
        wanted = _mpd_uri(client, uri)
        song = next((s for s in upcoming if _same(s, wanted)), None)
        if song is not None:
            upcoming.remove(song)
            client.deleteid(song["id"])
            removed.append(uri)
    return removed
