"""The mood table: the shipped one is complete, a bad one is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from moodplayer.emotion import FER_CLASSES, MOODS
from moodplayer.exceptions import ConfigError
from moodplayer.recommend.profiles import DEFAULT_TABLE, load_table


def test_shipped_table_has_a_row_for_every_mood_and_class():
    table = load_table()
    assert set(MOODS) | set(FER_CLASSES) <= set(table)
    assert table["happy"].mode == "major"
    assert table["sad"].mode == "minor"
    assert table["happy"].tempo[0] > table["sad"].tempo[1]


def _write_changed(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_TABLE.read_text())
    change(data)
    file = tmp_path / "table.yaml"
    file.write_text(yaml.safe_dump(data))
    return file


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(lambda d: d.pop("calm"), "missing rows calm", id="missing-row"),
    pytest.param(lambda d: d["happy"].update(mode="lydian"),
                 "happy.mode: expected major, minor or any, got 'lydian'", id="bad-mode"),
    pytest.param(lambda d: d["sad"].update(tempo=[90, 60]), "sad.tempo: expected low <= high",
                 id="tempo-reversed"),
    pytest.param(lambda d: d["sad"].update(tempo="slow"), "sad.tempo: expected [low, high]",
                 id="tempo-not-a-range"),
    pytest.param(lambda d: d["calm"].update(valence=3), "calm.valence: expected a number "
                 "from -1 to 1, got 3", id="valence-out-of-range"),
    pytest.param(lambda d: d["calm"].update(energy="high"), "calm.energy: expected a number "
                 "from 0 to 1, got 'high'", id="energy-not-a-number"),
    pytest.param(lambda d: d["calm"].update(tempi=[1, 2]), "did you mean 'tempo'",
                 id="misspelt-key"),
    pytest.param(lambda d: d.update(hapy=d["happy"]), "did you mean 'happy'",
                 id="misspelt-mood"),
    pytest.param(lambda d: d["tense"].pop("arousal"), "tense.arousal: missing",
                 id="missing-key"),
])
def test_bad_table_names_the_value_and_what_was_expected(tmp_path, change, expected):
    file = _write_changed(tmp_path, change)
    with pytest.raises(ConfigError) as err:
        load_table(file)
    assert expected in str(err.value)
    assert str(file) in str(err.value)


def test_broken_yaml_and_missing_file_are_config_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("happy: [120, 140\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_table(broken)
    with pytest.raises(ConfigError, match="cannot read"):
        load_table(tmp_path / "absent.yaml")


def test_users_own_table_changes_the_targets(tmp_path):
    file = _write_changed(tmp_path, lambda d: d["happy"].update(tempo=[90, 100]))
    assert load_table(file)["happy"].tempo == (90.0, 100.0)
