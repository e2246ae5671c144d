"""`moodplayer install-service`: a systemd user unit that restarts on failure."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest


def exec_words(unit_text: str) -> list[str]:
    """The ExecStart= arguments as systemd reads them: quotes and C escapes undone, then
    the doubled specifier ``%%`` and variable ``$$`` signs."""
    line = next(line for line in unit_text.splitlines() if line.startswith("ExecStart="))
    return [word.replace("%%", "%").replace("$$", "$")
            for word in shlex.split(line.removeprefix("ExecStart="))]


def _install(moodplayer_cmd, config: Path) -> tuple[Path, str]:
    result = subprocess.run([*moodplayer_cmd, "install-service", "--config", str(config)],
                            capture_output=True, text=True, timeout=60, check=True)
    unit = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "moodplayer.service"
    return unit, result.stdout + result.stderr


def test_unit_runs_the_agent_and_restarts_on_failure(tmp_path, make_config, moodplayer_cmd):
    config = make_config(tmp_path)
    unit, said = _install(moodplayer_cmd, config)
    text = unit.read_text(encoding="utf-8")
    lines = set(text.splitlines())
    program, command, *rest = exec_words(text)
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    assert (command, rest) == ("run", ["--config", str(config)])
    assert "Restart=on-failure" in lines
    assert "RestartPreventExitStatus=2" in lines
    assert "WantedBy=graphical-session.target" in lines
    assert "systemctl --user enable --now moodplayer.service" in said
    assert "journalctl --user -u moodplayer.service" in said
    assert "consent" in said  # no consent yet: the user is told to give it first


def test_unit_passes_systemd_analyze(tmp_path, make_config, moodplayer_cmd):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit, _ = _install(moodplayer_cmd, make_config(tmp_path))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                            timeout=60)
    problems = [line for line in result.stderr.splitlines() if str(unit) in line]
    assert result.returncode == 0 and problems == []


def test_refuses_to_install_with_a_bad_config(tmp_path, make_config, moodplayer_cmd):
    config = make_config(tmp_path, "sensing: always")
    result = subprocess.run([*moodplayer_cmd, "install-service", "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "moodplayer.sensing" in result.stderr
    unit = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "moodplayer.service"
    assert not unit.exists()


@pytest.mark.parametrize("folder", ["100% sure", "$HOME and ${USER}", 'quote " back\\slash'])
def test_config_path_reaches_the_agent_unchanged(tmp_path, make_config, moodplayer_cmd,
                                                  folder):
    """`%` and `$` in the config path were left for systemd to expand."""
    (tmp_path / folder).mkdir()
    config = make_config(tmp_path, name=f"{folder}/config.yaml")
    unit, _ = _install(moodplayer_cmd, config)
    text = unit.read_text(encoding="utf-8")
    assert exec_words(text)[-2:] == ["--config", str(config)]
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    undoubled = exec_start.replace("%%", "").replace("$$", "")
    assert "%" not in undoubled and "$" not in undoubled  # systemd would expand them
    analyze = shutil.which("systemd-analyze")
    if analyze is not None:
        result = subprocess.run([analyze, "verify", str(unit)], capture_output=True,
                                text=True, timeout=60)
        assert [line for line in result.stderr.splitlines() if str(unit) in line] == []
