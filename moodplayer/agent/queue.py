"""The queue policy: when the agent adds tracks, takes them out, and keeps its hands off.

Pure bookkeeping, no I/O, so every rule is testable on its own:

- keep ``length`` upcoming tracks of the agent's own queued (never touch what plays or
  what the user queued), in the order they were chosen: new picks go after the agent's
  last upcoming one;
- re-plan only when the sustained mood changes: the agent's upcoming picks chosen for the
  old mood are ``retired`` and taken out of the player's queue where it allows; while
  they are still there (being removed, or a player that cannot remove) they count, so the
  agent adds nothing behind them. At no time more than ``length`` of the agent's own
  unplayed tracks wait in the queue;
- picks of an earlier run still waiting in the player (the store says the agent queued
  them there) are the agent's own again when it starts, ``length`` of them at most;
- tracks that cannot be queued (a file gone from disk) are remembered and never chosen
  again; nor is the track that plays;
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
    retired: list[Queued] = field(default_factory=list)
    unqueueable: set[str] = field(default_factory=set)
    playing: Queued | None = None
    playing_path: str = ""
    backed_off: bool = False
    requested: int = 0
    removing: int = 0

    def wanted(self) -> int:
        """How many tracks to add now (0 while backed off or a request is on its way)."""
        if self.backed_off or self.requested or self.removing:
            return 0
        return max(0, self.length - len(self.upcoming) - len(self.retired))

    def waiting(self) -> int:
        """The agent's own tracks waiting in the player's queue (fitting or retired)."""
        return len(self.upcoming) + len(self.retired)

    def after(self) -> str | None:
        """The agent's last upcoming pick: new picks go after it (None: after what plays)."""
        return self.upcoming[-1].path if self.upcoming else None

    def excluded(self) -> set[str]:
        """Paths never to choose now: queued, playing, or impossible to queue."""
        return ({q.path for q in self.upcoming} | {q.path for q in self.retired}
                | self.unqueueable | ({self.playing_path} if self.playing_path else set()))

    def stale(self, mood: str) -> list[Queued]:
        """Upcoming tracks chosen for a mood other than ``mood`` (to re-plan)."""
        return [q for q in self.upcoming if q.mood != mood]

    def added(self, track: Queued) -> None:
        """The player accepted ``track`` into its queue (after the other upcoming ones)."""
        self.upcoming.append(track)

    def adopted(self, own: list[Queued], surplus: list[Queued]) -> None:
        """Picks of an earlier run found waiting in the player: ``own`` are upcoming again
        (in queue order), ``surplus`` (beyond ``length``, or a track's second entry) is
        retired at once and counts until taken out."""
        self.upcoming.extend(own)
        self.retired.extend(surplus)

    def refused(self, path: str) -> None:
        """``path`` cannot be queued (missing, unreadable): never choose it again."""
        self.unqueueable.add(path)

    def refit(self, paths: set[str], mood: str) -> None:
        """Upcoming picks in ``paths`` fit ``mood`` as well: they stay, now chosen for it."""
        self.upcoming = [Queued(q.path, mood, q.decision_id) if q.path in paths else q
                         for q in self.upcoming]

    def retire(self, tracks: list[Queued]) -> None:
        """``tracks`` no longer fit: they leave ``upcoming`` but count until removed or played."""
        self.upcoming = [q for q in self.upcoming if q not in tracks]
        self.retired.extend(tracks)

    def removed(self, tracks: list[Queued]) -> None:
        """``tracks`` are no longer in the player's queue (taken out, or gone already)."""
        self.retired = [q for q in self.retired if q not in tracks]

    def started(self, path: str) -> Queued | None:
        """A track started playing; returns the agent's entry for it, if it is one.

        A track of the agent's: it leaves ``upcoming`` (or ``retired``) with the agent's
        picks queued before it (passed over: they could not play, or the user jumped past
        them), and any back-off ends. Any other track while the agent was steering: back off.
        """
        self.playing_path = path
        for pool in (self.upcoming, self.retired):
            for index, q in enumerate(pool):
                if q.path == path:
                    del pool[:index + 1]
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
        self.retired.clear()
        self.backed_off = False

    def forget_player(self, playing_path: str = "") -> None:
        """A player appeared or went away: nothing of ours is queued anywhere any more;
        ``playing_path`` is what that player has loaded (never to be queued again)."""
        self.stopped()
        self.playing_path = playing_path
