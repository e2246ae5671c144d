# ruff: noqa: N802
"""A menu exported over ``com.canonical.dbusmenu``, the protocol tray hosts draw menus from.

The menu is a tree of ``MenuItem`` values built afresh by a callable; ``refresh`` rebuilds
it and, when anything a host would show changed, emits ``LayoutUpdated`` with a new
revision. Item ids stay the same for the same ``key`` across rebuilds, so a click on a
menu the host drew before a change still reaches the right entry. A click ("clicked"
event) runs the item's action after the host's call has been answered, then
``after_click`` (by default ``refresh``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import dbus
import dbus.service
from gi.repository import GLib

from moodplayer.desktop._properties import PropertiesObject

INTERFACE = "com.canonical.dbusmenu"
#: The protocol version this server speaks.
VERSION = 3


@dataclass(slots=True)
class MenuItem:
    """One entry: a label (or a separator), what a click does, and its children."""

    key: str
    label: str = ""
    action: Callable[[], None] | None = None
    enabled: bool = True
    #: "" (a plain entry), "radio" or "checkmark"
    toggle: str = ""
    checked: bool = False
    separator: bool = False
    children: list[MenuItem] = field(default_factory=list)

    def properties(self) -> dict[str, object]:
        """The dbusmenu properties that differ from the protocol's defaults."""
        props: dict[str, object] = {}
        if self.separator:
            props["type"] = "separator"
        else:
            props["label"] = self.label
        if not self.enabled:
            props["enabled"] = False
        if self.toggle:
            props["toggle-type"] = self.toggle
            props["toggle-state"] = dbus.Int32(1 if self.checked else 0)
        if self.children:
            props["children-display"] = "submenu"
        return props


