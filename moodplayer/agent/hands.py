"""The agent's hands and ears on the player: the one place that talks to moodplayer.player.

It turns the player part's feedback into ``PlayerEvent``s for the agent and offers the
few actions the agent needs (enqueue, remove, play). While no player runs, everything
here is a quiet no-op and the agent waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import dbus

from moodplayer.agent.config import AgentConfig

log = logging.getLogger(__name__)

EventKind = Literal["appeared", "vanished", "started", "played", "skipped", "paused",
                    "playing", "stopped"]


@dataclass(frozen=True, slots=True)
class PlayerEvent:
    """Something the player did, as the agent cares about it."""

    kind: EventKind
    player: str
    path: str = ""
    position_s: float | None = None


class Hands:
    """Follows the preferred player; enqueues into it; reports what it does."""

    def __init__(self, bus: dbus.Bus, config: AgentConfig) -> None:
        self.bus, self.config = bus, config
        self.on_event: Callable[[PlayerEvent], None] | None = None
        self.name = ""
        self.playing = False
        self.playing_path = ""

    @property
    def available(self) -> bool:
        """True while a player is there to steer."""
        return bool(self.name)

    def start(self, on_event: Callable[[PlayerEvent], None]) -> None:
        """Begin following players on the bus, reporting to ``on_event``."""
        self.on_event = on_event
        log.info("waiting for an MPRIS player")

    def enqueue(self, path: str) -> bool:
        """Queue ``path`` after what plays; False if the player refused (logged)."""
        return False

    def remove(self, path: str) -> bool:
        """Take a queued ``path`` out again; False where the player cannot."""
        return False

    def play(self) -> None:
        """Start playback (used once, with ``run --play``, on an idle player)."""

    def close(self) -> None:
        """Stop following players."""
