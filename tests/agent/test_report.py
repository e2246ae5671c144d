"""`moodplayer report`: a self-contained HTML page of moods and queued tracks in the
valence-arousal plane, mood over time, and every queued track with its real outcome."""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import stat
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from moodplayer.agent.config import load_config
from moodplayer.agent.report import DISC_RADIUS, OUTCOME_COLOURS, parse_since, render
from moodplayer.agent.store import REMOVED, Decision, MoodSample, StateStore
from moodplayer.emotion import VA
from moodplayer.exceptions import ConfigError

VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "line", "polyline", "rect"}


class Structure(HTMLParser):
    """Checks that every tag is closed in order; collects tags, attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _fill(store: StateStore, t0: float, paths: tuple[str, str, str] = (
        "/m/sun.flac", "/m/rain.ogg", "/m/party.mp3")) -> None:
    """Ten mood readings (happy, then sad) and three picks: played, skipped, taken out."""
    sun, rain, party = paths
    for i, mood in enumerate(["happy"] * 5 + ["sad"] * 5):
        store.add_mood(MoodSample(t0 + 10 * i, mood, 0.7 if mood == "happy" else -0.6,
                                  0.4 if mood == "happy" else -0.4, 0.8, "scripted"))
    store.add_decision(ts=t0 + 1, mood="happy", target="happy", path=sun,
                       title="Morning <Run>", artist="The Sunny Days",
                       reason="128 BPM, major: bright for a happy mood", player="mpv")
    store.add_decision(ts=t0 + 2, mood="happy", target="happy", path=party,
                       title="Full Throttle", artist="Voltage Kids",
                       reason="144 BPM, major: upbeat for a happy mood", player="mpv")
    store.add_decision(ts=t0 + 55, mood="sad", target="sad", path=rain,
                       title="Empty Rooms", artist="Grey Harbour",
                       reason="66 BPM, minor: slow for a sad mood", player="mpv")
    store.add_feedback(ts=t0 + 20, kind="played", path=sun, player="mpv", position_s=30.0)
    store.add_feedback(ts=t0 + 50, kind=REMOVED, path=party, player="mpv")
    store.add_feedback(ts=t0 + 60, kind="skipped", path=rain, player="mpv", position_s=3.0)


def test_report_shows_mood_tracks_reasons_and_skips(tmp_path: Path, moodplayer_cmd):
    t0 = time.time() - 600
    with StateStore() as store:
        _fill(store, t0)
    out = tmp_path / "report.html"
    result = subprocess.run([*moodplayer_cmd, "report", "--since", "1h", "-o", str(out)],
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == str(out)
    page = Structure()
    page.feed(out.read_text(encoding="utf-8"))
    page.close()
    assert page.errors == [] and page.stack == []
    names = [tag for tag, _ in page.tags]
    # Self-contained: no scripts, no external resources.
    assert "script" not in names
    assert not any(a.get("src") or a.get("href") for _, a in page.tags)
    lines = [a for tag, a in page.tags if tag == "polyline" and a["class"] != "mood-trail"]
    assert {a["class"] for a in lines} == {"valence", "arousal"}
    assert all(len(a["points"].split()) == 19 for a in lines)  # 10 readings, as steps
    rows = [a.get("class") for tag, a in page.tags if tag == "tr" and a.get("class")]
    assert rows == ["played", "taken-out", "skipped"]  # taken out again is not "queued"
    text = "".join(page.text)
    assert "Morning <Run>" in text  # escaped in the page, intact when read
    assert "66 BPM, minor: slow for a sad mood" in text
    assert "10 mood readings, 3 tracks queued, 1 skipped" in " ".join(text.split())
    # the tracks are not in any library here: the picture says why they are missing
    assert "The queued tracks have no place in the picture: " in text
    moods = [a for tag, a in page.tags if tag == "circle" and a.get("class") == "mood"]
    assert len(moods) == 10
    assert "10 of the 10 mood readings came from a scripted mood sequence" in \
        " ".join(text.split())


def test_since_limits_the_period(tmp_path: Path, moodplayer_cmd):
    with StateStore() as store:
        _fill(store, time.time() - 3 * 86400)
    out = tmp_path / "r.html"
    subprocess.run([*moodplayer_cmd, "report", "--since", "1d", "-o", str(out)],
                   check=True, timeout=60, capture_output=True)
    text = out.read_text(encoding="utf-8")
    assert "No mood readings in this period" in text
    assert "No tracks queued in this period" in text


def test_since_forms():
    now = 1_000_000.0
    assert parse_since("30m", now) == now - 1800
    assert parse_since("2h", now) == now - 7200
    assert parse_since("1w", now) == now - 604800
    assert parse_since("2026-01-31T18:00+00:00", now) == 1769882400.0
    with pytest.raises(ValueError, match=r"expected e\.g\. 30m"):
        parse_since("yesterday", now)


def _chromium() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium) to render the page")
    return browser


def _headless(browser: str, page: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                             "--hide-scrollbars", *args, page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    return result


def _library_tracks(library: Path) -> dict[str, tuple[str, float, float]]:
    """title -> (path, valence, arousal) of the annotated library's tracks."""
    from moodplayer.music.library import load_tracks

    tracks = load_tracks(library / "library.db", library / "music", use_cache=False)
    return {t: (p, float(v), float(a)) for t, p, v, a in
            zip(tracks.titles, tracks.paths, tracks.column("valence"),
                tracks.column("arousal"), strict=True)}


