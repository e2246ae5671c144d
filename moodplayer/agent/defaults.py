"""What plays when the agent does not steer: sensing off, or no face for a while.

The user's ``default_playlist`` (an M3U file) in order, else their ``default_query`` (a
beets query) shuffled; both loop. An empty query with no playlist means the agent steers
toward a neutral mood instead (see the service).
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Container
from pathlib import Path

from moodplayer.agent.config import AgentConfig
from moodplayer.exceptions import RecommendError
from moodplayer.tracks import track_id

log = logging.getLogger(__name__)

#: A track to play: its ``track_id`` (a real path, or a URL), artist and title (empty
#: where unknown).
Track = tuple[str, str, str]
#: A playlist entry with a URI scheme (http://, https://, file://...), as in RFC 3986.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_m3u(path: Path) -> list[str]:
    """The tracks of an M3U playlist as ``track_id``s (relative entries resolved against
    its folder, ``file://`` URLs decoded, URLs of streams kept as they are)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise RecommendError(f"{path}: cannot read the default playlist: "
                             f"{exc.strerror}") from exc
    tracks = []
    for line in (raw.strip() for raw in lines):
        if line and not line.startswith("#"):
            if not _URL.match(line):
                line = str(path.parent / Path(line).expanduser())  # absolute stays absolute
            tracks.append(track_id(line))
    return tracks


def query_tracks(config: AgentConfig, query: str) -> list[Track]:
    """(path, artist, title) of the beets items matching ``query`` in the library."""
    from beets.library import Library

    if not config.library.is_file():
        raise RecommendError(f"no beets library at {config.library}")
    try:
        library = Library(str(config.library), str(config.directory))
        return [(track_id(item.filepath), item.artist, item.title)
                for item in library.items(query)]
    except Exception as exc:  # beets wraps sqlite errors (a locked library) in its own types
        raise RecommendError(f"cannot read the beets library {config.library}: {exc}") from exc


class DefaultSelection:
    """Cycles through the default playlist or query; ``None`` when neither is set."""

    def __init__(self, config: AgentConfig, seed: int | None = None) -> None:
        self.config = config
        self._queue: list[Track] = []
        self._rng = random.Random(seed)

    @property
    def configured(self) -> bool:
        """True when a default playlist or query is set."""
        return bool(self.config.default_playlist or self.config.default_query)

    def describe(self) -> str:
        """Where the default music comes from, for reasons and logs."""
        if self.config.default_playlist:
            return f"your default playlist {self.config.default_playlist.name}"
        return f"your default query '{self.config.default_query}'"

    def take(self, n: int, skip: Container[str] = ()) -> list[Track]:
        """The next ``n`` tracks whose path is not in ``skip`` (refilling and reshuffling
        when used up); RecommendError when none is left."""
        picked: list[Track] = []
        while len(picked) < n:
            if not self._queue:
                self._queue = [t for t in self._load() if t[0] not in skip]
                if not self._queue:
                    raise RecommendError(f"{self.describe()} matches no tracks that can "
                                         f"be queued")
            track = self._queue.pop(0)
            if track[0] not in skip:
                picked.append(track)
        return picked

    def _load(self) -> list[Track]:
        if self.config.default_playlist:
            return [(p, "", "") for p in read_m3u(self.config.default_playlist)]
        tracks = query_tracks(self.config, self.config.default_query)
        self._rng.shuffle(tracks)
        return tracks
