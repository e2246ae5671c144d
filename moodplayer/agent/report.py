"""``moodplayer report``: one self-contained HTML page about what the agent did.

A plot of mood over time (inline SVG, no scripts, no external files), the tracks the
agent queued with their reasons, and what became of each (played, skipped, liked).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from pathlib import Path

from moodplayer import paths
from moodplayer.agent.store import Decision, Feedback, MoodSample, StateStore
from moodplayer.emotion import MOODS
from moodplayer.exceptions import ConfigError
from moodplayer.options import output_refusal
from moodplayer.tracks import track_name

#: One colour per mood label, for the plot's dots and the table.
MOOD_COLOURS = {
    "happy": "#e6a100", "energetic": "#d9480f", "tense": "#c92a2a",
    "sad": "#364fc7", "calm": "#2b8a3e", "neutral": "#868e96", "absent": "#dee2e6",
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float) -> float:
    """``30m``, ``2h``, ``1d``, ``1w`` ago, or an ISO date/time, as epoch seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text)
    if match:
        return max(0.0, now - float(match.group(1)) * _UNITS[match.group(2)])
    try:
        when = dt.datetime.fromisoformat(text.strip())
        return max(0.0, when.timestamp() if when.tzinfo else when.astimezone().timestamp())
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"--since {text!r}: expected e.g. 30m, 2h, 1d or 2026-01-31T18:00"
                         ) from exc


def _clock(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _plot(moods: Sequence[MoodSample], width: int = 900, height: int = 260) -> str:
    if not moods:
        return "<p class='empty'>No mood readings in this period.</p>"
    t0, t1 = moods[0].ts, max(moods[-1].ts, moods[0].ts + 1.0)
    left, right, top, bottom = 50, width - 10, 10, height - 30

    def x(ts: float) -> float:
        return left + (ts - t0) / (t1 - t0) * (right - left)

    def y(value: float) -> float:
        return top + (1.0 - value) / 2.0 * (bottom - top)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
             f"width='{width}' height='{height}' role='img' "
             f"aria-label='valence and arousal over time'>"]
    for value in (-1.0, 0.0, 1.0):
        parts.append(f"<line x1='{left}' x2='{right}' y1='{y(value):.1f}' y2='{y(value):.1f}'"
                     " stroke='#ced4da' stroke-width='1'/>")
        parts.append(f"<text x='{left - 6}' y='{y(value) + 4:.1f}' text-anchor='end' "
                     f"font-size='11'>{value:+.0f}</text>")
    for label, ts in ((_clock(t0), t0), (_clock(t1), t1)):
        anchor = "start" if ts == t0 else "end"
        parts.append(f"<text x='{x(ts):.1f}' y='{height - 8}' text-anchor='{anchor}' "
                     f"font-size='11'>{html.escape(label)}</text>")
    for attr, colour in (("valence", "#1971c2"), ("arousal", "#e8590c")):
        # Steps: a mood holds until the next reading changes it.
        steps = [(moods[0].ts, getattr(moods[0], attr))]
        for m in moods[1:]:
            steps += [(m.ts, steps[-1][1]), (m.ts, getattr(m, attr))]
        points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in steps)
        parts.append(f"<polyline class='{attr}' fill='none' stroke='{colour}' "
                     f"stroke-width='2' points='{points}'/>")
    for m in moods:
        parts.append(f"<circle cx='{x(m.ts):.1f}' cy='{bottom + 6}' r='3' "
                     f"fill='{MOOD_COLOURS.get(m.mood, '#000')}'><title>"
                     f"{html.escape(m.mood)} {_clock(m.ts)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def _outcome(decision: Decision, feedback: Sequence[Feedback]) -> str:
    kinds = [f.kind for f in feedback if f.decision_id == decision.id]
    for kind in ("disliked", "liked", "skipped", "played", "started"):
        if kind in kinds:
            return kind
    return "queued"


def render(moods: Sequence[MoodSample], decisions: Sequence[Decision],
           feedback: Sequence[Feedback], *, since: float, now: float) -> str:
    """The report page for the given records."""
    rows = []
    for d in decisions:
        outcome = _outcome(d, feedback)
        rows.append(
            f"<tr class='{outcome}'><td>{_clock(d.ts)}</td>"
            f"<td>{html.escape(track_name(d.path, d.artist, d.title))}</td>"
            f"<td>{html.escape(d.mood)}</td><td>{html.escape(d.target)}</td>"
            f"<td>{html.escape(d.reason)}</td><td class='outcome'>{outcome}</td></tr>")
    skipped = sum(1 for d in decisions if _outcome(d, feedback) in ("skipped", "disliked"))
    scripted = sum(1 for m in moods if m.source == "scripted")
    note = (f"<p class='scripted'>{scripted} of the {len(moods)} mood readings came from a "
            "scripted mood sequence (<code>--mood-script</code>), not from a face.</p>"
            if scripted else "")
    legend = " ".join(f"<span style='color:{MOOD_COLOURS[m]}'>● {m}</span>" for m in MOODS)
    table = ("<table><thead><tr><th>queued at</th><th>track</th><th>mood</th>"
             "<th>target</th><th>why</th><th>outcome</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table>") if rows else \
        "<p class='empty'>No tracks queued in this period.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>moodplayer report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #212529; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 4px 8px; border-bottom: 1px solid #dee2e6; }}
tr.skipped td.outcome, tr.disliked td.outcome {{ color: #c92a2a; font-weight: bold; }}
tr.played td.outcome, tr.liked td.outcome {{ color: #2b8a3e; }}
.empty {{ color: #868e96; }}
.scripted {{ background: #fff3bf; padding: 4px 8px; }}
</style>
</head>
<body>
<h1>moodplayer report</h1>
<p>From {_clock(since) if since > 0 else "the start"} to {_clock(now)}:
{len(moods)} mood readings, {len(decisions)} tracks queued, {skipped} skipped.</p>
<h2>Mood over time</h2>
<p><span style="color:#1971c2">― valence</span> (unpleasant −1 … pleasant +1),
<span style="color:#e8590c">― arousal</span> (calm −1 … excited +1); dots: {legend}</p>
{note}
{_plot(moods)}
<h2>Tracks queued</h2>
{table}
</body>
</html>
"""


def default_report_path() -> Path:
    """Where ``moodplayer report`` (and the tray) write the report by default."""
    return paths.data_dir() / "moodplayer-report.html"


def write_report(store: StateStore, target: Path, *, since: float, now: float) -> Path:
    """Write the report for records since ``since`` to ``target`` and return it.

    Only a regular file in an existing folder is written, whole or not at all: a folder,
    a device, a missing or unwritable folder is refused with a ConfigError saying why.
    """
    refusal = output_refusal(target)
    if refusal:
        raise ConfigError(f"report not written: {target} {refusal}")
    page = render(store.moods(since), store.decisions(since), store.feedback(since),
                  since=since, now=now)
    try:
        return paths.write_private(target, page)
    except OSError as exc:
        raise ConfigError(f"report not written: {target}: {exc.strerror}") from exc
