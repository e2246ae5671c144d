"""The moodplayer: section of the beets config: defaults, validation, exit status 2."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from moodplayer.agent.config import (
    SCHEMA,
    SENSITIVITY_PRESETS,
    AgentConfig,
    default_yaml,
    load_config,
    schema_reference,
    validate,
)
from moodplayer.emotion import FER_CLASSES
from moodplayer.exceptions import ConfigError
from moodplayer.options import Choice
from moodplayer.recommend.policy import POLICIES, make_policy
from moodplayer.recommend.profiles import load_table
from moodplayer.vision.smoothing import MoodSmoother, SmoothingSettings


def test_default_section_is_documented_and_valid(tmp_path: Path):
    section = yaml.safe_load(default_yaml())["moodplayer"]
    assert set(section) == set(SCHEMA)
    assert all(option.doc for option in SCHEMA.values())
    config = validate(section, library=tmp_path / "l.db", directory=tmp_path)
    assert config == AgentConfig(library=tmp_path / "l.db", directory=tmp_path)


def test_reads_beets_config_and_shares_the_library(tmp_path: Path, make_config):
    path = make_config(tmp_path, """
        sensing: off
        queue_length: 4
        never_moods: [sad, tense]
        players: [rhythmbox, vlc]
        """)
    config = load_config(path)
    assert config.library == tmp_path / "library.db"
    assert config.directory == tmp_path / "music"
    assert (config.sensing, config.queue_length) == ("off", 4)  # YAML's bare off is false
    assert config.never_moods == ("sad", "tense")
    assert config.players == ("rhythmbox", "vlc")
    assert config.source == str(path)


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("fps: fast", "moodplayer.fps: expected a number from 0.2 to 30, got 'fast'",
                 id="not-a-number"),
    pytest.param("queue_length: 0", "moodplayer.queue_length: expected a whole number from 1",
                 id="out-of-range"),
    pytest.param("sensing: sometimes", "expected one of continuous, glance, off",
                 id="bad-choice"),
    pytest.param("never_moods: [grumpy]", "grumpy is not one", id="bad-mood"),
    pytest.param("notifications: maybe", "moodplayer.notifications: expected yes or no",
                 id="not-boolean"),
    pytest.param("queue_lenght: 3", "moodplayer.queue_lenght: unknown option. "
                 "Did you mean 'queue_length'?", id="misspelt"),
    pytest.param("policy: uplift\ntarget: sad\nnever_moods: [sad]",
                 "moodplayer.target: expected a mood not in never_moods", id="contradiction"),
])
def test_bad_value_is_named_with_what_was_expected(tmp_path, make_config, body, expected):
    path = make_config(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_every_error_is_collected(tmp_path: Path, make_config):
    path = make_config(tmp_path, "fps: 0\nsensitivity: twitchy\nshow_faces: yes")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "moodplayer.fps" in message
    assert "moodplayer.sensitivity" in message
    assert "moodplayer.show_faces: unknown option" in message


def test_bad_config_exits_2_with_one_clear_error(tmp_path: Path, make_config,
                                                 moodplayer_cmd):
    path = make_config(tmp_path, "queue_length: lots")
    result = subprocess.run([*moodplayer_cmd, "run", "--config", str(path),
                             "--grant-consent", "--sensing", "off"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "moodplayer.queue_length: expected a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml")


def test_config_command_checks_and_documents(tmp_path: Path, make_config, moodplayer_cmd):
    shown = subprocess.run([*moodplayer_cmd, "config", "--default"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    assert set(yaml.safe_load(shown)["moodplayer"]) == set(SCHEMA)
    assert shown.count("  # ") >= len(SCHEMA)  # every option explained
    path = make_config(tmp_path, "queue_length: 3")
    checked = subprocess.run([*moodplayer_cmd, "config", "--config", str(path)],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    assert f"{path} is valid" in checked and "queue_length: 3" in checked


def test_eager_follows_a_new_expression_sooner_than_normal_and_relaxed():
    """A happy face turning sad: each preset announces sad, eager first, relaxed last."""
    happy = np.full(len(FER_CLASSES), 0.02)
    happy[FER_CLASSES.index("happy")] = 0.88
    sad = np.roll(happy, FER_CLASSES.index("sad") - FER_CLASSES.index("happy"))
    announced = {}
    for name, preset in SENSITIVITY_PRESETS.items():
        smoother = MoodSmoother(FER_CLASSES, SmoothingSettings(
            half_life=preset.half_life_s, min_confidence=preset.min_confidence,
            dwell=preset.dwell_s))
        events = [smoother.update(happy if t < 60 else sad, t / 2) for t in range(200)]
        announced[name] = [e.timestamp - 30 for e in events if e and e.mood == "sad"]
    assert all(len(times) == 1 for times in announced.values()), announced
    assert announced["eager"][0] < announced["normal"][0] < announced["relaxed"][0]
    assert announced["eager"][0] <= SENSITIVITY_PRESETS["eager"].dwell_s + 1.0


def _detector(name: str, shared: Path) -> object:
    from moodplayer.vision.detect import make_detector
    files = {"scrfd": "scrfd_500m.onnx", "yunet": "face_detection_yunet_2026may.onnx"}
    return make_detector(name, shared / "models" / files[name])


def _run_sensing(name: str, _shared: Path) -> object:
    from moodplayer.agent.cli import build_parser
    parser, _ = build_parser()
    return parser.parse_args(["run", "--sensing", name]).sensing


#: For every option with a fixed set of names: what builds the part that consumes it.
CONSUMERS = {
    "policy": lambda name, _: make_policy(name, "calm"),
    "sensitivity": lambda name, _: SENSITIVITY_PRESETS[name],
    "face_detector": _detector,
    "sensing": _run_sensing,
    "target": lambda name, _: load_table()[name],
    "log_level": lambda name, _: logging.getLevelNamesMapping()[name.upper()],
}


def test_every_documented_choice_builds_its_consumer(tmp_path: Path, shared_dir: Path):
    """`policy: fixed` passed the check and then stopped `run`: never again, for any option."""
    choices = {key: option.type.choices for key, option in SCHEMA.items()
               if isinstance(option.type, Choice)}
    assert set(choices) == set(CONSUMERS), "a choice option without a consumer check"
    for key, names in choices.items():
        for name in names:
            assert name in option_doc(key), f"{key}: {name} is not documented"
            config = validate({key: name}, library=tmp_path / "l.db", directory=tmp_path)
            built = CONSUMERS[key](getattr(config, key), shared_dir)
            assert built is not None
            if key == "policy":
                assert built.name == name


def option_doc(key: str) -> str:
    row = next(row for row in schema_reference() if row.key == key)
    return f"{row.doc} {row.allowed}"


def test_reference_gives_type_default_allowed_and_doc_of_every_option():
    rows = schema_reference()
    assert [row.key for row in rows] == list(SCHEMA)
    by_key = {row.key: row for row in rows}
    assert (by_key["fps"].type, by_key["fps"].default, by_key["fps"].allowed) == (
        "a number", "2", "from 0.2 to 30")
    assert by_key["policy"].allowed == "match, uplift, fixed"
    assert by_key["notifications"].default == "yes"
    assert all(row.doc and row.type for row in rows)


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param("camera: yes", "moodplayer.camera: expected a string, got True", id="bool"),
    pytest.param("policy: target", "expected one of match, uplift, fixed", id="old-name"),
])
def test_values_of_the_wrong_kind_are_refused(tmp_path, make_config, body, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(make_config(tmp_path, body))


def test_camera_number_stays_a_device_number(tmp_path, make_config):
    assert load_config(make_config(tmp_path, "camera: 2")).camera == "2"


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param('"just a string"\n', "expected a mapping of options", id="string"),
    pytest.param("- a\n- b\n", "expected a mapping of options", id="list"),
    pytest.param("moodplayer:\n  fps: [\n", "could not be read", id="broken-yaml"),
])
def test_a_config_file_that_is_not_a_mapping_is_one_line(tmp_path, moodplayer_cmd, content,
                                                         expected):
    path = tmp_path / "config.yaml"
    path.write_text(content)
    result = subprocess.run([*moodplayer_cmd, "config", "-c", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("policy", POLICIES)
def test_the_agent_starts_with_every_documented_policy(agent_for, policy):
    """`policy: fixed` passed `moodplayer config`, then `run` died: unknown policy 'fixed'."""
    agent, _ = agent_for(f"sensing: off\npolicy: {policy}\ntarget: calm")
    assert agent.recommender.policy.name == policy
    assert agent.status()["policy"] == policy
