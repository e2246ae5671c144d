"""Last.fm crowd tags through pylast: track top tags, artist tags as fallback.

Look-ups are cached in SQLite under ``moodplayer.paths.cache_dir()`` (re-runs cost no
requests), limited to ``rate`` requests per second (Last.fm asks for at most 5), retried
with exponential back-off on temporary errors, and never fatal: when Last.fm cannot be
reached the client warns once and answers "no tags" for the rest of the run.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx  # pylast's own HTTP client
import pylast

from moodplayer.exceptions import ConfigError
from moodplayer.paths import cache_dir, private_file

log = logging.getLogger(__name__)

DEFAULT_SERVER = "https://ws.audioscrobbler.com/2.0/"
#: Last.fm error codes worth retrying: operation failed, service offline, temporarily
#: unavailable, rate limit exceeded (plus HTTP 5xx, which pylast reports with its code).
_RETRY_CODES = {"8", "11", "16", "29", "500", "502", "503", "504"}
_NOT_FOUND_CODES = {"6", "7"}  # invalid parameters / resource: the track is unknown


@dataclass(frozen=True, slots=True)
class LastFmSettings:
    """How to reach Last.fm (picklable plain data)."""

    api_key: str
    server: str = DEFAULT_SERVER  # an http:// URL (a local mirror, tests) is honoured
    rate: float = 5.0  # requests per second at most
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    timeout: float = 10.0  # seconds per request
    min_weight: int = 10  # tags Last.fm weights lower (0..100) are dropped
    max_age_days: float = 180.0  # cached answers older than this are fetched again
    cache_path: Path | None = None  # default: cache_dir() / "lastfm.sqlite"

    def validated(self) -> LastFmSettings:
        """These settings, or ConfigError naming the bad value and what was expected."""
        if not self.api_key:
            raise ConfigError("lastfm api_key is empty: expected a Last.fm API key")
        if urlsplit(self.server).scheme not in ("http", "https"):
            raise ConfigError(f"lastfm server {self.server!r}: expected an http(s) URL")
        if not 0 < self.rate <= 5:
            raise ConfigError(f"lastfm rate {self.rate}: expected 0 < rate <= 5 per second")
        if self.retries < 0 or self.timeout <= 0:
            raise ConfigError("lastfm retries must be >= 0 and timeout > 0 seconds")
        return self


@dataclass(frozen=True, slots=True)
class Tags:
    """A track's crowd tags, strongest first, and where they came from."""

    tags: tuple[tuple[str, int], ...]  # (tag, weight 0..100)
    source: str  # "track", "artist", or "none"

    @property
    def names(self) -> list[str]:
        """The tag names, strongest first."""
        return [t for t, _ in self.tags]


NO_TAGS = Tags((), "none")


class ServerTransport(httpx.HTTPTransport):
    """Sends pylast's requests to the configured server with the configured timeout.

    pylast always builds ``https://<host><path>``; this rewrites scheme and port, so an
    ``http://`` server (a local mirror, the test suite's fake Last.fm) works too.
    """

    def __init__(self, server: str, timeout: float) -> None:
        super().__init__()
        self._url = urlsplit(server)
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme=self._url.scheme, host=self._url.hostname,
                                            port=self._url.port)
        t = self._timeout
        request.extensions["timeout"] = {"connect": t, "read": t, "write": t, "pool": t}
        return super().handle_request(request)


class _Cache:
    """``(kind, key) -> tags`` in SQLite, safe to share between processes."""

    def __init__(self, path: Path, max_age_days: float) -> None:
        private_file(path)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS tags (kind TEXT, key TEXT, tags TEXT, "
                         "fetched REAL, PRIMARY KEY (kind, key))")
        self._max_age = max_age_days * 86400
        self._lock = threading.Lock()

    def get(self, kind: str, key: str) -> list[tuple[str, int]] | None:
        with self._lock:
            row = self._db.execute("SELECT tags, fetched FROM tags WHERE kind=? AND key=?",
                                   (kind, key)).fetchone()
        if row is None or time.time() - row[1] > self._max_age:
            return None
        return [(t, int(w)) for t, w in json.loads(row[0])]

    def put(self, kind: str, key: str, tags: Sequence[tuple[str, int]]) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO tags VALUES (?, ?, ?, ?)",
                             (kind, key, json.dumps(list(tags)), time.time()))

    def close(self) -> None:
        self._db.close()


class LastFmClient:
    """Track tags from Last.fm with cache, rate limit, retries and an offline fallback."""

    def __init__(self, settings: LastFmSettings) -> None:
        self.settings = settings.validated()
        proxy = {"https://": ServerTransport(settings.server, settings.timeout)}
        self._network = pylast.LastFMNetwork(api_key=settings.api_key, proxy=proxy)
        self._cache = _Cache(settings.cache_path or cache_dir() / "lastfm.sqlite",
                             settings.max_age_days)
        self._last_request = 0.0
        self._lock = threading.Lock()
        self.offline = False
        self.requests = 0  # requests sent (not answered from the cache) in this run

    def close(self) -> None:
        """Close the cache database."""
        self._cache.close()

    def _throttle(self) -> None:
        with self._lock:
            wait = self._last_request + 1.0 / self.settings.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request = time.monotonic()

    def _fetch(self, kind: str, artist: str, title: str) -> list[tuple[str, int]] | None:
        """Top tags from Last.fm; None when it is unreachable (and then goes offline)."""
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            self._throttle()
            self.requests += 1
            try:
                obj = (self._network.get_track(artist, title) if kind == "track"
                       else self._network.get_artist(artist))
                items = obj.get_top_tags()
                return [(str(i.item.get_name()), int(float(i.weight or 0))) for i in items]
            except pylast.WSError as exc:
                if str(exc.status) in _NOT_FOUND_CODES:
                    return []
                if str(exc.status) not in _RETRY_CODES:
                    log.warning("Last.fm refused %s %r: %s (error %s)", kind,
                                f"{artist} - {title}" if title else artist, exc, exc.status)
                    return []
                reason = f"{exc} (error {exc.status})"
            except (pylast.NetworkError, pylast.MalformedResponseError) as exc:
                reason = str(exc)
            if attempt < self.settings.retries:
                log.debug("Last.fm %s failed (%s); retrying in %.1f s", kind, reason, delay)
                time.sleep(delay)
                delay *= 2
        log.warning("Last.fm is unreachable (%s): continuing without crowd tags", reason)
        self.offline = True
        return None

    def _tags(self, kind: str, artist: str, title: str = "") -> list[tuple[str, int]] | None:
        key = f"{artist.strip().lower()}\x1f{title.strip().lower()}"
        cached = self._cache.get(kind, key)
        if cached is not None:
            return cached
        if self.offline:
            return None
        fetched = self._fetch(kind, artist, title)
        if fetched is not None:
            self._cache.put(kind, key, fetched)
        return fetched

    def track_tags(self, artist: str, title: str) -> Tags:
        """The track's top tags (weight >= min_weight), else the artist's; never raises."""
        if not artist:
            return NO_TAGS
        minimum = self.settings.min_weight
        if title:
            found = [(t, w) for t, w in self._tags("track", artist, title) or [] if w >= minimum]
            if found:
                return Tags(tuple(found), "track")
        found = [(t, w) for t, w in self._tags("artist", artist) or [] if w >= minimum]
        # Artist tags describe the artist's work as a whole: count them half as evidence.
        return Tags(tuple((t, w // 2) for t, w in found), "artist") if found else NO_TAGS
