"""Fixtures for the tray's tests: the agent's own (a private bus, an annotated library, the
agent started as ``moodplayer run``), and a real tray host on that bus."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from moodplayer.testing import PrivateBus, Processes
from moodplayer.testing.desktop import start_tray_host

# The agent's fixtures, shared rather than copied (tests/ is not a package).
_spec = importlib.util.spec_from_file_location(
    "agent_fixtures", Path(__file__).resolve().parents[1] / "agent" / "conftest.py")
_agent = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_agent)
annotated_library = _agent.annotated_library
make_config = _agent.make_config
moodplayer_cmd = _agent.moodplayer_cmd
session_bus = _agent.session_bus
start_agent = _agent.start_agent
wait_for = _agent.wait_for


@pytest.fixture
def tray_host(private_bus: PrivateBus, procs: Processes, tmp_path: Path) -> str:
    """Xfce's panel with its status tray on the private bus; its DISPLAY."""
    return start_tray_host(procs, private_bus, tmp_path / "panel")
