"""A stand-in MPRIS service for players that cannot run here, started as a subprocess.

Spotify's desktop client is proprietary, so its backend is tested against this service,
which copies Spotify's documented MPRIS behaviour and quirks (players.md): no TrackList
and no queue; ``OpenUri("spotify:track:ID")`` REPLACES what plays; trackids are
``/com/spotify/track/ID`` object paths; ``mpris:length`` is a uint64; ``Position`` always
reads 0; when a track ends playback stops. Its tracks last ``--length`` seconds.

Fault modes for the manager's tests: ``--mode silent`` never answers any call;
``--mode error`` answers every call with an error; ``--mode malformed`` sends a
Metadata value that is not a dictionary, then one with wrongly typed entries.
"""

# ruff: noqa: N802
from __future__ import annotations

import argparse
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPS = "org.freedesktop.DBus.Properties"


class StandIn(dbus.service.Object):
    """The MPRIS root and Player interfaces, Spotify-style."""

    def __init__(self, bus: dbus.Bus, mode: str, length_s: float) -> None:
        super().__init__(bus, PATH)
        self.mode, self.length_s = mode, length_s
        self.status = "Stopped"
        self.metadata: dict = {}
        self.opened: list[str] = []
        self.end_timer = 0
        self.started = 0.0

    def _check(self) -> None:
        if self.mode == "silent":
            time.sleep(3600)  # never answers (the caller's timeout fires)
        if self.mode == "error":
            raise dbus.exceptions.DBusException("stand-in refuses", name=f"{ROOT}.Error.Failed")

    def props(self) -> dict:
        return {"PlaybackStatus": self.status, "Metadata": dbus.Dictionary(
                    self.metadata, signature="sv"),
                "Position": dbus.Int64(0), "CanControl": True, "CanGoNext": True}

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface: str, name: str):
        self._check()
        if interface == ROOT:
            return {"Identity": "Spotify", "HasTrackList": False}[name]
        return self.props()[name]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface: str):
        self._check()
        if interface == ROOT:
            return {"Identity": "Spotify", "HasTrackList": False}
        return self.props()

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    @dbus.service.signal(PLAYER, signature="x")
    def Seeked(self, position):
        pass

    @dbus.service.method(PLAYER, in_signature="s")
    def OpenUri(self, uri: str) -> None:
        self._check()
        if not uri.startswith("spotify:track:"):
            raise dbus.exceptions.DBusException(f"cannot open {uri}",
                                                name=f"{ROOT}.Error.Failed")
        self.opened.append(uri)
        track_id = uri.rsplit(":", 1)[1]
        self._play({"mpris:trackid": dbus.ObjectPath(f"/com/spotify/track/{track_id}"),
                    "mpris:length": dbus.UInt64(int(self.length_s * 1e6)),
                    "xesam:title": f"Track {track_id[:4]}",
                    "xesam:artist": dbus.Array(["Stand-in"], signature="s"),
                    "xesam:url": f"https://open.spotify.com/track/{track_id}"})

    @dbus.service.method(PLAYER)
    def Next(self) -> None:
        self._check()
        self._stop()

    @dbus.service.method(PLAYER)
    def Play(self) -> None:
        self._check()

    @dbus.service.method(PLAYER, in_signature="", out_signature="as")
    def Opened(self) -> list[str]:
        """Test hook: every URI opened so far."""
        return self.opened

    def _play(self, metadata: dict) -> None:
        if self.end_timer:
            GLib.source_remove(self.end_timer)
        self.metadata, self.status = metadata, "Playing"
        self.PropertiesChanged(PLAYER, {"Metadata": dbus.Dictionary(metadata, signature="sv"),
                                        "PlaybackStatus": "Playing"}, [])
        self.end_timer = GLib.timeout_add(int(self.length_s * 1000), self._stop)

    def _stop(self) -> bool:
        self.end_timer = 0
        self.status = "Stopped"
        self.PropertiesChanged(PLAYER, {"PlaybackStatus": "Stopped"}, [])
        return False

    def send_malformed(self) -> bool:
        self.PropertiesChanged(PLAYER, {"Metadata": "not a dictionary"}, [])
        self.PropertiesChanged(PLAYER, {"Metadata": dbus.Dictionary(
            {"mpris:trackid": dbus.Int32(5), "mpris:length": "long",
             "xesam:title": dbus.Array([dbus.Int32(1)], signature="i")}, signature="sv")}, [])
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="spotify")
    parser.add_argument("--mode", default="normal",
                        choices=("normal", "silent", "error", "malformed"))
    parser.add_argument("--length", type=float, default=3.0)
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    service = StandIn(bus, args.mode, args.length)
    if args.mode == "malformed":
        service.metadata = {"mpris:trackid": dbus.ObjectPath("/com/spotify/track/x")}
        GLib.timeout_add(300, service.send_malformed)
    name = dbus.service.BusName(f"{ROOT}.{args.name}", bus)  # noqa: F841 - keeps the name
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
