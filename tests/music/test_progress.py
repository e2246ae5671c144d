"""The progress bar draws on a terminal only, with counts, rate and time left."""

from __future__ import annotations

import io

from moodplayer.music.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_shows_counts_rate_and_time_left():
    out = _Terminal()
    bar = Progress(4, out)
    bar.advance()
    bar.advance()
    bar.close()
    text = out.getvalue()
    assert "\r[" in text and "2/4" in text
    assert "tracks/s" in text and "left" in text
    assert text.endswith("\n")


def test_no_bar_when_output_is_not_a_terminal():
    out = io.StringIO()
    bar = Progress(3, out)
    bar.advance()
    bar.close()
    assert out.getvalue() == ""
