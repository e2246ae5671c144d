"""Whole runs: the import stage through a real import, `beet -c CONFIG moodtag` as a user
types it, and Ctrl-C in the middle of a run."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest
from beets import config
from beets.test.helper import ImportHelper, PluginMixin

from moodplayer.music import samples
from moodplayer.music.analyze import ANALYSIS_VERSION
from tests.music.conftest import FORMATS


class TestImportStage(PluginMixin, ImportHelper):
    plugin: ClassVar[str] = "moodtag"

    def test_import_annotates_new_items(self, clips):
        album = self.import_path / "album"
        album.mkdir()
        for suffix in FORMATS:
            shutil.copy(clips[suffix].path, album)
        config["moodtag"]["jobs"] = 1
        config["moodtag"]["lastfm"] = False
        self.setup_importer(autotag=False).run()
        items = list(self.lib.items())
        assert len(items) == len(FORMATS)
        for item in items:
            assert item.moodtag_version == ANALYSIS_VERSION
            assert item.bpm > 0 and item.initial_key


def _beet(config_path: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "beets", "-c", str(config_path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


@pytest.fixture
def throwaway(tmp_path: Path) -> Path:
    """A beets config of its own: library, directory, `plugins: moodtag`, no Last.fm."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"directory: {tmp_path / 'music'}\nlibrary: {tmp_path / 'library.db'}\n"
        "plugins: moodtag\nimport:\n  copy: no\n  write: no\n"
        "moodtag:\n  auto: no\n  lastfm: no\n  jobs: 1\n",
        encoding="utf-8")
    return cfg


def _import(cfg: Path, directory: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "beets", "-c", str(cfg), "import", "-q", "-A",
                           str(directory)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def _annotated(cfg: Path) -> list[dict[str, str]]:
    """item id -> {field: value} of the moodtag fields in the library database."""
    db = sqlite3.connect(cfg.parent / "library.db")
    try:
        rows = db.execute("SELECT entity_id, key, value FROM item_attributes "
                          "WHERE key LIKE 'moodtag_%'").fetchall()
    finally:
        db.close()
    out: dict[int, dict[str, str]] = {}
    for entity, key, value in rows:
        out.setdefault(entity, {})[key] = value
    return list(out.values())


def test_user_config_run_and_listing(throwaway, tmp_path):
    tracks = samples.build_sample_library(tmp_path / "incoming", 3, seconds=12)
    _import(throwaway, tmp_path / "incoming")
    run = _beet(throwaway, "moodtag")
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "moodtag: analysed 3, skipped 0, failed 0" in out
    listed = _beet(throwaway, "ls", "-f", "$title|$bpm|$initial_key|$moodtag_mood")
    lines = sorted(listed.communicate(timeout=60)[0].splitlines())
    assert len(lines) == 3
    for track in tracks:
        line = next(ln for ln in lines if ln.startswith(track.title + "|"))
        _, bpm, key, mood = line.split("|")
        assert abs(int(bpm) - track.bpm) <= 0.04 * track.bpm
        assert key == track.tonic + ("m" if track.mode == "minor" else "")
        assert mood in ("happy", "sad", "calm", "energetic", "tense", "neutral")


def _terminal_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_keeps_finished_items_and_leaves_the_rest(throwaway, tmp_path):
    incoming = tmp_path / "incoming"
    for i in range(12):
        samples.render_tune(incoming / f"{i:02d}.flac", seconds=12, bpm=90 + 5 * i, seed=i,
                            title=f"t{i}", artist="a")
    _import(throwaway, incoming)
    # As a terminal starts it: its own process group, Ctrl-C neither ignored nor blocked
    # (a child inherits both from the test process, which other tests may have changed).
    run = _beet(throwaway, "moodtag", start_new_session=True, preexec_fn=_terminal_signals)
    deadline = time.monotonic() + 120
    while not _annotated(throwaway) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C goes to the whole foreground group
    out, err = run.communicate(timeout=120)
    assert "interrupted" in out + err
    done = _annotated(throwaway)
    assert 0 < len(done) < 12
    complete = set(_FIELDS)
    for fields in done:
        assert complete <= set(fields), "an item was half-written"
        assert fields["moodtag_version"] == str(ANALYSIS_VERSION)
    # The rest were left alone, and a second run picks them up.
    rerun = _beet(throwaway, "moodtag")
    out, _ = rerun.communicate(timeout=300)
    assert f"analysed {12 - len(done)}, skipped {len(done)}, failed 0" in out


_FIELDS = ("moodtag_mode", "moodtag_key_strength", "moodtag_loudness", "moodtag_energy",
           "moodtag_valence", "moodtag_arousal", "moodtag_mood", "moodtag_analyzed")
