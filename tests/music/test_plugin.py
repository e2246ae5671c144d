"""`beet moodtag` on a real temporary beets library of real encoded files."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
from typing import ClassVar

import confuse
import pytest
from beets import config
from beets.test.helper import IOMixin, PluginTestHelper
from beets.ui import UserError
from mediafile import MediaFile

from beetsplug.moodtag.fields import ITEM_TYPES
from moodplayer.emotion import MOODS
from moodplayer.music.analyze import ANALYSIS_VERSION
from tests.music.conftest import FORMATS

AUDIO_FIELDS = [f for f in ITEM_TYPES if not f.startswith("moodtag_tag_")]
#: The bad_files that decode but cannot be analysed, and the status they get.
NOT_ANALYSABLE = {"short": "too_short", "silence": "silent"}


class MoodtagHelper(IOMixin, PluginTestHelper):
    plugin: ClassVar[str] = "moodtag"

    def setup_beets(self) -> None:
        super().setup_beets()
        # Never the real Last.fm: nothing listens on the discard port of loopback.
        config["moodtag"]["lastfm_server"] = "http://127.0.0.1:9/2.0/"
        config["moodtag"]["lastfm_retries"] = 0

    def add_clips(self, clips, copy_to=None) -> list:
        items = []
        for i, suffix in enumerate(FORMATS):
            path = clips[suffix].path
            if copy_to is not None:
                path = copy_to / path.name
                shutil.copy(clips[suffix].path, path)
            items.append(self.add_item(path=str(path), title=f"Title {i}",
                                       artist=f"Artist {i}", format=suffix[1:].upper()))
        return items

    def moodtag(self, *args: str) -> str:
        return self.run_with_output("moodtag", "-j", "1", *args)


class TestCommand(MoodtagHelper):
    def test_annotates_every_format(self, clips):
        items = self.add_clips(clips)
        out = self.moodtag("--no-lastfm")
        assert "moodtag: analysed 5, skipped 0, failed 0" in out
        for item, suffix in zip(items, FORMATS, strict=True):
            item.load()
            clip = clips[suffix]
            assert item.bpm == pytest.approx(clip.bpm, rel=0.04)
            assert item.initial_key == clip.tonic + ("m" if clip.mode == "minor" else "")
            assert item.moodtag_mode == clip.mode
            assert item.moodtag_mood in MOODS
            assert item.moodtag_version == ANALYSIS_VERSION
            for name in AUDIO_FIELDS:
                if name != "moodtag_tags":
                    assert name in item, name

    def test_fields_are_typed_for_range_queries_and_sorting(self, clips):
        self.add_clips(clips)
        self.moodtag("--no-lastfm")
        items = list(self.lib.items())
        expect = {i.id for i in items if i.moodtag_valence >= -0.2 and 100 <= i.bpm <= 130}
        found = {i.id for i in self.lib.items("moodtag_valence:-0.2.. bpm:100..130")}
        assert found == expect and found
        arousal = [i.moodtag_arousal for i in self.lib.items("moodtag_arousal+")]
        assert arousal == sorted(arousal)
        assert isinstance(items[0].moodtag_loudness, float)

    def test_second_run_skips_force_redoes(self, clips):
        self.add_clips(clips)
        self.moodtag("--no-lastfm")
        assert "analysed 0, skipped 5, failed 0" in self.moodtag("--no-lastfm")
        assert "analysed 5, skipped 0" in self.moodtag("--no-lastfm", "--force")

    def test_query_limits_the_run(self, clips):
        self.add_clips(clips)
        assert "analysed 1, skipped 0" in self.moodtag("--no-lastfm", "title:Title 2")

    def test_pretend_stores_nothing(self, clips):
        items = self.add_clips(clips)
        out = self.moodtag("--no-lastfm", "-p")
        assert "bpm" in out and "moodtag_mood" in out
        for item in items:
            item.load()
            assert "moodtag_version" not in item
            assert item.bpm == 0

    def test_write_puts_bpm_and_key_into_files(self, clips, tmp_path):
        items = self.add_clips(clips, copy_to=tmp_path)
        self.moodtag("--no-lastfm", "-w")
        for item in items:
            item.load()
            media = MediaFile(item.filepath)
            assert media.bpm == item.bpm > 0
            assert media.initial_key == item.initial_key

    def test_nowrite_leaves_files_alone(self, clips, tmp_path):
        config["import"]["write"] = True
        items = self.add_clips(clips, copy_to=tmp_path)
        before = [hashlib.sha256(i.filepath.read_bytes()).hexdigest() for i in items]
        self.moodtag("--no-lastfm", "-W")
        after = [hashlib.sha256(i.filepath.read_bytes()).hexdigest() for i in items]
        assert before == after

    def test_parallel_workers(self, clips):
        items = self.add_clips(clips)
        out = self.run_with_output("moodtag", "--no-lastfm", "-j", "2")
        assert "analysed 5, skipped 0, failed 0" in out
        for item in items:
            item.load()
            assert item.moodtag_version == ANALYSIS_VERSION

    def test_bad_files_fail_one_line_each_and_stay_untouched(self, clips, bad_files):
        good = self.add_item(path=str(clips[".ogg"].path), title="good", artist="a")
        bad = {kind: self.add_item(path=str(path), title=kind, artist="a")
               for kind, path in bad_files.items() if kind not in NOT_ANALYSABLE}
        odd = {kind: self.add_item(path=str(bad_files[kind]), title=kind, artist="a")
               for kind in NOT_ANALYSABLE}
        before = {kind: dict(item) for kind, item in bad.items()}
        with pytest.raises(UserError, match=f"{len(bad)} file"):  # the run fails, and says so
            self.run_command("moodtag", "-j", "1", "--no-lastfm")
        out = self.io.getoutput()
        assert (f"analysed 1, skipped 0, failed {len(bad)}, not analysable 2 "
                "(too short 1, silent 1)") in out
        failed_lines = [ln for ln in out.splitlines() if ln.startswith("  failed: ")]
        assert len(failed_lines) == len(bad)
        for kind, item in bad.items():
            assert any(str(bad_files[kind]) in ln for ln in failed_lines), kind
            item.load()
            assert dict(item) == before[kind]
        for kind, item in odd.items():  # short and silent: recorded, not failed
            item.load()
            assert item.moodtag_status == NOT_ANALYSABLE[kind]
        good.load()
        assert good.moodtag_version == ANALYSIS_VERSION
        assert good.moodtag_status == "annotated"

    @pytest.mark.parametrize(
        ("key", "value"),
        [("key_profile", "majorish"), ("rhythm_method", "guess"), ("jobs", -1),
         ("min_bpm", 150)])
    def test_bad_config_value_is_named(self, clips, key, value):
        self.add_clips(clips)
        config["moodtag"][key] = value
        # beets prints either as one line and exits 1.
        with pytest.raises((UserError, confuse.ConfigError), match=key):
            self.run_with_output("moodtag", "--no-lastfm")


class TestLastFm(MoodtagHelper):
    @pytest.fixture(autouse=True)
    def _point_at_fake(self, setup, fake_lastfm):
        config["moodtag"]["lastfm_server"] = fake_lastfm.url
        config["moodtag"]["lastfm_retries"] = 1
        config["lastfm"]["api_key"] = "userkey"
        self.fake = fake_lastfm

    def test_tags_stored_and_pull_valence(self, clips):
        item = self.add_clips(clips)[0]  # D major, 128 BPM
        self.moodtag("--no-lastfm")
        item.load()
        audio_only = item.moodtag_valence
        self.fake.track_tags[("artist 0", "title 0")] = [
            ("sad", 100), ("depressing", 90), ("rock", 80)]
        self.moodtag("--force", "title:Title 0")
        item.load()
        assert item.moodtag_tags == ["sad", "depressing", "rock"]
        assert item.moodtag_tag_source == "track"
        assert item.moodtag_valence < audio_only
        assert self.fake.requests[0]["api_key"] == "userkey"

    def test_offline_warns_and_annotates_anyway(self, clips, caplog):
        items = self.add_clips(clips)
        self.fake.error_code = 11
        with caplog.at_level(logging.WARNING):
            out = self.moodtag()
        assert "analysed 5, skipped 0, failed 0" in out
        assert "unreachable" in caplog.text
        items[0].load()
        assert items[0].moodtag_tags == []

    def test_api_key_is_redacted(self):
        out = self.run_with_output("config")
        assert "userkey" not in out
        assert "REDACTED" in out


def test_loading_the_plugin_imports_neither_scipy_signal_nor_essentia_standard():
    """Every ``beet`` command loads the plugin: the analysis' heavy imports wait for an
    analysis (scipy.signal alone was 0.6 s of each command's start)."""
    code = ("import sys, beetsplug.moodtag\n"
            "print(sorted(m for m in ('scipy.signal', 'essentia.standard') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
