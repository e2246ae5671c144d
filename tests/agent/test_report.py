"""`moodplayer report`: a self-contained HTML page of mood over time and queued tracks."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from moodplayer.agent.config import load_config
from moodplayer.agent.report import parse_since
from moodplayer.agent.store import MoodSample, StateStore
from moodplayer.exceptions import ConfigError

VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "line", "polyline"}


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


def _fill(store: StateStore, t0: float) -> None:
    for i, mood in enumerate(["happy"] * 5 + ["sad"] * 5):
        store.add_mood(MoodSample(t0 + 10 * i, mood, 0.7 if mood == "happy" else -0.6,
                                  0.4 if mood == "happy" else -0.4, 0.8, "scripted"))
    store.add_decision(ts=t0 + 1, mood="happy", target="happy", path="/m/sun.flac",
                       title="Morning <Run>", artist="The Sunny Days",
                       reason="128 BPM, major: bright for a happy mood", player="mpv")
    store.add_decision(ts=t0 + 55, mood="sad", target="sad", path="/m/rain.ogg",
                       title="Empty Rooms", artist="Grey Harbour",
                       reason="66 BPM, minor: slow for a sad mood", player="mpv")
    store.add_feedback(ts=t0 + 20, kind="played", path="/m/sun.flac", player="mpv",
                       position_s=30.0)
    store.add_feedback(ts=t0 + 60, kind="skipped", path="/m/rain.ogg", player="mpv",
                       position_s=3.0)


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
    lines = [a for tag, a in page.tags if tag == "polyline"]
    assert {a["class"] for a in lines} == {"valence", "arousal"}
    assert all(len(a["points"].split()) == 19 for a in lines)  # 10 readings, as steps
    rows = [a.get("class") for tag, a in page.tags if tag == "tr" and a.get("class")]
    assert rows == ["played", "skipped"]
    text = "".join(page.text)
    assert "Morning <Run>" in text  # escaped in the page, intact when read
    assert "66 BPM, minor: slow for a sad mood" in text
    assert "10 mood readings, 2 tracks queued, 1 skipped" in " ".join(text.split())
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


def test_report_renders_in_headless_chromium(tmp_path: Path, moodplayer_cmd):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium) to render the page")
    with StateStore() as store:
        _fill(store, time.time() - 600)
    out = tmp_path / "report.html"
    subprocess.run([*moodplayer_cmd, "report", "-o", str(out)], check=True, timeout=60,
                   capture_output=True)
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<svg" in dom.stdout and "Empty Rooms" in dom.stdout


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