def test_report_places_each_pick_in_the_plane_coloured_by_its_outcome_in_chromium(
        tmp_path: Path, moodplayer_cmd, make_config, annotated_library):
    """Picks of a real annotated library, drawn where the library puts them: the browser's
    own rendering of the picture has each outcome's colour at its track's point."""
    import cv2

    browser = _chromium()
    tracks = _library_tracks(annotated_library)
    titles: list[str] = []  # three tracks far enough apart that no disc hides another
    for title, (_, v, a) in sorted(tracks.items()):
        if all(math.dist((v, a), tracks[t][1:]) > 0.2 for t in titles) and len(titles) < 3:
            titles.append(title)
    assert len(titles) == 3, tracks
    with StateStore() as store:
        _fill(store, time.time() - 600, tuple(tracks[t][0] for t in titles))
    out = tmp_path / "report.html"
    subprocess.run([*moodplayer_cmd, "report", "-c", str(make_config(annotated_library)),
                    "-o", str(out)], check=True, timeout=60, capture_output=True)
    dom = _headless(browser, out, "--dump-dom").stdout
    page = Structure()
    page.feed(dom)
    tags = page.tags
    picks = [(a["data-outcome"], next(d for t, d in tags[i:]
                                       if t == "circle" and d.get("class") == "disc"))
             for i, (tag, a) in enumerate(tags) if tag == "g" and a.get("class") == "pick"]
    assert [outcome for outcome, _ in picks] == ["played", "taken out", "skipped"]
    assert "no place in the picture" not in dom
    # the axes: where valence 0 and arousal 0 are drawn
    x0 = next(float(a["x1"]) for tag, a in tags if a.get("class") == "valence-zero")
    y0 = next(float(a["y1"]) for tag, a in tags if a.get("class") == "arousal-zero")
    # The plane on its own, as the browser draws it (1 CSS pixel per SVG unit).
    plane = re.search(r"<svg[^>]*class=[\"']plane[\"'].*?</svg>", dom, re.S)
    assert plane is not None, dom[:2000]
    svg = tmp_path / "plane.svg"
    svg.write_text(plane.group(0), encoding="utf-8")
    shot = tmp_path / "plane.png"
    size = int(re.search(r"width=[\"'](\d+)", plane.group(0)).group(1))
    _headless(browser, svg, f"--window-size={size},{size}", f"--screenshot={shot}")
    _headless(browser, out, "--window-size=1100,1700", f"--screenshot={tmp_path / 'page.png'}")
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (size, size)
    written = dict(zip(("played", "skipped", "taken out"), titles, strict=True))
    for outcome, disc in picks:
        _, valence, arousal = tracks[written[outcome]]
        cx, cy = float(disc["cx"]), float(disc["cy"])
        # on the side of each axis where the library puts the track
        assert (cx > x0) == (valence > 0) and (cy < y0) == (arousal > 0), (outcome, disc)
        hex_colour = OUTCOME_COLOURS[outcome].lstrip("#")
        want = [int(hex_colour[i:i + 2], 16) for i in (4, 2, 0)]  # BGR
        near = image[round(cy) - 6:round(cy) + 7, round(cx) - 6:round(cx) + 7].reshape(-1, 3)
        assert any(all(abs(int(c) - w) <= 12 for c, w in zip(pixel, want, strict=True))
                   for pixel in near), f"{outcome} is not drawn in its colour at {cx},{cy}"


