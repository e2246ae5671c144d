"""The moodtag: section of the beets config: every bad value named in one line, never a
traceback; failed files and a capped -j said so."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from beets import config
from beets.ui import UserError

from beetsplug.moodtag.options import (
    SCHEMA,
    analysis_settings,
    check,
    defaults,
    schema_reference,
)
from moodplayer.music.analyze import AnalysisSettings
from moodplayer.music.annotate import Annotator
from tests.music.test_plugin import MoodtagHelper

BEET = Path(sys.executable).with_name("beet")


def beet(tmp_path: Path, section: str, *args: str) -> subprocess.CompletedProcess:
    """``beet ARGS`` with a config whose moodtag: section is ``section`` (YAML lines)."""
    indented = "".join(f"  {line}\n" for line in section.splitlines())
    (tmp_path / "config.yaml").write_text(
        f"plugins: moodtag\nlibrary: {tmp_path / 'l.db'}\ndirectory: {tmp_path}\n"
        f"moodtag:\n{indented}")
    return subprocess.run([str(BEET), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BEETSDIR": str(tmp_path)})


@pytest.mark.parametrize(("section", "expected"), [
    pytest.param("auto: maybe", "moodtag.auto: expected yes or no, got 'maybe'", id="auto"),
    pytest.param("excerpt: -5", "moodtag.excerpt: expected a number from 0 to 3600",
                 id="excerpt-negative"),
    pytest.param("excerpt: .inf", "moodtag.excerpt: expected a number from 0 to 3600",
                 id="excerpt-inf"),
    pytest.param("min_duration: -1", "moodtag.min_duration: expected a number from 0",
                 id="min-duration"),
    pytest.param("max_bpm: .inf", "moodtag.max_bpm: expected a number from 40 to 600",
                 id="max-bpm"),
    pytest.param("lastfm_timeout: .nan", "moodtag.lastfm_timeout: expected a number",
                 id="timeout-nan"),
    pytest.param("lastfm_min_weight: 101",
                 "moodtag.lastfm_min_weight: expected a whole number from 0 to 100",
                 id="weight"),
    pytest.param("jobs: 2.5", "moodtag.jobs: expected a whole number from 0", id="jobs"),
    pytest.param("exerpt: 30", "moodtag.exerpt: unknown option. Did you mean 'excerpt'?",
                 id="unknown-key"),
    pytest.param("excerpt: 2", "excerpt 2.0: expected 0 (whole file) or at least "
                 "min_duration", id="contradiction"),
])
def test_bad_value_stops_moodtag_with_one_line_naming_the_key(tmp_path, section, expected):
    result = beet(tmp_path, section, "moodtag")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: invalid configuration: ") and expected in last


def test_other_beet_commands_still_work_and_say_what_is_wrong(tmp_path):
    result = beet(tmp_path, "auto: maybe", "ls")
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "moodtag.auto: expected yes or no, got 'maybe' (moodtag and imports stop until " \
        "it is fixed)" in result.stderr


def test_every_error_at_once():
    with pytest.raises(UserError) as info:
        check({**defaults(), "jobs": -1, "lastfm_rate": 0, "colour": "red"})
    message = str(info.value)
    assert all(key in message for key in ("moodtag.jobs", "moodtag.lastfm_rate",
                                          "moodtag.colour: unknown option"))


def test_defaults_are_valid_and_documented():
    assert check(defaults())["excerpt"] == AnalysisSettings().excerpt == 32.0
    rows = schema_reference()
    assert [row.key for row in rows] == list(SCHEMA)
    assert all(row.doc and row.type and row.default for row in rows)
    assert yaml.safe_load(next(r.default for r in rows if r.key == "auto")) is True


class TestRun(MoodtagHelper):
    def test_failed_files_make_the_run_fail_and_say_so(self, clips, bad_files):
        self.add_item(path=str(clips[".ogg"].path), title="good", artist="a")
        self.add_item(path=str(bad_files["corrupt"]), title="corrupt", artist="a")
        with pytest.raises(UserError, match=r"1 file\(s\) could not be analysed"):
            self.run_command("moodtag", "-j", "1", "--no-lastfm")
        out = self.io.getoutput()
        assert "analysed 1, skipped 0, failed 1" in out
        assert f"failed: {bad_files['corrupt']}" in out

    def test_jobs_above_the_cpu_count_are_capped_with_a_note(self, caplog):
        cpus = len(os.sched_getaffinity(0))
        with caplog.at_level(logging.WARNING):
            self.run_with_output("moodtag", "--no-lastfm", "-j", str(cpus + 7))
        assert f"{cpus + 7} jobs asked for, but this machine has {cpus} CPUs" in caplog.text

    def test_value_set_after_start_is_checked_when_the_command_runs(self):
        config["moodtag"]["lastfm_min_weight"] = 101
        with pytest.raises(UserError, match=r"moodtag\.lastfm_min_weight"):
            self.run_with_output("moodtag", "--no-lastfm")


def test_every_documented_choice_builds_its_consumer():
    """Each name a choice option offers is one the part that reads it accepts."""
    from moodplayer.music.analyze import _algorithms
    from moodplayer.options import Choice

    consumers = {
        "key_profile": lambda name: _algorithms(name, "degara")["key"],
        "rhythm_method": lambda name: _algorithms("bgate", name)["rhythm"],
        "normalise": lambda name: Annotator(analysis_settings(defaults()), None, name),
    }
    choices = {key: option.type.choices for key, option in SCHEMA.items()
               if isinstance(option.type, Choice)}
    assert set(choices) == set(consumers), "a choice option without a consumer check"
    for key, names in choices.items():
        for name in names:
            assert consumers[key](check({**defaults(), key: name})[key]) is not None
