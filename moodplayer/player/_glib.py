"""Timers and idle callbacks on the GLib main context the player part runs on.

dbus-python dispatches only on the global default context, so that is the default here:
the caller may own the ``GLib.MainLoop`` that runs it.
"""

from __future__ import annotations

from collections.abc import Callable

from gi.repository import GLib


def timeout(seconds: float, callback: Callable[[], object],
            context: GLib.MainContext | None = None) -> GLib.Source:
    """Run ``callback`` once after ``seconds`` on ``context``; destroy the source to cancel."""
    source = GLib.timeout_source_new(max(0, int(seconds * 1000)))
    source.set_callback(lambda *_: bool(callback()) and False)
    source.attach(context)
    return source


def every(seconds: float, callback: Callable[[], bool],
          context: GLib.MainContext | None = None) -> GLib.Source:
    """Run ``callback`` every ``seconds`` while it returns True."""
    source = GLib.timeout_source_new(max(1, int(seconds * 1000)))
    source.set_callback(lambda *_: bool(callback()))
    source.attach(context)
    return source


def idle(callback: Callable[[], object], context: GLib.MainContext | None = None) -> GLib.Source:
    """Run ``callback`` once when ``context`` is idle (safe to call from another thread)."""
    source = GLib.idle_source_new()
    source.set_callback(lambda *_: bool(callback()) and False)
    source.attach(context)
    return source


def cancel(source: GLib.Source | None) -> None:
    """Destroy ``source`` if it is still pending."""
    if source is not None and not source.is_destroyed():
        source.destroy()
