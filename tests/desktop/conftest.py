"""Fixtures for the tray's tests: the agent's own (a private bus, an annotated library, the
agent started as ``moodplayer run``), and a real tray host on that bus."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path

import dbus
import dbus.bus
import pytest

from moodplayer.desktop.dbusmenu import INTERFACE as MENU
from moodplayer.desktop.sni import INTERFACE as ITEM
from moodplayer.desktop.sni import WATCHER, WATCHER_PATH
from moodplayer.testing import PrivateBus, Processes
from moodplayer.testing.desktop import start_tray_host

PROPERTIES = "org.freedesktop.DBus.Properties"

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


class Panel:
    """What a tray host does over D-Bus: ask the watcher for the items, read an item's
    properties, fetch its menu and click entries (a blocking connection of its own)."""

    def __init__(self, bus: PrivateBus) -> None:
        self.bus = bus
        self.conn = dbus.bus.BusConnection(bus.address)

    def reconnect(self) -> None:
        """A new connection, after the bus restarted."""
        self.conn.close()
        self.conn = dbus.bus.BusConnection(self.bus.address)

    def items(self) -> list[str]:
        """The items registered with the watcher (``name/path`` or ``name``)."""
        watcher = self.conn.get_object(WATCHER, WATCHER_PATH)
        return [str(i) for i in watcher.Get(WATCHER, "RegisteredStatusNotifierItems",
                                            dbus_interface=PROPERTIES)]

    def item(self) -> str:
        """The bus name of the one item: registered with the watcher, or (no tray host
        running) the one on the bus."""
        if self.conn.name_has_owner(WATCHER):
            (entry,) = self.items()
            return entry.split("/", 1)[0]
        (name,) = [str(n) for n in self.conn.list_names() if str(n).startswith(ITEM)]
        return name

    def prop(self, name: str) -> object:
        """One property of the item, as the host reads it."""
        obj = self.conn.get_object(self.item(), "/StatusNotifierItem")
        return obj.Get(ITEM, name, dbus_interface=PROPERTIES)

    def _menu(self):
        return self.conn.get_object(self.item(), str(self.prop("Menu")))

    def entries(self) -> dict[str, tuple[int, dict]]:
        """Every menu entry by label: its id and properties."""
        _revision, root = self._menu().GetLayout(0, -1, [], dbus_interface=MENU)
        found: dict[str, tuple[int, dict]] = {}

        def walk(node) -> None:
            item_id, props, children = node
            if "label" in props:
                found[str(props["label"])] = (int(item_id), dict(props))
            for child in children:
                walk(child)
        walk(root)
        return found

    def click(self, label: str) -> None:
        """Click the entry labelled ``label`` (it must be there and enabled)."""
        item_id, props = self.entries()[label]
        assert props.get("enabled", True), f"{label!r} is disabled"
        self._menu().Event(item_id, "clicked", dbus.Int32(0), dbus.UInt32(int(time.time())),
                           dbus_interface=MENU)

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def panel(private_bus: PrivateBus) -> Iterator[Panel]:
    """What a tray host does over D-Bus, on the private bus."""
    client = Panel(private_bus)
    yield client
    client.close()
