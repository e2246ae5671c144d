"""Desktop notifications (org.freedesktop.Notifications) when the agent queues music.

Asynchronous, so the main loop never waits on the notification daemon. Where no daemon
runs, or it fails, the agent stays silent (one debug log line). Each new notification
replaces the agent's previous one, so they don't pile up.
"""

from __future__ import annotations

import logging

import dbus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "moodplayer"
EXPIRE_MS = 8000


class Notifier:
    """Shows "music queued" notifications; does nothing when disabled."""

    def __init__(self, bus: dbus.Bus, *, enabled: bool = True) -> None:
        self._bus = bus
        self.enabled = enabled
        self.last_id = 0
        self.shown = 0

    def show(self, summary: str, body: str) -> None:
        """Send one notification (replacing the previous one); never raises."""
        if not self.enabled:
            return
        try:
            if not self._bus.name_has_owner(BUS_NAME):
                log.debug("no notification daemon on the bus; not notifying")
                return
            proxy = self._bus.get_object(BUS_NAME, OBJECT_PATH, introspect=False)
            proxy.Notify(APP_NAME, dbus.UInt32(self.last_id), "audio-x-generic", summary, body,
                         dbus.Array([], signature="s"),
                         dbus.Dictionary({}, signature="sv"), dbus.Int32(EXPIRE_MS),
                         dbus_interface=INTERFACE, reply_handler=self._shown,
                         error_handler=self._failed)
        except dbus.DBusException as exc:
            log.debug("notification not shown: %s", exc.get_dbus_message())

    def _shown(self, notification_id: int) -> None:
        self.last_id = int(notification_id)
        self.shown += 1

    def _failed(self, exc: dbus.DBusException) -> None:
        log.debug("notification not shown: %s", exc.get_dbus_message())
