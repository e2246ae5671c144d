# ruff: noqa: N802
"""``org.freedesktop.DBus.Properties`` for an exported object (dbus-python has none).

A subclass answers ``_properties(interface)`` with its current values, already in D-Bus
types; Get and GetAll read them, Set refuses (every property here is read-only).
"""

from __future__ import annotations

from collections.abc import Mapping

import dbus
import dbus.service

PROPERTIES = "org.freedesktop.DBus.Properties"


class ReadOnlyError(dbus.DBusException):
    """A client tried to set a property, or asked for one that does not exist."""

    _dbus_error_name = "org.freedesktop.DBus.Error.PropertyReadOnly"


class PropertiesObject(dbus.service.Object):
    """An exported object whose properties are read through the Properties interface."""

    def _properties(self, interface: str) -> Mapping[str, object]:
        """The properties of ``interface`` (empty for an interface it does not have)."""
        raise NotImplementedError

    @dbus.service.method(PROPERTIES, in_signature="ss", out_signature="v")
    def Get(self, interface: str, name: str) -> object:
        """One property's value."""
        values = self._properties(str(interface))
        if name not in values:
            raise ReadOnlyError(f"no property {name} on {interface}")
        return values[name]

    @dbus.service.method(PROPERTIES, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface: str) -> dict[str, object]:
        """Every property of ``interface``."""
        return dbus.Dictionary(self._properties(str(interface)), signature="sv")

    @dbus.service.method(PROPERTIES, in_signature="ssv", out_signature="")
    def Set(self, interface: str, name: str, _value: object) -> None:
        """Refused: the properties are read-only."""
        raise ReadOnlyError(f"{interface}.{name} is read-only")
