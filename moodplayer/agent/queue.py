"""The queue policy: when the agent adds tracks, and when it keeps its hands off.

Pure bookkeeping, no I/O, so every rule is testable on its own:

- keep ``length`` upcoming tracks of the agent's own queued (never touch what plays);
- re-plan (replace the upcoming tracks that were chosen for another mood) only when
  the sustained mood changes;
- back off when the user takes over: a track the agent did not queue starts while the
  agent's tracks were up next (the user picked or queued something). The agent then
  adds nothing until one of its own tracks plays again, or the player stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Queued:
    """A track the agent put into the player's queue, and the mood it was chosen for."""

    path: str
    mood: str
    decision_id: int


@dataclass(slots=True)
class QueuePlan:
    """What the agent has queued and whether it may queue more."""

    length: int
    upcoming: list[Queued] = field(default_factory=list)
    playing: Queued | None = None
    backed_off: bool = False

    def wanted(self) -> int:
        """How many tracks to add now (0 while backed off)."""
        return 0 if self.backed_off else max(0, self.length - len(self.upcoming))

    def stale(self, mood: str) -> list[Queued]:
        """Upcoming tracks chosen for a mood other than ``mood`` (to re-plan)."""
        return [q for q in self.upcoming if q.mood != mood]

    def added(self, track: Queued) -> None:
        """The player accepted ``track`` into its queue."""
        self.upcoming.append(track)

    def removed(self, track: Queued) -> None:
        """``track`` was taken out of the player's queue."""
        self.upcoming = [q for q in self.upcoming if q is not track]

    def started(self, path: str) -> Queued | None:
        """A track started playing; returns the agent's entry for it, if it is one.

        A track of the agent's: it and anything queued before it leave ``upcoming`` and
        any back-off ends. Any other track while the agent was steering: back off.
        """
        for i, q in enumerate(self.upcoming):
            if q.path == path:
                self.playing = q
                del self.upcoming[: i + 1]
                self.backed_off = False
                return q
        if self.playing is not None or self.upcoming:
            self.backed_off = True
        self.playing = None
        return None

    def stopped(self) -> None:
        """The player stopped (end of its queue, or the user pressed stop)."""
        self.playing = None
        self.upcoming.clear()
        self.backed_off = False

    def forget_player(self) -> None:
        """The player went away: nothing of ours is queued anywhere any more."""
        self.stopped()
