"""Without a tray, with the tray switched off, and across a session bus restart: the agent
(a real `moodplayer run`) says so in one line and everything else works; a tray host
(Xfce's panel, under Xvfb) that appears later shows the icon."""

from __future__ import annotations

import dbus
import dbus.bus

from moodplayer.agent.control import BUS_NAME as AGENT_NAME
from moodplayer.agent.control import AgentClient
from moodplayer.desktop.sni import INTERFACE as ITEM
from moodplayer.desktop.states import ICONS, MEANINGS
from moodplayer.testing.desktop import start_tray_host

NO_TRAY = "no tray on the desktop"


def _agent(bus) -> AgentClient:
    """A client of the agent on the private bus (a connection of its own)."""
    return AgentClient(dbus.bus.BusConnection(bus.address))


def _items_on_bus(address: str) -> list[str]:
    conn = dbus.bus.BusConnection(address)
    try:
        return [str(n) for n in conn.list_names() if str(n).startswith(ITEM)]
    finally:
        conn.close()


def test_without_a_tray_one_line_then_a_tray_that_appears_shows_the_icon(
        panel, private_bus, procs, tmp_path, make_config, annotated_library, start_agent,
        wait_for):
    agent = start_agent("--config", str(make_config(annotated_library)), "--mood-script",
                        "calm:600")
    assert wait_for(lambda: NO_TRAY in agent.log_path.read_text())
    # Scripted moods, no camera: the icon (on the bus, for a tray to come) says standby.
    assert panel.prop("IconName") == ICONS["standby"]
    status = _agent(private_bus).status()  # everything else works
    assert status["mood"] == "calm" and status["state"] == "running"
    assert _agent(private_bus).set_target("sad") == "sad"

    start_tray_host(procs, private_bus, tmp_path / "panel")  # the desktop's panel starts
    assert wait_for(lambda: len(panel.items()) == 1)
    log = agent.log_path.read_text()
    assert log.count(NO_TRAY) == 1
    assert "tray icon shown" in log and "Traceback" not in log


def test_sensing_off_shows_the_off_icon(panel, make_config, annotated_library, start_agent,
                                        wait_for):
    agent = start_agent("--config", str(make_config(annotated_library, "sensing: off")))
    assert wait_for(lambda: "agent running" in agent.log_path.read_text())  # tray made
    assert panel.prop("IconName") == ICONS["off"]
    _icon, _pixmaps, title, _body = panel.prop("ToolTip")
    assert title == f"moodplayer: {MEANINGS['off']}"


def test_tray_no_shows_no_icon(panel, private_bus, procs, tmp_path, make_config, annotated_library,
                               start_agent, wait_for):
    start_tray_host(procs, private_bus, tmp_path / "panel")
    agent = start_agent("--config", str(make_config(annotated_library, "tray: no")),
                        "--mood-script", "calm:600")
    assert _agent(private_bus).status()["mood"] == "calm"
    assert _items_on_bus(private_bus.address) == []
    assert panel.items() == []
    assert NO_TRAY not in agent.log_path.read_text()


def test_the_icon_comes_back_with_the_session_bus(
        panel, private_bus, procs, tmp_path, make_config, annotated_library, start_agent,
        wait_for):
    agent = start_agent("--config", str(make_config(annotated_library)), "--mood-script",
                        "calm:600")
    assert wait_for(lambda: "agent running" in agent.log_path.read_text())
    private_bus.stop()  # the desktop session's bus goes away, and comes back
    assert wait_for(lambda: not private_bus.socket.exists())  # gone, its socket with it
    private_bus.start()
    assert wait_for(lambda: private_bus.has_name(AGENT_NAME), 60), agent.log_path.read_text()
    start_tray_host(procs, private_bus, tmp_path / "panel")
    panel.reconnect()
    assert wait_for(lambda: len(panel.items()) == 1)
    assert agent.poll() is None
    assert "Traceback" not in agent.log_path.read_text()
