"""Desktop notifications (org.freedesktop.Notifications) when the agent queues music.

Asynchronous, so the main loop never waits on the notification daemon. Where no daemon
runs, or it fails, the agent stays silent (one debug log line). Each new notification
replaces the agent's previous one, so they don't pile up.

A notification may carry buttons (actions) where the daemon offers them (its
``GetCapabilities`` lists "actions", asked once); a pressed button of the agent's live
notification reaches ``on_action`` with its key (the ``ActionInvoked`` signal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import dbus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "moodplayer"
EXPIRE_MS = 8000


class Notifier:
    """Shows "music queued" notifications; does nothing when disabled."""

    def __init__(self, bus: dbus.Bus, *, enabled: bool = True,
                 on_action: Callable[[str], None] | None = None) -> None:
        self._bus = bus
        self.enabled = enabled
        self.last_id = 0
        self.shown = 0
        #: What the daemon offers (``GetCapabilities``); None until asked.
        self.capabilities: frozenset[str] | None = None
        self._on_action = on_action
        if enabled and on_action is not None:
            bus.add_signal_receiver(self._invoked, "ActionInvoked", INTERFACE,
                                    path=OBJECT_PATH)

    def show(self, summary: str, body: str, actions: Sequence[tuple[str, str]] = ()) -> None:
        """Send one notification (replacing the previous one), with ``actions`` (key,
        label) as buttons where the daemon offers them; never raises."""
        if not self.enabled:
            return
        try:
            if not self._bus.name_has_owner(BUS_NAME):
                log.debug("no notification daemon on the bus; not notifying")
                return
            proxy = self._bus.get_object(BUS_NAME, OBJECT_PATH, introspect=False)
            if actions and self.capabilities is None:
                proxy.GetCapabilities(
                    dbus_interface=INTERFACE,
                    reply_handler=lambda caps: self._capable(caps, proxy, summary, body,
                                                             actions),
                    error_handler=lambda _exc: self._capable((), proxy, summary, body,
                                                             actions))
                return
            self._notify(proxy, summary, body, actions)
        except dbus.DBusException as exc:
            log.debug("notification not shown: %s", exc.get_dbus_message())

    def _capable(self, capabilities: Sequence[str], proxy: dbus.proxies.ProxyObject,
                 summary: str, body: str, actions: Sequence[tuple[str, str]]) -> None:
        self.capabilities = frozenset(str(c) for c in capabilities)
        self._notify(proxy, summary, body, actions)

    def _notify(self, proxy: dbus.proxies.ProxyObject, summary: str, body: str,
                actions: Sequence[tuple[str, str]]) -> None:
        offered = "actions" in (self.capabilities or ()) and self._on_action is not None
        flat = [part for action in actions for part in action] if offered else []
        proxy.Notify(APP_NAME, dbus.UInt32(self.last_id), "audio-x-generic", summary, body,
                     dbus.Array(flat, signature="s"),
                     dbus.Dictionary({}, signature="sv"), dbus.Int32(EXPIRE_MS),
                     dbus_interface=INTERFACE, reply_handler=self._shown,
                     error_handler=self._failed)

    def _invoked(self, notification_id: int, key: str) -> None:
        if self._on_action is not None and self.last_id and int(notification_id) == self.last_id:
            self._on_action(str(key))

    def _shown(self, notification_id: int) -> None:
        self.last_id = int(notification_id)
        self.shown += 1

    def _failed(self, exc: dbus.DBusException) -> None:
        log.debug("notification not shown: %s", exc.get_dbus_message())
