"""``moodplayer report``: one self-contained HTML page about what the agent did.

Inline SVG, no scripts, no external files: the moods and the queued tracks as points in
one valence-arousal picture, each track coloured by what became of it (played, skipped,
taken out again, ...); mood over time; and the list of tracks with their reasons and
outcomes.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from moodplayer import paths
from moodplayer.agent.store import REMOVED, Decision, Feedback, MoodSample, StateStore
from moodplayer.emotion import MOOD_CENTRES, MOODS, VA
from moodplayer.exceptions import ConfigError, RecommendError
from moodplayer.options import output_refusal
from moodplayer.tracks import track_id, track_name

#: One colour per mood label, for the plot's dots and the table.
MOOD_COLOURS = {
    "happy": "#e6a100", "energetic": "#d9480f", "tense": "#c92a2a",
    "sad": "#364fc7", "calm": "#2b8a3e", "neutral": "#868e96", "absent": "#dee2e6",
}
#: What became of a queued track, strongest first: (feedback kind, outcome, colour).
#: A track the agent heard nothing more of (yet) is ``WAITING``.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("disliked", "disliked", "#c92a2a"),
    ("liked", "liked", "#2b8a3e"),
    ("skipped", "skipped", "#e03131"),
    ("played", "played", "#37b24d"),
    (REMOVED, "taken out", "#868e96"),
    ("started", "started", "#1c7ed6"),
)
WAITING = "no outcome yet"
OUTCOME_COLOURS = {outcome: colour for _kind, outcome, colour in OUTCOMES} | \
    {WAITING: "#ffffff"}
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


def outcome_of(decision: Decision, feedback: Sequence[Feedback]) -> str:
    """What became of ``decision``'s track: the strongest of ``OUTCOMES`` its feedback
    shows, or ``WAITING``."""
    kinds = {f.kind for f in feedback if f.decision_id == decision.id}
    return next((outcome for kind, outcome, _c in OUTCOMES if kind in kinds), WAITING)


#: Radius of a pick's numbered disc in the picture, in SVG units.
DISC_RADIUS = 9.0


def _rings(x: float, y: float, step: float) -> Iterator[tuple[float, float]]:
    """Places around (x, y), nearest first: the point, then rings ``step`` apart."""
    yield x, y
    for ring in range(1, 40):
        r = ring * step
        count = max(6, int(2 * math.pi * r / step))
        for k in range(count):
            angle = 2 * math.pi * k / count
            yield x + r * math.cos(angle), y + r * math.sin(angle)


def spread_discs(points: Sequence[tuple[float, float]], radius: float,
                 box: tuple[float, float, float, float],
                 centre: tuple[float, float]) -> list[tuple[float, float]]:
    """Centres for discs of ``radius`` drawn at ``points``, in order, so that none hides
    another: each stays at its point if that is free, else takes the nearest free place
    around it inside ``box`` (x0, y0, x1, y1) and on the same side of both axes through
    ``centre`` (its quadrant); where none is left, its own point."""
    gap = 2 * radius + 1.0
    # Placed centres by grid cell of side ``gap``: a disc can only touch those of the 3x3
    # cells around its own.
    cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def cell(x: float, y: float) -> tuple[int, int]:
        return int(x // gap), int(y // gap)

    def free(x: float, y: float, side: tuple[int, int]) -> bool:
        gx, gy = cell(x, y)
        return (box[0] + radius <= x <= box[2] - radius
                and box[1] + radius <= y <= box[3] - radius
                and side[0] * (x - centre[0]) >= 0 and side[1] * (y - centre[1]) >= 0
                and all(math.hypot(x - qx, y - qy) >= gap
                        for i in (-1, 0, 1) for j in (-1, 0, 1)
                        for qx, qy in cells.get((gx + i, gy + j), ())))

    placed = []
    for px, py in points:
        side = (px > centre[0]) - (px < centre[0]), (py > centre[1]) - (py < centre[1])
        chosen = next((c for c in _rings(px, py, radius * 0.75) if free(*c, side)), (px, py))
        cells.setdefault(cell(*chosen), []).append(chosen)
        placed.append(chosen)
    return placed


def _plane(moods: Sequence[MoodSample], decisions: Sequence[Decision],
           outcomes: Sequence[str], positions: Mapping[str, VA], size: int = 480) -> str:
    """Moods (small dots, joined in time order) and picks (numbered, coloured by outcome)
    in one valence-arousal square; a pick whose place another disc already holds is drawn
    beside it, in the same quadrant, with a line to its own point."""
    pad, rim = 46, 12  # the square reaches ``rim`` beyond -1 and +1: discs there fit
    span = size - 2 * pad

    def x(valence: float) -> float:
        return pad + (valence + 1.0) / 2.0 * span

    def y(arousal: float) -> float:
        return pad + (1.0 - arousal) / 2.0 * span

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='plane' viewBox='0 0 {size} "
             f"{size}' width='{size}' height='{size}' role='img' aria-label='moods and "
             "queued tracks in the valence-arousal plane'>",
             f"<rect x='{pad - rim}' y='{pad - rim}' width='{span + 2 * rim}' "
             f"height='{span + 2 * rim}' fill='#f8f9fa' stroke='#ced4da'/>",
             f"<line class='valence-zero' x1='{x(0)}' x2='{x(0)}' y1='{pad - rim}' "
             f"y2='{pad + span + rim}' stroke='#ced4da'/>",
             f"<line class='arousal-zero' x1='{pad - rim}' x2='{pad + span + rim}' "
             f"y1='{y(0)}' y2='{y(0)}' stroke='#ced4da'/>",
             f"<text x='{size / 2}' y='{size - 8}' text-anchor='middle' font-size='12'>"
             "valence: unpleasant ← → pleasant</text>",
             f"<text x='16' y='{size / 2}' text-anchor='middle' font-size='12' "
             f"transform='rotate(-90 16 {size / 2})'>arousal: calm ← → excited</text>"]
    for mood, centre in MOOD_CENTRES.items():
        if mood != "neutral":
            parts.append(f"<text class='region' x='{x(centre.valence):.1f}' "
                         f"y='{y(centre.arousal) - 12:.1f}' text-anchor='middle' font-size='15' "
                         f"fill='{MOOD_COLOURS[mood]}' opacity='0.45'>{mood}</text>")
    if moods:
        trail = " ".join(f"{x(m.valence):.1f},{y(m.arousal):.1f}" for m in moods)
        parts.append(f"<polyline class='mood-trail' fill='none' stroke='#adb5bd' "
                     f"stroke-width='1' points='{trail}'/>")
    for m in moods:
        parts.append(f"<circle class='mood' cx='{x(m.valence):.1f}' cy='{y(m.arousal):.1f}' "
                     f"r='3.5' fill='{MOOD_COLOURS.get(m.mood, '#000')}' opacity='0.7'>"
                     f"<title>mood {html.escape(m.mood)} at {_clock(m.ts)}</title></circle>")
    shown = [(number, d, outcome, positions[d.path]) for number, (d, outcome)
             in enumerate(zip(decisions, outcomes, strict=True), 1) if d.path in positions]
    discs = spread_discs([(x(p.valence), y(p.arousal)) for *_, p in shown], DISC_RADIUS,
                         (pad - rim, pad - rim, pad + span + rim, pad + span + rim),
                         (x(0.0), y(0.0)))
    for (number, *_, point), (cx, cy) in zip(shown, discs, strict=True):
        px, py = x(point.valence), y(point.arousal)
        if (cx, cy) != (px, py):  # beneath every disc, so no line crosses a number
            parts.append(f"<line class='leader' data-pick='{number}' x1='{px:.1f}' "
                         f"y1='{py:.1f}' x2='{cx:.1f}' y2='{cy:.1f}' stroke='#495057' "
                         f"stroke-width='1'/><circle class='at' cx='{px:.1f}' cy='{py:.1f}' "
                         "r='2' fill='#495057'/>")
    for (number, d, outcome, _), (cx, cy) in zip(shown, discs, strict=True):
        parts.append(f"<g class='pick' data-outcome='{outcome}'><title>{number}. "
                     f"{html.escape(track_name(d.path, d.artist, d.title))}: {outcome} "
                     f"(queued for {html.escape(d.target)})</title><circle class='disc' "
                     f"cx='{cx:.1f}' cy='{cy:.1f}' r='{DISC_RADIUS:g}' "
                     f"fill='{OUTCOME_COLOURS[outcome]}' "
                     f"stroke='#212529' stroke-width='1.5'/><text x='{cx:.1f}' "
                     f"y='{cy + 4:.1f}' text-anchor='middle' font-size='10' "
                     f"fill='{'#212529' if outcome == WAITING else '#ffffff'}'>{number}</text>"
                     "</g>")
    parts.append("</svg>")
    return "".join(parts)


def render(moods: Sequence[MoodSample], decisions: Sequence[Decision],
           feedback: Sequence[Feedback], *, since: float, now: float,
           positions: Mapping[str, VA] | None = None, positions_note: str = "") -> str:
    """The report page for the given records.

    ``positions``: each queued track's place in the plane (by path), from the library;
    ``positions_note`` says in one line why there are none, where there are none.
    """
    positions = positions or {}
    outcomes = [outcome_of(d, feedback) for d in decisions]
    rows = []
    for number, (d, outcome) in enumerate(zip(decisions, outcomes, strict=True), 1):
        point = positions.get(d.path)
        where = f"{point.valence:+.2f}, {point.arousal:+.2f}" if point else "–"
        rows.append(
            f"<tr class='{outcome.replace(' ', '-')}'><td>{number}</td><td>{_clock(d.ts)}</td>"
            f"<td>{html.escape(track_name(d.path, d.artist, d.title))}</td>"
            f"<td>{html.escape(d.mood)}</td><td>{html.escape(d.target)}</td>"
            f"<td class='va'>{where}</td>"
            f"<td>{html.escape(d.reason)}</td><td class='outcome'><span class='swatch' "
            f"style='background:{OUTCOME_COLOURS[outcome]}'></span>{outcome}</td></tr>")
    skipped = sum(1 for o in outcomes if o in ("skipped", "disliked"))
    tally = ", ".join(f"{outcomes.count(o)} {o}" for o in OUTCOME_COLOURS if o in outcomes)
    outcome_legend = " ".join(
        f"<span class='key'><span class='swatch' style='background:{c}'></span>{o}</span>"
        for o, c in OUTCOME_COLOURS.items())
    missing = sum(1 for d in decisions if d.path not in positions)
    placed_note = (f"<p class='empty'>{html.escape(positions_note)}</p>" if positions_note
                   else f"<p class='empty'>{missing} queued track(s) are not in the library "
                        "any more and have no place in the picture.</p>" if missing else "")
    scripted = sum(1 for m in moods if m.source == "scripted")
    note = (f"<p class='scripted'>{scripted} of the {len(moods)} mood readings came from a "
            "scripted mood sequence (<code>--mood-script</code>), not from a face.</p>"
            if scripted else "")
    legend = " ".join(f"<span style='color:{MOOD_COLOURS[m]}'>● {m}</span>" for m in MOODS)
    table = ("<table><thead><tr><th>#</th><th>queued at</th><th>track</th><th>mood</th>"
             "<th>target</th><th>valence, arousal</th><th>why</th><th>outcome</th></tr>"
             "</thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else \
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
tr.taken-out td {{ color: #868e96; }}
.swatch {{ display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
  border: 1px solid #212529; margin-right: 0.3em; vertical-align: -0.05em; }}
.key {{ margin-right: 1em; white-space: nowrap; }}
.empty {{ color: #868e96; }}
.scripted {{ background: #fff3bf; padding: 4px 8px; }}
</style>
</head>
<body>
<h1>moodplayer report</h1>
<p>From {_clock(since) if since > 0 else "the start"} to {_clock(now)}:
{len(moods)} mood readings, {len(decisions)} tracks queued, {skipped} skipped.</p>
<h2>Where the music sat</h2>
<p>Your moods (small dots, joined in time order; colours as below) and the tracks queued
for them (numbered as in the list), each coloured by what became of it{": " + tally if tally
else ""}.</p>
<p>{outcome_legend}</p>
{placed_note}
{_plane(moods, decisions, outcomes, positions)}
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


def write_report(store: StateStore, target: Path, *, since: float, now: float,
                 positions: Mapping[str, VA] | None = None, positions_note: str = "") -> Path:
    """Write the report for records since ``since`` to ``target`` and return it.

    ``positions`` and ``positions_note`` as for :func:`render`. Only a regular file in an
    existing folder is written, whole or not at all: a folder, a device, a missing or
    unwritable folder is refused with a ConfigError saying why.
    """
    refusal = output_refusal(target)
    if refusal:
        raise ConfigError(f"report not written: {target} {refusal}")
    page = render(store.moods(since), store.decisions(since), store.feedback(since),
                  since=since, now=now, positions=positions, positions_note=positions_note)
    try:
        return paths.write_private(target, page)
    except OSError as exc:
        raise ConfigError(f"report not written: {target}: {exc.strerror}") from exc


def track_positions(library: Path, directory: Path | None = None) -> tuple[dict[str, VA], str]:
    """Each annotated track's place in the plane (moodtag valence, arousal) by track id,
    and an empty note; or no places and a one-line note saying why (``library`` is not a
    readable beets library)."""
    from moodplayer.music.library import load_tracks

    try:
        tracks = load_tracks(library, directory)
    except RecommendError as exc:
        return {}, f"The queued tracks have no place in the picture: {exc}"
    valence, arousal = tracks.column("valence"), tracks.column("arousal")
    return {track_id(path): VA(float(v), float(a))
            for path, v, a in zip(tracks.paths, valence, arousal, strict=True)
            if math.isfinite(v) and math.isfinite(a)}, ""  # NaN: not annotated
