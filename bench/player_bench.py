"""Player part benchmarks on a private session bus with real players.

    .venv/bin/python bench/player_bench.py [--seconds 10] [--signals 5000]

1. Enqueue latency per player: ``PlayerManager.enqueue`` until the player confirmed the
   track is in its queue; anchor: the same queue command as one blocking call from a
   bare client (dbus-python / raw IPC / python-mpd2), i.e. the player's own floor.
2. Watcher CPU while mpv plays: CPU seconds of this process (the manager following the
   player) per wall second; anchor: ``playerctl --follow metadata`` following the same.
3. Signals handled per second: a sender floods PropertiesChanged and Seeked; the time the
   manager needs to handle all of them; anchor: a bare dbus-python receiver that only
   counts them, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dbus
import dbus.bus
import mpd
from gi.repository import GLib

from moodplayer import testing as fx
from moodplayer.player import BackendSettings, PlayerManager, to_uri

ROUNDS = 5


def timed_enqueue(manager: PlayerManager, path: Path) -> float:
    """Seconds from ``enqueue`` to the player's confirmation (a real GLib.MainLoop)."""
    results: list = []
    loop = GLib.MainLoop()

    def done(result) -> None:
        results.append(result)
        if result.status != "waiting":
            loop.quit()

    start = time.perf_counter()
    manager.enqueue([path], done=done)
    if not results or results[-1].status == "waiting":
        loop.run()
    elapsed = time.perf_counter() - start
    assert results[-1].status == "queued", results
    return elapsed


def run_loop(seconds: float) -> None:
    """Run a plain GLib.MainLoop for ``seconds`` (no polling of our own)."""
    loop = GLib.MainLoop()
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()


def anchor_dbus(address: str, name: str, path: str, iface: str, method: str, *args) -> float:
    conn = dbus.bus.BusConnection(address)
    obj = conn.get_object(name, path, introspect=False)
    start = time.perf_counter()
    obj.get_dbus_method(method, iface)(*args)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def anchor_mpv(sock: Path, uri: str) -> float:
    client = socket.socket(socket.AF_UNIX)
    client.connect(str(sock))
    start = time.perf_counter()
    client.send(json.dumps({"command": ["loadfile", uri, "append"]}).encode() + b"\n")
    while b"request_id" not in client.recv(65536):
        pass
    elapsed = time.perf_counter() - start
    client.close()
    return elapsed


