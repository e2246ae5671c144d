"""The queue policy: when the agent adds tracks, and when it keeps its hands off.

Pure bookkeeping, no I/O, so every rule is testable on its own:

- keep ``length`` upcoming tracks of the agent's own queued (never touch what plays);
- re-plan only when the sustained mood changes: tracks chosen for the new mood go in
  right after the playing one; those chosen for the old mood no longer count (players
  offer no way to take them out again; they play later);
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
    abandoned: list[Queued] = field(default_factory=list)
    playing: Queued | None = None
    backed_off: bool = False
    requested: int = 0

    def wanted(self) -> int:
        """How many tracks to add now (0 while backed off or a request is on its way)."""
        if self.backed_off or self.requested:
            return 0
        return max(0, self.length - len(self.upcoming))

    def stale(self, mood: str) -> list[Queued]:
        """Upcoming tracks chosen for a mood other than ``mood`` (to re-plan)."""
        return [q for q in self.upcoming if q.mood != mood]

    def added(self, track: Queued) -> None:
        """The player accepted ``track`` into its queue."""
        self.upcoming.append(track)

    def abandon(self, track: Queued) -> None:
        """``track`` stays in the player's queue but no longer counts (chosen for an old
        mood); when it plays it is still the agent's own."""
        self.upcoming = [q for q in self.upcoming if q is not track]
        self.abandoned.append(track)

    def started(self, path: str) -> Queued | None:
        """A track started playing; returns the agent's entry for it, if it is one.

        A track of the agent's: it leaves ``upcoming`` (players insert new tracks right
        after the playing one, so queue order is not request order) and any back-off
        ends. Any other track while the agent was steering: back off.
        """
        for pool in (self.upcoming, self.abandoned):
            for q in pool:
                if q.path == path:
                    pool.remove(q)
                    self.playing = q
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
        self.abandoned.clear()
        self.backed_off = False

    def forget_player(self) -> None:
        """The player went away: nothing of ours is queued anywhere any more."""
        self.stopped()
