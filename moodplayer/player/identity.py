"""Who a player is: a value built from its bus name, and playerctl's matching rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MPRIS_PREFIX = "org.mpris.MediaPlayer2."
ANY = "%any"


@dataclass(frozen=True, slots=True)
class PlayerName:
    """A player on the bus: ``name`` (vlc), ``instance`` (vlc.instance123), ``bus_name``."""

    name: str
    instance: str
    bus_name: str

    @classmethod
    def from_bus_name(cls, bus_name: str) -> PlayerName | None:
        """The identity of an ``org.mpris.MediaPlayer2.*`` name; None for any other name."""
        if not bus_name.startswith(MPRIS_PREFIX) or len(bus_name) == len(MPRIS_PREFIX):
            return None
        instance = bus_name[len(MPRIS_PREFIX):]
        return cls(name=instance.split(".", 1)[0], instance=instance, bus_name=bus_name)

    def matches(self, pattern: str) -> bool:
        """True if ``pattern`` names this player: ``%any``, the instance, or its name + ``.``."""
        if pattern == ANY:
            return True
        return self.instance == pattern or self.instance.startswith(pattern + ".")

    def __str__(self) -> str:
        return self.instance


def rank(player: PlayerName, priority: Sequence[str], ignore: Sequence[str]) -> int | None:
    """Position of ``player`` in ``priority`` (lower first); None if ignored or not listed.

    An empty ``priority`` means ``[%any]``. Ignoring wins over any priority entry.
    """
    if any(player.matches(pattern) for pattern in ignore if pattern != ANY):
        return None
    for index, pattern in enumerate(priority or (ANY,)):
        if player.matches(pattern):
            return index
    return None