def anchor_mpd(sock: Path, path: Path) -> float:
    client = mpd.MPDClient()
    client.connect(str(sock))
    start = time.perf_counter()
    client.addid(f"file://{path}")
    elapsed = time.perf_counter() - start
    client.disconnect()
    return elapsed


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_latency(bus: fx.PrivateBus, procs: fx.Processes, tracks: dict, tmp: Path) -> None:
    print(f"1. enqueue -> in the player's queue (median of {ROUNDS}, ms)")
    print(f"   {'player':<10} {'moodplayer':>10} {'anchor':>8} {'ratio':>6}  anchor")
    rows = []
    sock = tmp / "mpv.sock"
    fx.start_mpv(procs, bus, sock, tracks["long_a"])
    rows.append(("mpv", BackendSettings(mpv_socket=sock),
                 lambda: anchor_mpv(sock, to_uri(tracks["short"])), "raw JSON IPC loadfile"))
    fx.start_vlc(procs, bus)
    rows.append(("vlc", BackendSettings(), lambda: anchor_dbus(
        bus.address, "org.mpris.MediaPlayer2.vlc", "/org/mpris/MediaPlayer2",
        "org.mpris.MediaPlayer2.TrackList", "AddTrack", to_uri(tracks["short"]),
        dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/Append"), False),
        "blocking AddTrack"))
    fx.start_rhythmbox(procs, bus, tmp / "rb")
    rows.append(("rhythmbox", BackendSettings(), lambda: anchor_dbus(
        bus.address, "org.gnome.Rhythmbox3", "/org/gnome/Rhythmbox3/PlayQueue",
        "org.gnome.Rhythmbox3.PlayQueue", "AddToQueue", to_uri(tracks["short"])),
        "blocking AddToQueue"))
    (tmp / "audacious-first-run").mkdir()
    config = fx.prepare_audacious_config(tmp / "audacious-first-run")
    fx.start_audacious(procs, bus, config, tmp / "audacious")
    atheme = ("org.atheme.audacious", "/org/atheme/audacious", "org.atheme.audacious")
    rows.append(("audacious", BackendSettings(), lambda: anchor_dbus(
        bus.address, *atheme, "PlaylistInsUrlString", to_uri(tracks["short"]), 0),
        "blocking PlaylistInsUrlString"))
    mpd_sock = fx.start_mpd(procs, tmp / "mpd")
    fx.start_mpdris2(procs, bus, mpd_sock, tmp)
    rows.append(("mpd", BackendSettings(mpd_host=str(mpd_sock)),
                 lambda: anchor_mpd(mpd_sock, tracks["short"]), "python-mpd2 addid"))
    for name, settings, anchor, anchor_name in rows:
        manager = PlayerManager(bus.connect(), priority=[name], settings=settings)
        manager.start()
        fx.spin(lambda m=manager: m.active() is not None, 10)
        ours = [timed_enqueue(manager, tracks["short"]) for _ in range(ROUNDS)]
        base = [anchor() for _ in range(ROUNDS)]
        manager.stop()
        print(f"   {name:<10} {median_ms(ours):>10.2f} {median_ms(base):>8.2f} "
              f"{median_ms(ours) / median_ms(base):>6.2f}  {anchor_name}")


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_cpu(bus: fx.PrivateBus, procs: fx.Processes, tracks: dict, tmp: Path,
              seconds: float) -> None:
    long_track = fx.tone(tmp / "long.ogg", seconds + 20, 330)
    fx.start_mpv(procs, bus, tmp / "cpu.sock", long_track)
    follower = procs.start(["playerctl", "--player=mpv", "--follow", "metadata"],
                           env=fx.player_env(bus))
    manager = PlayerManager(bus.connect())
    manager.start()
    fx.spin(lambda: manager.active() is not None, 10)
    ours0, theirs0 = time.process_time(), cpu_of(follower.pid)
    run_loop(seconds)
    ours = (time.process_time() - ours0) / seconds
    theirs = (cpu_of(follower.pid) - theirs0) / seconds
    manager.stop()
    print(f"2. watcher CPU while mpv plays ({seconds:g} s): moodplayer {ours * 100:.3f} % of a "
          f"core, playerctl --follow {theirs * 100:.3f} %"
          + (f", ratio {ours / theirs:.2f}" if theirs else " (ratio: anchor used no CPU)"))


FLOOD = """
import sys, dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
class P(dbus.service.Object):
    @dbus.service.signal("org.freedesktop.DBus.Properties", signature="sa{sv}as")
    def PropertiesChanged(self, i, c, v): pass
    @dbus.service.signal("org.mpris.MediaPlayer2.Player", signature="x")
    def Seeked(self, p): pass
p = P(bus, "/org/mpris/MediaPlayer2")
name = dbus.service.BusName("org.mpris.MediaPlayer2.flood", bus)
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
for i in range(int(sys.argv[1])):
    if i % 2:
        p.Seeked(dbus.Int64(i * 1000))
    else:
        p.PropertiesChanged("org.mpris.MediaPlayer2.Player", {"Metadata": dbus.Dictionary({
            "mpris:trackid": dbus.ObjectPath("/t/%d" % i), "xesam:url": "file:///t/%d" % i,
            "xesam:title": "t%d" % i, "mpris:length": dbus.Int64(8000000)}, signature="sv"),
            "PlaybackStatus": "Playing"}, [])
bus.flush()
sys.stdin.readline()
"""


def flood_rate(bus: fx.PrivateBus, procs: fx.Processes, count: int, with_manager: bool) -> float:
    """Signals per second handled: by the manager, or by a bare counting receiver."""
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, str(count)], env=fx.player_env(bus),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    procs.procs.append(flood)
    assert flood.stdout.readline().strip() == "ready"
    handled = {"n": 0}

    def count_one(*_args) -> None:
        handled["n"] += 1

    manager = None
    if with_manager:
        manager = PlayerManager(bus.connect())
        manager.start()
        fx.spin(lambda: manager.player("flood") is not None, 10)
        player = manager.player("flood")
        props, seek = player.on_properties, player.on_seeked
        player.on_properties = lambda *a: (count_one(), props(*a))
        player.on_seeked = lambda *a: (count_one(), seek(*a))
    else:
        raw = bus.connect()
        raw.add_signal_receiver(count_one, "PropertiesChanged",
                                "org.freedesktop.DBus.Properties", path="/org/mpris/MediaPlayer2")
        raw.add_signal_receiver(count_one, "Seeked", "org.mpris.MediaPlayer2.Player",
                                path="/org/mpris/MediaPlayer2")
    fx.spin(lambda: False, 0.3)
    start = time.perf_counter()
    flood.stdin.write("go\n")
    flood.stdin.flush()
    fx.spin(lambda: handled["n"] >= count, 120)
    elapsed = time.perf_counter() - start
    assert handled["n"] >= count, handled
    flood.stdin.write("done\n")
    flood.stdin.flush()
    flood.wait(10)
    if manager:
        manager.stop()
    return count / elapsed


def bench_signals(bus: fx.PrivateBus, procs: fx.Processes, count: int) -> None:
    bare = flood_rate(bus, procs, count, with_manager=False)
    ours = flood_rate(bus, procs, count, with_manager=True)
    print(f"3. signals handled per second ({count} PropertiesChanged+Seeked, half of them "
          f"track changes): moodplayer {ours:,.0f}/s, bare dbus-python receiver {bare:,.0f}/s, "
          f"ratio {ours / bare:.2f}")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the players get killed
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--signals", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "tracks").mkdir()
        tracks = {"long_a": fx.tone(tmp / "tracks" / "long a.ogg", 60, 440),
                  "short": fx.tone(tmp / "tracks" / "short.ogg", 3, 660)}
        for step in ("latency", "cpu", "signals"):
            (tmp / step).mkdir()
            bus, procs = fx.PrivateBus(tmp / step / "bus").start(), fx.Processes()
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.address
            try:
                if step == "latency":
                    bench_latency(bus, procs, tracks, tmp)
                elif step == "cpu":
                    bench_cpu(bus, procs, tracks, tmp, args.seconds)
                else:
                    bench_signals(bus, procs, args.signals)
            finally:
                procs.kill_all()
                bus.stop()


if __name__ == "__main__":
    main()