def test_picks_at_one_place_are_all_readable_in_the_plane():
    """A model sure of its music puts many tracks in the same corner: twelve picks at one
    point and three just across the axes each get a disc no other disc covers, in the
    quadrant of its track, with a line from its own point where it had to move."""
    now = time.time()
    corner = [(f"/m/sure{i}.flac", VA(0.97, 0.95)) for i in range(12)]
    across = [("/m/q2.flac", VA(-0.02, 0.3)), ("/m/q4.flac", VA(0.02, -0.02)),
              ("/m/q3.flac", VA(-0.02, -0.02))]
    picks = corner + across
    decisions = [Decision(i, now - 60 + i, "happy", "happy", path, f"T{i}", "A", "", "mpv")
                 for i, (path, _) in enumerate(picks)]
    page = Structure()
    page.feed(render([], decisions, [], since=now - 600, now=now,
                     positions=dict(picks)))
    assert page.errors == []
    tags = page.tags
    x0 = next(float(a["x1"]) for _, a in tags if a.get("class") == "valence-zero")
    y0 = next(float(a["y1"]) for _, a in tags if a.get("class") == "arousal-zero")
    groups = [i for i, (tag, a) in enumerate(tags) if tag == "g" and a.get("class") == "pick"]
    assert len(groups) == len(picks)
    discs = [(float(a["cx"]), float(a["cy"])) for _, a in (
        next((t, a) for t, a in tags[i:] if t == "circle" and a.get("class") == "disc")
        for i in groups)]
    lines = {int(a["data-pick"]): a for _, a in tags if a.get("class") == "leader"}
    leaders = [lines.get(number) for number in range(1, len(picks) + 1)]  # as the table numbers
    # every line is drawn before (beneath) the first disc: none crosses a number
    assert max(i for i, (_, a) in enumerate(tags) if a.get("class") == "leader") < groups[0]
    for i, j in itertools.combinations(range(len(discs)), 2):
        assert math.dist(discs[i], discs[j]) >= 2 * DISC_RADIUS, (i, j, discs[i], discs[j])
    for (_, point), (cx, cy), leader in zip(picks, discs, leaders, strict=True):
        assert (cx > x0) == (point.valence > 0) and (cy < y0) == (point.arousal > 0)
        if leader is not None:  # drawn from the track's own point to its disc
            assert (float(leader["x2"]), float(leader["y2"])) == (cx, cy)
    assert leaders[0] is None and sum(leader is not None for leader in leaders) >= 11
    first = (float(leaders[1]["x1"]), float(leaders[1]["y1"]))
    assert math.dist(first, discs[0]) < 0.2  # every move starts at the corner point


def _report(moodplayer_cmd, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*moodplayer_cmd, "report", "-o", str(out)], capture_output=True,
                          text=True, timeout=60)


def test_report_refuses_a_folder_and_leaves_nothing_behind(tmp_path: Path, moodplayer_cmd):
    folder = tmp_path / "reports"
    folder.mkdir()
    result = _report(moodplayer_cmd, folder)
    assert result.returncode == 2
    assert result.stderr.strip() == f"moodplayer: report not written: {folder} is a folder, " \
        "not a file"
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no reports.partial


def test_report_never_writes_through_a_pipe_or_device(tmp_path: Path, moodplayer_cmd):
    """As root, `report -o /dev/full` replaced the device node with an HTML file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = _report(moodplayer_cmd, fifo)
    assert result.returncode == 2
    assert f"{fifo} is not a regular file (a device, socket or pipe)" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_report_creates_no_missing_folder(tmp_path: Path, moodplayer_cmd):
    out = tmp_path / "not" / "there" / "r.html"
    result = _report(moodplayer_cmd, out)
    assert result.returncode == 2
    assert result.stderr == f"moodplayer: report not written: {out} is in a folder that " \
        f"does not exist ({out.parent})\n"
    assert not (tmp_path / "not").exists()


def test_report_into_an_unwritable_folder_is_one_line(tmp_path: Path, moodplayer_cmd):
    if os.geteuid() == 0:  # root writes into any folder, but not into sysfs
        folder = Path("/sys")
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
    before = sorted(folder.iterdir())
    result = _report(moodplayer_cmd, folder / "r.html")
    assert result.returncode == 2
    assert result.stderr.startswith(f"moodplayer: report not written: {folder / 'r.html'}: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert sorted(folder.iterdir()) == before


@pytest.mark.parametrize("kind", ["folder", "pipe", "missing-folder"])
def test_log_file_must_be_a_regular_file_in_an_existing_folder(tmp_path, make_config, kind):
    target = {"folder": tmp_path, "pipe": tmp_path / "pipe",
              "missing-folder": tmp_path / "nowhere" / "agent.log"}[kind]
    if kind == "pipe":
        os.mkfifo(target)
    with pytest.raises(ConfigError, match=r"moodplayer\.log_file: expected a regular file in "
                       r"an existing folder"):
        load_config(make_config(tmp_path, f"log_file: {target}"))
    assert not (tmp_path / "nowhere").exists()
