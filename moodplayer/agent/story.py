"""The demo's story: what the agent does, told from its own log, one line a step.

The demo runs the agent as ``moodplayer -v run`` and reads its log. A record is told when
it is a step of the story (``STORY``): the face read, a mood change, a track taken out or
queued and why, what the player reported, the camera opened and released. Warnings and
errors are always told; a line that is not a log record (a crash) is passed on as it is.
Track paths are told as "Artist – Title", and each line starts with the seconds since
the agent started.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

#: How the story tells a mood change, a pick queued and one an earlier run queued that
#: is kept (see ``STORY``).
MOOD_CHANGE = "▶ mood: "
QUEUED = "queued "
TAKEN_BACK = "taking back "
#: A record as the agent's log writes it (``service.setup_logging``).
_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) "
                     r"(?P<logger>[\w.]+): (?P<message>.*)$")
#: (logger, message beginning, what the story says instead of that beginning) of the
#: records that tell the story.
STORY: tuple[tuple[str, str, str], ...] = (
    ("moodplayer.agent.service", "agent running", "agent running"),
    ("moodplayer.agent.service", "player ", "player "),
    ("moodplayer.vision.sensor", "mood: ", "the face reads as "),
    ("moodplayer.agent.scripted", "scripted mood", "scripted mood"),
    ("moodplayer.agent.service", "mood: ", MOOD_CHANGE),
    ("moodplayer.agent.service", "re-planning for ", "re-planning for "),
    ("moodplayer.agent.service", "queued ", QUEUED),
    ("moodplayer.agent.service", "taking back ", TAKEN_BACK),
    ("moodplayer.agent.service", "heard: ", "the player reports: "),
    ("moodplayer.agent.service", "leaving ", "leaving "),
    ("moodplayer.agent.service", "you took over", "you took over"),
    ("moodplayer.agent.camera", "camera ", "camera "),
)
_TOLD_ALWAYS = {"WARNING", "ERROR", "CRITICAL"}


class Story:
    """Turns the agent's log lines into the demo's story lines."""

    def __init__(self, names: Mapping[str, str], out: TextIO | None = None,
                 then: Callable[[str], None] | None = None) -> None:
        """``names``: track path -> "Artist – Title", as the library has them; ``then`` is
        called with each story line once it is told."""
        self._names = sorted(names.items(), key=lambda kv: -len(kv[0]))
        self._out = out or sys.stdout
        self._then = then
        self._start = time.monotonic()

    def _named(self, text: str) -> str:
        for path, name in self._names:
            if path in text:
                text = text.replace(path, name)
        return text

    def line(self, raw: str) -> str | None:
        """The story's line for one log line, or None where it is no part of the story."""
        raw = raw.rstrip("\n")
        record = _RECORD.match(raw)
        if record is None:
            return raw or None
        level, logger, message = record.group("level", "logger", "message")
        if level in _TOLD_ALWAYS:
            return self._named(f"{level.lower()}: {message}")
        for source, beginning, told in STORY:
            if logger == source and message.startswith(beginning):
                return self._named(told + message[len(beginning):])
        return None

    def tell(self, lines: Iterable[str]) -> None:
        """Print the story of ``lines`` as they come, each after the seconds since start."""
        for raw in lines:
            text = self.line(raw)
            if text is not None:
                print(f"  {time.monotonic() - self._start:4.0f} s  {text}", file=self._out,
                      flush=True)
                if self._then is not None:
                    self._then(text)
