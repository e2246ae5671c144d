"""A scripted mood sequence (``--mood-script happy:20,sad:20``) standing in for a face.

For demos and tests on machines without a webcam or with faces that don't change
expression. Everything it produces is labelled ``scripted`` (in the log, the state
store and the report), so it is never mistaken for a reading of a real face. Each step
is a sustained mood: it is reported when the step begins; after the last step the last
mood holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gi.repository import GLib

from moodplayer.emotion import parse_mood
from moodplayer.exceptions import ConfigError
from moodplayer.recommend import MoodEstimate

log = logging.getLogger(__name__)

SOURCE = "scripted"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a script: a mood held for some seconds."""

    mood: str
    seconds: float


def parse_script(text: str) -> list[Step]:
    """``happy:20,sad:20`` as steps; ConfigError naming the bad part otherwise."""
    steps = []
    for part in (p.strip() for p in text.split(",")):
        name, sep, seconds = part.partition(":")
        try:
            mood = parse_mood(name)
            length = float(seconds) if sep else float("nan")
        except ValueError as exc:
            raise ConfigError(f"--mood-script {text!r}: {part!r}: {exc}") from exc
        if not length > 0:
            raise ConfigError(f"--mood-script {text!r}: {part!r}: expected MOOD:SECONDS "
                              f"with SECONDS > 0, e.g. happy:20")
        steps.append(Step(mood, length))
    return steps


class ScriptedMood:
    """A mood source that plays a script on the GLib main loop."""

    name = SOURCE

    def __init__(self, steps: Sequence[Step]) -> None:
        if not steps:
            raise ConfigError("--mood-script: expected at least one MOOD:SECONDS step")
        self.steps = list(steps)
        self._index = -1
        self._timer = 0
        self._emit: Callable[[MoodEstimate | None], None] | None = None

    def start(self, emit: Callable[[MoodEstimate | None], None]) -> None:
        """Begin (or continue) the script, reporting each step's mood to ``emit``."""
        self._emit = emit
        if self._index < 0:
            self._next()
        else:
            emit(MoodEstimate.named(self.steps[self._index].mood))

    def _next(self) -> bool:
        self._timer = 0
        if self._index + 1 < len(self.steps):
            self._index += 1
            step = self.steps[self._index]
            log.info("scripted mood (not a camera reading): %s for %g s", step.mood,
                     step.seconds)
            if step.seconds < 1e6:
                self._timer = GLib.timeout_add(int(step.seconds * 1000), self._next)
            if self._emit is not None:
                self._emit(MoodEstimate.named(step.mood))
        return False

    def stop(self) -> None:
        """Nothing to release; the script keeps its place (it follows wall time)."""
        self._emit = None

    def close(self) -> None:
        """Cancel the script's timer."""
        if self._timer:
            GLib.source_remove(self._timer)
            self._timer = 0
        self._emit = None
