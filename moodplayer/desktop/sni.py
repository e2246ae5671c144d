# ruff: noqa: N802
"""A StatusNotifierItem: the freedesktop (KDE) tray protocol, and its registration.

The item owns ``org.kde.StatusNotifierItem-PID-N`` with its object at
``/StatusNotifierItem`` and registers that name with the tray's
``org.kde.StatusNotifierWatcher``, again whenever a watcher (a panel) appears. Where none
runs there is one log line and the item simply waits for one.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable

import dbus
import dbus.bus
import dbus.service

from moodplayer.desktop._properties import PropertiesObject

log = logging.getLogger(__name__)

INTERFACE = "org.kde.StatusNotifierItem"
OBJECT_PATH = "/StatusNotifierItem"
WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
_SERIAL = itertools.count(1)


class StatusNotifierItem(PropertiesObject):
    """The exported item; ``show`` changes its icon and tooltip."""

    def __init__(self, bus: dbus.Bus, *, menu: str, icon_theme_path: str, icon: str,
                 on_secondary: Callable[[], None]) -> None:
        self.bus_name = f"{INTERFACE}-{os.getpid()}-{next(_SERIAL)}"
        super().__init__(bus, OBJECT_PATH)
        # Asked for and given back here (not a dbus.service.BusName, which gives its name
        # back when collected, failing loudly once the bus has gone away).
        bus.request_name(self.bus_name, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
        self._bus = bus
        self._menu = menu
        self._theme = icon_theme_path
        self.icon = icon
        self.title, self.body = "moodplayer", ""
        self._on_secondary = on_secondary
        self.registered = False
        self._told_absent = False
        self._watch = bus.watch_name_owner(WATCHER, self._watcher_changed)

    def close(self) -> None:
        """Unexport the item and give its name back (the watcher drops it)."""
        self._watch.cancel()
        self.remove_from_connection()
        self._bus.release_name(self.bus_name)

    def show(self, icon: str, title: str, body: str) -> None:
        """Show ``icon`` and the tooltip ``title``/``body``; hosts hear of what changed."""
        if icon != self.icon:
            self.icon = icon
            self.NewIcon()
        if (title, body) != (self.title, self.body):
            self.title, self.body = title, body
            self.NewToolTip()

    # -- the watcher ---------------------------------------------------------------------

    def _watcher_changed(self, owner: str) -> None:
        self.registered = False
        if not owner:
            if not self._told_absent:
                log.info("no tray on the desktop (no %s on the session bus): no tray icon; "
                         "the agent works without it", WATCHER)
                self._told_absent = True
            return
        watcher = self._bus.get_object(WATCHER, WATCHER_PATH, introspect=False)
        watcher.RegisterStatusNotifierItem(self.bus_name, dbus_interface=WATCHER,
                                           reply_handler=self._registered,
                                           error_handler=self._refused)

    def _registered(self) -> None:
        self.registered = True
        log.info("tray icon shown (registered with %s)", WATCHER)

    def _refused(self, exc: dbus.DBusException) -> None:
        log.warning("the tray refused the icon: %s", exc.get_dbus_message())

    # -- org.kde.StatusNotifierItem --------------------------------------------------------

    def _properties(self, interface: str) -> dict[str, object]:
        if interface != INTERFACE:
            return {}
        no_pixmap = dbus.Array([], signature="(iiay)")
        return {
            "Category": "ApplicationStatus", "Id": "moodplayer", "Title": "moodplayer",
            "Status": "Active", "WindowId": dbus.UInt32(0),
            "IconThemePath": self._theme, "IconName": self.icon, "IconPixmap": no_pixmap,
            "OverlayIconName": "", "OverlayIconPixmap": no_pixmap,
            "AttentionIconName": "", "AttentionIconPixmap": no_pixmap,
            "AttentionMovieName": "",
            "ToolTip": dbus.Struct((self.icon, no_pixmap, self.title, self.body),
                                   signature="sa(iiay)ss"),
            "ItemIsMenu": True, "Menu": dbus.ObjectPath(self._menu),
        }

    @dbus.service.method(INTERFACE, in_signature="ii", out_signature="")
    def ContextMenu(self, _x: int, _y: int) -> None:
        """Hosts draw the menu themselves from ``Menu``; nothing to do here."""

    @dbus.service.method(INTERFACE, in_signature="ii", out_signature="")
    def Activate(self, _x: int, _y: int) -> None:
        """A click: the item is a menu (``ItemIsMenu``), which the host opens."""

    @dbus.service.method(INTERFACE, in_signature="ii", out_signature="")
    def SecondaryActivate(self, _x: int, _y: int) -> None:
        """A middle click: pause or resume at once."""
        self._on_secondary()

    @dbus.service.method(INTERFACE, in_signature="is", out_signature="")
    def Scroll(self, _delta: int, _orientation: str) -> None:
        """Scrolling over the icon does nothing."""

    @dbus.service.signal(INTERFACE, signature="")
    def NewIcon(self) -> None:
        """The icon changed."""

    @dbus.service.signal(INTERFACE, signature="")
    def NewToolTip(self) -> None:
        """The tooltip changed."""
