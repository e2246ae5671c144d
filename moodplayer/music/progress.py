"""A one-line progress bar for terminals: counts, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Draws ``[#####.....] 12/40  3.1 tracks/s  0:09 left`` on ``stream`` if it is a TTY."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = total
        self.done = 0
        self._stream = stream or sys.stderr
        self._width = width
        self._start = time.monotonic()
        self._active = total > 0 and bool(getattr(self._stream, "isatty", lambda: False)())

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more finished items and redraw."""
        self.done += n
        if self._active:
            self._stream.write("\r" + self.line())
            self._stream.flush()

    def line(self) -> str:
        """The bar as text (without a line ending)."""
        elapsed = max(time.monotonic() - self._start, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        filled = int(self._width * self.done / self.total) if self.total else self._width
        bar = "#" * filled + "." * (self._width - filled)
        minutes, seconds = divmod(int(left), 60)
        return (f"[{bar}] {self.done}/{self.total}  {rate:.1f} tracks/s  "
                f"{minutes}:{seconds:02d} left")

    def close(self) -> None:
        """End the bar's line so later output starts on a fresh one."""
        if self._active:
            self._stream.write("\n")
            self._stream.flush()