class MenuService(PropertiesObject):
    """The exported menu at ``path`` on ``bus``, built by ``build``."""

    def __init__(self, bus: dbus.Bus, path: str, build: Callable[[], Sequence[MenuItem]],
                 after_click: Callable[[], object] | None = None) -> None:
        super().__init__(bus, path)
        self._build = build
        self._after_click = after_click or self.refresh
        self._ids: dict[str, int] = {}
        self._items: dict[int, MenuItem] = {}
        self._root = MenuItem("root")
        self._shown: object = None
        self.revision = 0
        self.refresh()

    def close(self) -> None:
        """Unexport the menu."""
        self.remove_from_connection()

    def _id(self, key: str) -> int:
        return self._ids.setdefault(key, len(self._ids) + 1)

    def _walk(self, item: MenuItem) -> Iterator[MenuItem]:
        for child in item.children:
            yield child
            yield from self._walk(child)

    def refresh(self) -> bool:
        """Rebuild the menu; returns True (and tells hosts) when what they show changed."""
        self._root = MenuItem("root", children=list(self._build()))
        self._items = {0: self._root} | {self._id(i.key): i for i in self._walk(self._root)}
        shown = self._layout(0, -1)
        if shown == self._shown:
            return False
        self._shown = shown
        self.revision += 1
        self.LayoutUpdated(dbus.UInt32(self.revision), dbus.Int32(0))
        return True

    def find(self, label: str) -> MenuItem | None:
        """The first entry labelled ``label`` (for tests and scripts)."""
        return next((i for i in self._walk(self._root) if i.label == label), None)

    def _props(self, item_id: int, names: Sequence[str] = ()) -> dbus.Dictionary:
        item = self._items[item_id]
        props = {} if item_id == 0 else item.properties()
        if item_id == 0:
            props["children-display"] = "submenu"
        if names:
            props = {k: v for k, v in props.items() if k in names}
        return dbus.Dictionary(props, signature="sv")

    def _layout(self, item_id: int, depth: int, names: Sequence[str] = ()) -> dbus.Struct:
        item = self._items[item_id]
        children = [] if depth == 0 else [
            self._layout(self._id(child.key), depth - 1, names) for child in item.children]
        return dbus.Struct((dbus.Int32(item_id), self._props(item_id, names),
                            dbus.Array(children, signature="v")), signature="ia{sv}av")

    def _properties(self, interface: str) -> dict[str, object]:
        if interface != INTERFACE:
            return {}
        return {"Version": dbus.UInt32(VERSION), "TextDirection": "ltr", "Status": "normal",
                "IconThemePath": dbus.Array([], signature="s")}

    def _click(self, item_id: int) -> bool:
        item = self._items.get(item_id)
        if item is None:
            return False
        if item.action is not None and item.enabled:
            GLib.idle_add(self._run, item.action)
        return True

    def _run(self, action: Callable[[], None]) -> bool:
        action()
        self._after_click()
        return False

    # -- com.canonical.dbusmenu ----------------------------------------------------------

    @dbus.service.method(INTERFACE, in_signature="iias", out_signature="u(ia{sv}av)")
    def GetLayout(self, parent_id: int, depth: int, names: Sequence[str]) -> tuple:
        """The layout under ``parent_id``, ``depth`` levels deep (-1: all)."""
        if int(parent_id) not in self._items:
            raise dbus.DBusException(f"no menu item {parent_id}",
                                     name="org.freedesktop.DBus.Error.InvalidArgs")
        return (dbus.UInt32(self.revision),
                self._layout(int(parent_id), int(depth), [str(n) for n in names]))

    @dbus.service.method(INTERFACE, in_signature="aias", out_signature="a(ia{sv})")
    def GetGroupProperties(self, ids: Sequence[int], names: Sequence[str]) -> list:
        """The properties of ``ids`` (all items when empty)."""
        wanted = [int(i) for i in ids] or list(self._items)
        return dbus.Array([dbus.Struct((dbus.Int32(i), self._props(i, [str(n) for n in names])),
                                       signature="ia{sv}")
                           for i in wanted if i in self._items], signature="(ia{sv})")

    @dbus.service.method(INTERFACE, in_signature="is", out_signature="v")
    def GetProperty(self, item_id: int, name: str) -> object:
        """One property of one item."""
        props = self._props(int(item_id)) if int(item_id) in self._items else {}
        if name not in props:
            raise dbus.DBusException(f"item {item_id} has no property {name}",
                                     name="org.freedesktop.DBus.Error.InvalidArgs")
        return props[name]

    @dbus.service.method(INTERFACE, in_signature="isvu", out_signature="")
    def Event(self, item_id: int, event_id: str, _data: object, _timestamp: int) -> None:
        """A host reports a click (or hover, open, close) on an item."""
        if event_id == "clicked" and not self._click(int(item_id)):
            raise dbus.DBusException(f"no menu item {item_id}",
                                     name="org.freedesktop.DBus.Error.InvalidArgs")

    @dbus.service.method(INTERFACE, in_signature="a(isvu)", out_signature="ai")
    def EventGroup(self, events: Sequence[tuple]) -> list[int]:
        """Several events at once; returns the ids that were not found."""
        missing = [int(item_id) for item_id, event_id, _data, _ts in events
                   if event_id == "clicked" and not self._click(int(item_id))]
        return dbus.Array(missing, signature="i")

    @dbus.service.method(INTERFACE, in_signature="i", out_signature="b")
    def AboutToShow(self, _item_id: int) -> bool:
        """The host is about to show a (sub)menu: bring it up to date."""
        return self.refresh()

    @dbus.service.method(INTERFACE, in_signature="ai", out_signature="aiai")
    def AboutToShowGroup(self, ids: Sequence[int]) -> tuple:
        """Several menus are about to be shown."""
        changed = self.refresh()
        known = [int(i) for i in ids if int(i) in self._items]
        return (dbus.Array(known if changed else [], signature="i"),
                dbus.Array([int(i) for i in ids if int(i) not in self._items], signature="i"))

    @dbus.service.signal(INTERFACE, signature="ui")
    def LayoutUpdated(self, revision: int, parent: int) -> None:
        """The layout under ``parent`` changed; hosts fetch it again."""
