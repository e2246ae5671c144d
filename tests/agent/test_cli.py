"""The `moodplayer` command itself: version, help, one shared -c for every subcommand."""

from __future__ import annotations

import subprocess
from importlib.metadata import version

from moodplayer.agent.cli import DEVELOPER_TOOLS, build_parser


def test_version_comes_from_the_installed_metadata(moodplayer_cmd):
    result = subprocess.run([*moodplayer_cmd, "--version"], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == f"moodplayer {version('moodplayer')}"


def test_help_lists_developer_tools_apart(moodplayer_cmd):
    shown = subprocess.run([*moodplayer_cmd, "--help"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    users, tools = shown.split("developer tools:")
    assert all(f"  {tool} " in tools for tool in DEVELOPER_TOOLS)
    assert not any(f"  {tool} " in users for tool in DEVELOPER_TOOLS)
    assert all(f"  {name} " in users for name in ("run", "suggest", "watch", "report"))


def test_every_subcommand_takes_the_same_config_option(tmp_path):
    parser, commands = build_parser()
    config = tmp_path / "c.yaml"
    for name, sub in commands.items():
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"-c", "--config"} <= flags, name
        required = {"suggest": ["--mood", "happy"], "eval-fer": ["d"],
                    "fetch-model": ["yunet"], "enqueue": ["f.ogg"]}.get(name, [])
        assert parser.parse_args([name, "-c", str(config), *required]).config == config
