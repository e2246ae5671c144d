"""MPD (behind mpDris2 or mpd-mpris): ``addid`` through the MPD protocol (python-mpd2).

python-mpd2's client blocks, so each enqueue runs in a short-lived worker thread with a
socket timeout and hands its result back to the main loop.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import mpd

from moodplayer.player import _glib
from moodplayer.player.backends.base import Backend, BackendSettings, Capabilities, Done
from moodplayer.player.uri import to_path


class MpdBackend(Backend):
    """Inserts after the current song; local files go as paths relative to MPD's music
    directory when they are inside it, else as ``file://`` + path (MPD accepts those
    only over its local socket, and does not decode percent-escapes)."""

    NAME = "mpd"

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

    def enqueue(self, uris: Sequence[str], done: Done) -> None:
        """Queue the URIs in a worker thread; ``done`` runs on the main loop."""
        def work() -> None:
            try:
                after = add_after_current(self.settings, uris)
                outcome = (True, "", after)
            except (mpd.base.MPDError, OSError) as exc:
                outcome = (False, f"MPD at {self.settings.mpd_host}: {exc}", None)

            def report() -> None:
                self._length = outcome[2]
                done(self.result(uris, outcome[0], outcome[1]))
            _glib.idle(report)

        threading.Thread(target=work, name="moodplayer-mpd", daemon=True).start()


def _mpd_uri(client: mpd.MPDClient, uri: str) -> str:
    path = to_path(uri)
    if path is None:
        return uri
    local = f"file://{path}"  # MPD takes the path as is after file://, without escapes
    try:
        music_dir = client.config()
    except mpd.base.CommandError:
        return local  # `config` is only allowed over the local socket
    prefix = music_dir.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else local


def add_after_current(settings: BackendSettings, uris: Sequence[str]) -> int:
    """Insert ``uris`` after MPD's current song; return how many songs now follow it."""
    client = mpd.MPDClient()
    client.timeout = settings.timeout_s
    client.connect(settings.mpd_host, settings.mpd_port)
    try:
        status = client.status()
        position = int(status["song"]) + 1 if "song" in status else int(status["playlistlength"])
        for index, uri in enumerate(uris):
            client.addid(_mpd_uri(client, uri), position + index)
        return int(client.status()["playlistlength"]) - position
    finally:
        client.disconnect()
