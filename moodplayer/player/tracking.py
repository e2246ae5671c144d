"""Turning one player's signals into feedback events: the played-or-skipped rule.

Pure logic with an injected clock, so it is tested without a bus. Position is not
signalled by MPRIS: it is the last known position plus play time since, times the
playback ``Rate`` (at 3x speed a track reaches its end in a third of the time), resynced on
``Seeked`` (which is never itself a boundary: VLC, Rhythmbox and Audacious emit it at
track start). At a boundary the last position under ``min(0.5*length, 240 s)`` and not
near the end means skipped; a boundary the agent caused (``expect_boundary``) is neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from moodplayer.player.events import FeedbackEvent, FeedbackKind, TrackRef
from moodplayer.player.metadata import TrackKey

#: Play time after which a track counts as played, whatever its length (scrobblers' rule).
PLAYED_AFTER_S = 240.0
#: Seconds before the end within which a boundary is the track ending.
NEAR_END_S = 2.0
#: A Seeked to the start this shortly before a boundary belongs to the next track
#: (Audacious and Rhythmbox signal the new track's Seeked before its Metadata).
EARLY_SEEK_S = 1.0


def verdict(position_s: float, length_s: float | None) -> FeedbackKind:
    """``played`` or ``skipped`` for a track left at ``position_s`` of ``length_s``."""
    if length_s is None:
        return "played" if position_s >= PLAYED_AFTER_S else "skipped"
    if position_s >= min(0.5 * length_s, PLAYED_AFTER_S):
        return "played"
    return "played" if length_s - position_s <= NEAR_END_S else "skipped"


class PlaybackTracker:
    """Follows one player's track, status and position; reports ``FeedbackEvent``s."""

    def __init__(self, player: str, emit: Callable[[FeedbackEvent], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.player, self._emit, self._clock = player, emit, clock
        self.key: TrackKey | None = None
        self.track: TrackRef | None = None
        self.status = "Stopped"
        self.rate = 1.0
        self._position = 0.0
        self._stamp = clock()
        self._expected = 0
        self._before_seek: tuple[float, float] | None = None  # (position, when)

    @property
    def playing(self) -> bool:
        """True while the player reports Playing."""
        return self.status == "Playing"

    def position(self) -> float:
        """Seconds into the current track: cached position plus play time since, at ``rate``."""
        elapsed = self._clock() - self._stamp if self.playing else 0.0
        pos = self._position + elapsed * self.rate
        length = self.track.length_s if self.track else None
        return min(pos, length) if length else pos

    def remaining(self) -> float | None:
        """Wall-clock seconds until the current track ends (at ``rate``); None if unknown."""
        if not self.track or not self.track.length_s:
            return None
        return max(0.0, self.track.length_s - self.position()) / (self.rate or 1.0)

    def set_rate(self, rate: float) -> None:
        """A ``Rate`` value (playback speed, 1.0 normal): position advances that much faster."""
        if rate > 0 and rate != self.rate:
            self.sync_position(self.position())
            self.rate = rate

    def expect_boundary(self) -> None:
        """The agent is about to change the track itself: the next boundary is no feedback."""
        self._expected += 1

    def sync_position(self, position_s: float) -> None:
        """Resync the position (a ``Seeked`` signal or a ``Position`` read)."""
        self._position, self._stamp = max(0.0, position_s), self._clock()

    def on_seeked(self, position_s: float) -> None:
        """A ``Seeked`` signal: resync, remembering the old position if it went to the start."""
        now = self._clock()
        self._before_seek = (self.position(), now) if position_s < EARLY_SEEK_S else None
        self.sync_position(position_s)

    def on_track(self, key: TrackKey | None, track: TrackRef | None) -> None:
        """A Metadata value: a new key is a boundary; the same key only refreshes fields."""
        if key == self.key:
            if track and self.track and track.length_s and track != self.track:
                self.track = replace(self.track, length_s=track.length_s)
            return
        self._finish()
        self.key, self.track = key, track
        self.sync_position(0.0)
        if track is not None:
            self._emit(FeedbackEvent("started", self.player, track, 0.0, track.length_s))

    def on_change(self, track: tuple[TrackKey | None, TrackRef | None] | None,
                  status: str | None) -> None:
        """One PropertiesChanged signal's Metadata (``track``: key and value; None when it
        carried none) and PlaybackStatus, in the order they happened. A Stopped ends the
        track that played, whichever Metadata comes with it: VLC signals the Stopped of a
        track that ended together with that track's Metadata or with the next one's. Any
        other status is the new track's."""
        if status == "Stopped":
            ended = self.key
            self.on_status(status)
            if track is not None and track[0] is not None and track[0] == ended:
                return
        if track is not None:
            self.on_track(*track)
        if status is not None and status != "Stopped":
            self.on_status(status)

    def on_status(self, status: str) -> None:
        """A PlaybackStatus value; Stopped ends the track, Paused is reported."""
        if status == self.status or status not in ("Playing", "Paused", "Stopped"):
            return
        position = self.position()
        previous, self.status = self.status, status
        self.sync_position(position)
        if status == "Paused" and previous == "Playing" and self.track:
            self._emit(FeedbackEvent("paused", self.player, self.track, position,
                                     self.track.length_s))
        elif status == "Stopped":
            self._finish()
            self.key = self.track = None

    def _finish(self) -> None:
        if self.track is None:
            return
        if self._expected:
            self._expected -= 1
            return
        position = self.position()
        if self._before_seek and self._clock() - self._before_seek[1] < EARLY_SEEK_S:
            position = max(position, self._before_seek[0])
        self._before_seek = None
        self._emit(FeedbackEvent(verdict(position, self.track.length_s), self.player,
                                 self.track, position, self.track.length_s))
        self.track = None
