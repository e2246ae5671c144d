"""The tray indicator: the agent's state at a glance, and a menu to steer it.

A front over the agent's control interface: it follows the interface's signals (mood,
queued track, camera, paused) on the agent's own bus connection and refreshes from
``Controller.status``; every menu entry calls the ``Controller``. Failures of an entry
(nothing plays, say) come back as a notification, never as an exception on the loop.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable

import dbus
from gi.repository import GLib

from moodplayer.agent.control import INTERFACE as AGENT_INTERFACE
from moodplayer.agent.control import OBJECT_PATH as AGENT_PATH
from moodplayer.agent.control import SIGNALS, Controller
from moodplayer.desktop.dbusmenu import MenuItem, MenuService
from moodplayer.desktop.sni import StatusNotifierItem
from moodplayer.desktop.states import ICON_THEME_PATH, ICONS, MEANINGS, tooltip, tray_state
from moodplayer.emotion import MOODS
from moodplayer.exceptions import MoodplayerError
from moodplayer.recommend.policy import POLICIES

log = logging.getLogger(__name__)

MENU_PATH = "/MenuBar"

#: Notifies the user: summary, body.
Notify = Callable[[str, str], None]


class Tray:
    """The StatusNotifierItem and its menu, for the agent behind ``controller``."""

    def __init__(self, bus: dbus.Bus, controller: Controller, notify: Notify) -> None:
        self.controller = controller
        self._notify = notify
        self.status: dict[str, str] = dict(controller.status())
        self.menu = MenuService(bus, MENU_PATH, self._entries, after_click=self.refresh)
        self.item = StatusNotifierItem(bus, menu=MENU_PATH, icon_theme_path=str(ICON_THEME_PATH),
                                       icon=ICONS[tray_state(self.status)],
                                       on_secondary=self._toggle_pause)
        self._receivers = [bus.add_signal_receiver(self._changed, name, AGENT_INTERFACE,
                                                   path=AGENT_PATH)
                           for name in SIGNALS]
        self.refresh()

    def close(self) -> None:
        """Take the icon and the menu off the bus."""
        for receiver in self._receivers:
            receiver.remove()
        self.item.close()
        self.menu.close()

    def _changed(self, *_args: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Show the agent's current state: menu, icon and tooltip."""
        self.menu.refresh()  # reads the status afresh
        self.item.show(ICONS[tray_state(self.status)], *tooltip(self.status))

    # -- the menu ------------------------------------------------------------------------

    def _entries(self) -> list[MenuItem]:
        status = self.status = dict(self.controller.status())
        paused = status.get("state") == "paused"
        playing = bool(status.get("playing"))
        mood = status.get("mood", "unknown")
        feel = f"Mood: {mood}" + (f" ({status.get('confidence')})"
                                  if mood not in ("unknown", "absent") else "")
        policy, target = status.get("policy", ""), status.get("target", "")
        return [
            MenuItem("state", MEANINGS[tray_state(status)].capitalize(), enabled=False),
            MenuItem("mood", feel, enabled=False),
            MenuItem("sep-sensing", separator=True),
            MenuItem("pause", "Resume sensing" if paused else
                     "Pause sensing (releases the camera)", self._toggle_pause),
            MenuItem("glance", "Glance now", self._do(self.controller.now),
                     enabled=status.get("sensing") == "glance" and not paused),
            MenuItem("sep-track", separator=True),
            MenuItem("like", "Like this track", self._do(self.controller.like),
                     enabled=playing),
            MenuItem("dislike", "Dislike this track", self._do(self.controller.dislike),
                     enabled=playing),
            MenuItem("why", "Why this track?", self._why, enabled=playing),
            MenuItem("sep-steer", separator=True),
            MenuItem("policy", f"Policy: {policy}", children=[
                MenuItem(f"policy-{name}", name, self._do(self.controller.set_policy, name),
                         toggle="radio", checked=name == policy) for name in POLICIES]),
            MenuItem("target", f"Target mood: {target}", children=[
                MenuItem(f"target-{name}", name, self._do(self.controller.set_target, name),
                         toggle="radio", checked=name == target) for name in MOODS]),
            MenuItem("sep-data", separator=True),
            MenuItem("report", "Open today's report", self._open_report),
            MenuItem("forget", "Forget everything…", children=[
                MenuItem("forget-what", "Deletes every stored mood, pick, like and skip,",
                         enabled=False),
                MenuItem("forget-consent", "and the camera consent",
                         enabled=False),
                MenuItem("forget-yes", "Yes, forget everything", self._forget)]),
            MenuItem("sep-quit", separator=True),
            MenuItem("quit", "Quit moodplayer", self._do(self.controller.quit)),
        ]

    def _do(self, call: Callable[..., object], *args: object) -> Callable[[], None]:
        """A menu action: call ``call(*args)``; a refusal is shown, not raised."""
        def action() -> None:
            try:
                call(*args)
            except MoodplayerError as exc:
                log.info("tray: %s", exc)
                self._notify("moodplayer", str(exc))
        return action

    def _toggle_pause(self) -> None:
        if self.controller.status().get("state") == "paused":
            self.controller.resume()
        else:
            self.controller.pause()

    def _why(self) -> None:
        status = self.controller.status()
        track, reason = status.get("track") or status.get("playing", ""), status.get("reason")
        self._notify("Why this track?", f"{track}: {reason}" if reason else
                     f"{track}: not chosen by moodplayer")

    def _forget(self) -> None:
        removed = self.controller.forget()
        self._notify("moodplayer forgot everything", f"{removed} stored file(s) deleted")

    def _open_report(self) -> None:
        try:
            path = self.controller.report()
        except MoodplayerError as exc:
            self._notify("moodplayer", str(exc))
            return
        opener = shutil.which("xdg-open")
        if opener is None:
            log.info("tray: report written to %s (no xdg-open to show it)", path)
            self._notify("moodplayer report", path)
            return
        child = subprocess.Popen([opener, f"file://{path}"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        GLib.child_watch_add(GLib.PRIORITY_DEFAULT, child.pid,
                             lambda _pid, code: self._opened(child, path, code))

    def _opened(self, child: subprocess.Popen, path: str, code: int) -> None:
        child.returncode = code  # reaped by GLib: Popen must not wait for it again
        if code:
            log.info("tray: xdg-open could not show %s (status %d)", path, code)
            self._notify("moodplayer report", path)
