"""Policies: from the mood the face shows to the profile each next track should meet.

- ``MatchPolicy`` (the iso principle of music therapy): meet the mood where it is.
- ``UpliftPolicy``: start at the current mood and move one step per track toward a
  chosen target mood.
- ``FixedPolicy``: always aim at one target mood, whatever the face shows.

``PolicyName`` is the one list of policy names: configuration, the command line and
``make_policy`` take their choices from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from moodplayer.emotion import VA, mood_of
from moodplayer.recommend.mood import MoodEstimate
from moodplayer.recommend.profiles import Profile, ProfileTable

PolicyName = Literal["match", "uplift", "fixed"]
#: The policy names, in the order they are documented.
POLICIES: tuple[PolicyName, ...] = get_args(PolicyName)


@dataclass(frozen=True, slots=True)
class Target:
    """What one pick should meet: a table row, a point in the plane, and why."""

    profile: Profile
    point: VA
    note: str = ""


class Policy(Protocol):
    """Turns the current mood into one target per upcoming pick."""

    name: str

    def targets(self, estimate: MoodEstimate, n: int, table: ProfileTable) -> list[Target]:
        """The targets of the next ``n`` picks."""
        ...


def _here(estimate: MoodEstimate, table: ProfileTable) -> Target:
    """Where the mood is: the row of the estimate's label, centred on the face's own point
    (the probability-weighted one, which hedges an uncertain reading), or on the row's
    point when the mood was given by name."""
    row = table[estimate.label if estimate.label in table else estimate.mood]
    return Target(row, row.point if estimate.confidence is None else estimate.point)


class MatchPolicy:
    """Meet the mood where it is: the table row of the mood (or class) the face shows."""

    name = "match"

    def targets(self, estimate: MoodEstimate, n: int, table: ProfileTable) -> list[Target]:
        """``n`` copies of the target for the estimate (see ``_here``)."""
        return [_here(estimate, table)] * n


class FixedPolicy:
    """Always aim at one mood's row."""

    name = "fixed"

    def __init__(self, mood: str) -> None:
        self.mood = mood

    def targets(self, estimate: MoodEstimate, n: int, table: ProfileTable) -> list[Target]:
        """``n`` copies of the target mood's row."""
        row = table[self.mood]
        return [Target(row, row.point, f"aiming for {self.mood}")] * n


class UpliftPolicy:
    """Start at the current mood, then one ``step`` (in plane units) per track toward a goal.

    The position carries over between calls, so a session keeps moving; it restarts at
    the face's mood when that is further from the goal than the position (the user
    slipped back).
    """

    name = "uplift"

    def __init__(self, goal: str, step: float = 0.25) -> None:
        if step <= 0:
            raise ValueError(f"uplift step must be positive, got {step!r}")
        self.goal = goal
        self.step = step
        self._position: VA | None = None

    def targets(self, estimate: MoodEstimate, n: int, table: ProfileTable) -> list[Target]:
        """The next ``n`` steps from the position toward the goal's row."""
        goal = table[self.goal].point
        here = _here(estimate, table).point
        position = self._position
        if position is None or here.distance(goal) > position.distance(goal) + self.step:
            position = here
        out = []
        for _ in range(n):
            mood = mood_of(position)
            note = (f"lifting you toward {self.goal}" if position.distance(goal) > 1e-6
                    else f"holding at {self.goal}")
            out.append(Target(table[mood], position, note))
            position = position.toward(goal, self.step)
        self._position = position
        return out


def make_policy(name: PolicyName, target: str | None = None, step: float = 0.25) -> Policy:
    """A policy by name (see ``POLICIES``); uplift and fixed need a ``target`` mood."""
    if name == "match":
        return MatchPolicy()
    if name not in POLICIES:
        raise ValueError(f"unknown policy {name!r}: expected one of {', '.join(POLICIES)}")
    if target is None:
        raise ValueError(f"policy {name!r} needs a target mood")
    if name == "uplift":
        return UpliftPolicy(target, step)
    return FixedPolicy(target)
