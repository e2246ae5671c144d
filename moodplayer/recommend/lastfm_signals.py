"""Optional Last.fm signals: the user's own listening history and the crowd's similar artists.

Off unless the caller passes ``LastfmSignals`` to the recommender. It asks Last.fm
(through pylast, with the music part's settings and transport) for the user's top
artists and top tags, and for the artists similar to their favourites; the answers are
cached as JSON under ``moodplayer.paths.cache_dir()`` for ``max_age_days``. Any
failure is logged once and means "no signal": never a crash.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pylast

from moodplayer import paths
from moodplayer.music.lastfm import LastFmSettings, ServerTransport

log = logging.getLogger(__name__)

#: Score added for a favourite artist (scaled by rank), a similar one (by match), a top tag.
TOP_ARTIST_WEIGHT = 0.6
SIMILAR_WEIGHT = 0.4
TOP_TAG_WEIGHT = 0.3


@dataclass(frozen=True)
class LastfmTaste:
    """What Last.fm knows of a user: artist (case-folded) -> weight in [0, 1], tags."""

    top_artists: dict[str, float] = field(default_factory=dict)
    similar_artists: dict[str, float] = field(default_factory=dict)
    top_tags: frozenset[str] = frozenset()


class LastfmSignals:
    """A user's Last.fm taste, fetched once and cached, turned into per-track boosts."""

    def __init__(self, settings: LastFmSettings, username: str, *, max_age_days: float = 7.0,
                 similar_of: int = 5) -> None:
        self.settings = settings.validated()
        self.username = username
        self.max_age = max_age_days * 86400
        self.similar_of = similar_of
        self._taste: LastfmTaste | None = None

    @property
    def cache_file(self) -> Path:
        """Where this user's taste is cached."""
        safe = "".join(c if c.isalnum() else "_" for c in self.username.lower())
        return paths.cache_dir() / f"lastfm-taste-{safe}.json"

    def _fetch(self) -> LastfmTaste:
        network = pylast.LastFMNetwork(
            api_key=self.settings.api_key,
            proxy={"https://": ServerTransport(self.settings.server, self.settings.timeout)})
        user = network.get_user(self.username)
        top = user.get_top_artists(limit=50)
        count = max(1, len(top))
        top_artists = {str(t.item.get_name()).casefold(): 1.0 - i / count
                       for i, t in enumerate(top)}
        tags = frozenset(str(t.item.get_name()).strip().lower()
                         for t in user.get_top_tags(limit=30))
        similar: dict[str, float] = {}
        for t in top[:self.similar_of]:
            for s in t.item.get_similar(limit=30):
                name = str(s.item.get_name()).casefold()
                similar[name] = max(similar.get(name, 0.0), float(s.match or 0.0))
        return LastfmTaste(top_artists, similar, tags)

    def taste(self) -> LastfmTaste:
        """The user's taste: from the cache if fresh, else from Last.fm (empty on failure)."""
        if self._taste is not None:
            return self._taste
        file = self.cache_file
        try:
            data = json.loads(file.read_text())
            if time.time() - data["fetched"] < self.max_age:
                self._taste = LastfmTaste(data["top_artists"], data["similar_artists"],
                                          frozenset(data["top_tags"]))
                return self._taste
        except (OSError, ValueError, KeyError, TypeError):
            pass
        try:
            taste = self._fetch()
        except (pylast.WSError, pylast.NetworkError, pylast.MalformedResponseError) as exc:
            log.warning("Last.fm taste of %s unavailable (%s): ranking without it",
                        self.username, exc)
            self._taste = LastfmTaste()
            return self._taste
        paths.write_private(file, json.dumps({
            "fetched": time.time(), "top_artists": taste.top_artists,
            "similar_artists": taste.similar_artists, "top_tags": sorted(taste.top_tags)}))
        self._taste = taste
        return taste

    def boost(self, artists: list[str], tags: list[tuple[str, ...]]) -> np.ndarray:
        """Per track: how much the user's Last.fm taste speaks for it (score units)."""
        taste = self.taste()
        out = np.zeros(len(artists))
        for k, (artist, track_tags) in enumerate(zip(artists, tags, strict=True)):
            name = artist.casefold()
            out[k] = (TOP_ARTIST_WEIGHT * taste.top_artists.get(name, 0.0)
                      + SIMILAR_WEIGHT * taste.similar_artists.get(name, 0.0)
                      + TOP_TAG_WEIGHT * bool(taste.top_tags.intersection(track_tags)))
        return out

    def reason(self, artist: str) -> str:
        """Why Last.fm speaks for ``artist``, for the explanation ("" if it does not)."""
        taste = self.taste()
        name = artist.casefold()
        if name in taste.top_artists:
            return "one of your top artists on Last.fm"
        if taste.similar_artists.get(name, 0.0) > 0.3:
            return "like artists you play on Last.fm"
        return ""
