# ruff: noqa: N802
"""The agent's own D-Bus interface on the session bus, and the client the CLI uses.

Bus name ``org.moodplayer.Agent``, object ``/org/moodplayer/Agent``, interface
``org.moodplayer.Agent1``: Status, Pause, Resume, Like, Dislike, NextTarget,
SetTarget, SetPolicy, Now, Report, Forget, Quit; and the signals MoodChanged, TrackQueued,
CameraChanged and StateChanged, so a tray or a script follows the agent without polling.
The service object only forwards to a ``Controller`` (the running agent); the PascalCase
names live in this module alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

import dbus
import dbus.service

from moodplayer.exceptions import MoodplayerError

BUS_NAME = "org.moodplayer.Agent"
OBJECT_PATH = "/org/moodplayer/Agent"
INTERFACE = "org.moodplayer.Agent1"
#: The signals the interface emits (a subscriber follows the agent with these).
SIGNALS = ("MoodChanged", "TrackQueued", "CameraChanged", "StateChanged")

T = TypeVar("T")


class Controller(Protocol):
    """What the running agent offers to its control interface."""

    def status(self) -> Mapping[str, str]:
        """A few named facts about the agent, as strings."""

    def pause(self) -> None:
        """Stop sensing and queueing; release the camera."""

    def resume(self) -> None:
        """Sense and queue again."""

    def like(self) -> str:
        """Thumbs up for the playing track; returns what was liked."""

    def dislike(self) -> str:
        """Thumbs down for the playing track; returns what was disliked."""

    def next_target(self) -> str:
        """Move to the next target mood; returns it."""

    def set_target(self, mood: str) -> str:
        """Set the target mood; returns it."""

    def set_policy(self, policy: str) -> str:
        """Set the policy; returns it."""

    def now(self) -> str:
        """Take a glance now; returns what will happen."""

    def report(self) -> str:
        """Write today's report; returns the file's path."""

    def forget(self) -> int:
        """Delete everything stored; returns how many files were removed."""

    def quit(self) -> None:
        """Stop the agent."""


class RefusedError(dbus.DBusException):
    """The agent refused a request; the message says why (sent back to the caller)."""

    _dbus_error_name = f"{INTERFACE}.Refused"


def _forward(call: Callable[[], T]) -> T:
    try:
        return call()
    except MoodplayerError as exc:
        raise RefusedError(str(exc)) from exc


class ControlService(dbus.service.Object):
    """The exported object; each method forwards to the Controller."""

    def __init__(self, bus: dbus.Bus, controller: Controller) -> None:
        super().__init__(dbus.service.BusName(BUS_NAME, bus, do_not_queue=True), OBJECT_PATH)
        self._controller = controller

    def close(self) -> None:
        """Unexport the object and release the bus name."""
        self.remove_from_connection()
        self._name = None  # the last reference to the BusName: dropping it releases the name

    @dbus.service.method(INTERFACE, in_signature="", out_signature="a{ss}")
    def Status(self) -> dict[str, str]:
        """The agent's state as named strings."""
        return dict(_forward(self._controller.status))

    @dbus.service.method(INTERFACE, in_signature="", out_signature="")
    def Pause(self) -> None:
        """Pause sensing and queueing."""
        _forward(self._controller.pause)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="")
    def Resume(self) -> None:
        """Resume sensing and queueing."""
        _forward(self._controller.resume)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="s")
    def Like(self) -> str:
        """Thumbs up for the playing track."""
        return _forward(self._controller.like)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="s")
    def Dislike(self) -> str:
        """Thumbs down for the playing track."""
        return _forward(self._controller.dislike)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="s")
    def NextTarget(self) -> str:
        """Cycle the target mood."""
        return _forward(self._controller.next_target)

    @dbus.service.method(INTERFACE, in_signature="s", out_signature="s")
    def SetTarget(self, mood: str) -> str:
        """Set the target mood."""
        return _forward(lambda: self._controller.set_target(str(mood)))

    @dbus.service.method(INTERFACE, in_signature="s", out_signature="s")
    def SetPolicy(self, policy: str) -> str:
        """Set the policy."""
        return _forward(lambda: self._controller.set_policy(str(policy)))

    @dbus.service.method(INTERFACE, in_signature="", out_signature="s")
    def Now(self) -> str:
        """Glance now."""
        return _forward(self._controller.now)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="s")
    def Report(self) -> str:
        """Write today's report; returns its path."""
        return _forward(self._controller.report)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="i")
    def Forget(self) -> int:
        """Delete everything stored; returns how many files went."""
        return _forward(self._controller.forget)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="")
    def Quit(self) -> None:
        """Stop the agent (after this call is answered)."""
        _forward(self._controller.quit)

    # -- signals: the agent calls these to announce a change ---------------------------

    @dbus.service.signal(INTERFACE, signature="sd")
    def MoodChanged(self, mood: str, confidence: float) -> None:
        """A sustained mood change ('absent': no face for a while), with its confidence."""

    @dbus.service.signal(INTERFACE, signature="ssss")
    def TrackQueued(self, path: str, artist: str, title: str, reason: str) -> None:
        """A track the agent queued, and why it was chosen."""

    @dbus.service.signal(INTERFACE, signature="s")
    def CameraChanged(self, camera: str) -> None:
        """The camera was opened ('open') or released ('released')."""

    @dbus.service.signal(INTERFACE, signature="s")
    def StateChanged(self, state: str) -> None:
        """The agent was paused ('paused') or resumed ('running')."""


class AgentNotRunningError(MoodplayerError):
    """No agent owns the control name on the session bus."""


class AgentClient:
    """Calls the running agent's control interface (used by the CLI)."""

    def __init__(self, bus: dbus.Bus | None = None) -> None:
        try:
            self._bus = bus or dbus.SessionBus()
            if not self._bus.name_has_owner(BUS_NAME):
                raise AgentNotRunningError("the agent is not running (start it with "
                                      "`moodplayer run`)")
            proxy = self._bus.get_object(BUS_NAME, OBJECT_PATH, introspect=False)
        except dbus.DBusException as exc:
            raise AgentNotRunningError(f"cannot reach the session bus: "
                                  f"{exc.get_dbus_message()}") from exc
        self._agent = dbus.Interface(proxy, INTERFACE)

    def _call(self, method: str, *args: object) -> object:
        try:
            return getattr(self._agent, method)(*args, timeout=10)
        except dbus.DBusException as exc:
            if exc.get_dbus_name() == RefusedError._dbus_error_name:
                raise MoodplayerError(exc.get_dbus_message()) from exc
            raise MoodplayerError(f"the agent did not answer {method}: "
                                  f"{exc.get_dbus_message()}") from exc

    def status(self) -> dict[str, str]:
        """The agent's status facts."""
        return {str(k): str(v) for k, v in dict(self._call("Status")).items()}

    def pause(self) -> None:
        """Pause sensing and queueing."""
        self._call("Pause")

    def resume(self) -> None:
        """Resume sensing and queueing."""
        self._call("Resume")

    def like(self) -> str:
        """Thumbs up for the playing track."""
        return str(self._call("Like"))

    def dislike(self) -> str:
        """Thumbs down for the playing track."""
        return str(self._call("Dislike"))

    def next_target(self) -> str:
        """Cycle the target mood."""
        return str(self._call("NextTarget"))

    def set_target(self, mood: str) -> str:
        """Set the target mood."""
        return str(self._call("SetTarget", mood))

    def now(self) -> str:
        """Ask for a glance now."""
        return str(self._call("Now"))

    def forget(self) -> int:
        """Ask the agent to delete everything stored."""
        return int(self._call("Forget"))
