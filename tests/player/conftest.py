"""Fixtures for the player tests: a private session bus, generated tracks, real players.

Every player runs headless as players.md describes; every process is killed at teardown.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dbus
import dbus.bus
import pytest
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

from moodplayer.player import FeedbackEvent, PlayerListener, PlayerManager, to_uri

MPRIS = "org.mpris.MediaPlayer2"
MPRIS_PLAYER = "org.mpris.MediaPlayer2.Player"
STARTUP_S = 15.0


def spin(predicate: Callable[[], object], timeout_s: float = 10.0) -> object:
    """Run the GLib main loop until ``predicate()`` is truthy or ``timeout_s`` passes."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        while context.pending():
            context.iteration(False)
        value = predicate()
        if value:
            return value
        context.iteration(False) or time.sleep(0.01)


def require(tool: str) -> str:
    """The path of ``tool``, or skip: the player cannot run here at all."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (setup.sh installs it)")
    return path


def encode(path: Path, seconds: float, freq: int) -> Path:
    """A real encoded sine tone of ``seconds`` (mp3 or ogg by suffix)."""
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency={freq}:duration={seconds}", "-ac", "2", "-ar", "44100",
                    str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated tracks: two 8 s, one 3 s, one with characters that need URI escaping."""
    require("ffmpeg")
    root = tmp_path_factory.mktemp("tracks")
    return {
        "long_a": encode(root / "long a.ogg", 8, 440),
        "long_b": encode(root / "long b.mp3", 8, 550),
        "short": encode(root / "short.ogg", 3, 660),
        "odd": encode(root / "odd #1 é%20&.ogg", 3, 770),
    }


class Bus:
    """A private ``dbus-daemon --session`` at a fixed socket path (so it can restart)."""

    def __init__(self, root: Path) -> None:
        self.address = f"unix:path={root / 'bus'}"
        self.pid = 0
        self.start()

    def start(self) -> None:
        """Start the daemon and wait until it accepts connections."""
        out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-pid=1",
                              f"--address={self.address}"],
                             capture_output=True, text=True, check=True, timeout=STARTUP_S)
        self.pid = int(out.stdout.split()[0])

    def stop(self) -> None:
        """Kill the daemon."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            self.pid = 0

    def connect(self) -> dbus.bus.BusConnection:
        """A new connection with the GLib main loop."""
        return dbus.bus.BusConnection(self.address, mainloop=DBusGMainLoop())

    def has_name(self, name: str) -> bool:
        """Whether ``name`` is owned now (a blocking check; test side only)."""
        conn = dbus.bus.BusConnection(self.address)
        try:
            return bool(conn.name_has_owner(name))
        finally:
            conn.close()

    def wait_for(self, name: str, timeout_s: float = STARTUP_S) -> None:
        """Wait until ``name`` is on the bus, or fail."""
        deadline = time.monotonic() + timeout_s
        while not self.has_name(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not appear on the bus in {timeout_s} s")
            time.sleep(0.05)


@pytest.fixture
def bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bus]:
    """A private session bus, the only one the code under test can see."""
    require("dbus-daemon")
    private = Bus(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private.address)
    yield private
    private.stop()


class Processes:
    """Started processes, each in its own group, all killed at teardown."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        """Start ``args`` in a new process group with output discarded."""
        proc = subprocess.Popen(args, start_new_session=True, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                **kwargs)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """Kill ``proc``'s group and reap it."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def kill_all(self) -> None:
        """Kill everything started here."""
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def procs() -> Iterator[Processes]:
    """Start processes that are always killed afterwards."""
    started = Processes()
    yield started
    started.kill_all()


def player_env(bus: Bus, **extra: str) -> dict[str, str]:
    """The environment for a player on the private bus."""
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address, **extra}


def start_mpv(procs: Processes, bus: Bus, socket: Path, *files: Path) -> subprocess.Popen:
    """mpv with mpv-mpris and JSON IPC, null audio output (real-time), idle when done."""
    require("mpv")
    plugin = "/usr/lib/mpv-mpris/mpris.so"
    if not Path(plugin).exists():
        pytest.skip(f"{plugin} is absent (package mpv-mpris)")
    proc = procs.start(["mpv", "--no-config", f"--script={plugin}", "--no-video", "--ao=null",
                        "--idle=yes", "--no-terminal", f"--input-ipc-server={socket}",
                        *map(str, files)], env=player_env(bus))
    bus.wait_for(f"{MPRIS}.mpv")
    return proc


VLC_SCRIPT = """
import sys, time, vlc
instance = vlc.Instance(["--aout=adummy", "--no-video", "--quiet"])
instance.add_intf("dbus")
while True:
    time.sleep(3600)
"""


def start_vlc(procs: Processes, bus: Bus) -> subprocess.Popen:
    """VLC from Python (libvlc runs as root; the vlc binary refuses) with its D-Bus module."""
    require("vlc")
    try:
        import vlc  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"python-vlc cannot load libvlc: {exc}")
    proc = procs.start([sys.executable, "-c", VLC_SCRIPT], env=player_env(bus))
    bus.wait_for(f"{MPRIS}.vlc")
    return proc


class Control:
    """The test's own blocking connection, acting as the user presses buttons."""

    def __init__(self, bus: Bus, name: str) -> None:
        self.conn = dbus.bus.BusConnection(bus.address)
        self.name = name
        self.obj = self.conn.get_object(f"{MPRIS}.{name}", "/org/mpris/MediaPlayer2")

    def player(self, method: str, *args) -> object:
        """Call a method of the MPRIS Player interface."""
        return self.obj.get_dbus_method(method, MPRIS_PLAYER)(*args)

    def get(self, prop: str) -> object:
        """Read an MPRIS Player property."""
        return self.obj.Get(MPRIS_PLAYER, prop, dbus_interface="org.freedesktop.DBus.Properties")

    def url(self) -> str:
        """The ``xesam:url`` of what plays now ('' if nothing)."""
        try:
            return str(self.get("Metadata").get("xesam:url", ""))
        except dbus.DBusException:
            return ""

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class Recorder(PlayerListener):
    """Collects everything the manager reports."""

    def __init__(self) -> None:
        self.events: list[FeedbackEvent] = []
        self.results: list = []
        self.appeared: list = []
        self.vanished: list = []

    def on_feedback(self, event: FeedbackEvent) -> None:
        self.events.append(event)

    def on_enqueue_result(self, result) -> None:
        self.results.append(result)

    def on_player_appeared(self, player, backend: str) -> None:
        self.appeared.append((player, backend))

    def on_player_vanished(self, player) -> None:
        self.vanished.append(player)

    def kinds(self, kind: str) -> list[FeedbackEvent]:
        """The events of one kind."""
        return [e for e in self.events if e.kind == kind]


def watched(bus, **kwargs) -> tuple[PlayerManager, Recorder]:
    """A started ``PlayerManager`` on a new connection to ``bus``, with a recorder."""
    manager = PlayerManager(bus.connect(), **kwargs)
    recorder = Recorder()
    manager.add_listener(recorder)
    manager.start()
    return manager, recorder


def assert_plays_next(manager: PlayerManager, recorder: Recorder, control: Control,
                      queued: list[Path], playing: Path) -> None:
    """Enqueue ``queued`` and check what a user hears: the player takes it, ``playing``
    goes on uninterrupted, ``queued[0]`` plays next, and ``playing`` counts as played."""
    manager.enqueue(queued)
    assert spin(lambda: recorder.results)
    assert recorder.results[-1].status == "queued", recorder.results[-1]
    assert control.url() == to_uri(playing), "the playing track was interrupted"
    assert spin(lambda: control.url() == to_uri(queued[0]), 15)
    assert spin(lambda: recorder.kinds("played"), 5), recorder.events
    assert recorder.kinds("played")[0].track.path == str(playing)


def start_xvfb(procs: Processes) -> str:
    """A headless X server; returns its DISPLAY."""
    require("Xvfb")
    read, write = os.pipe()
    procs.procs.append(subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write,), start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL))
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        pytest.skip("Xvfb could not start")
    return f":{number}"


def start_rhythmbox(procs: Processes, bus: Bus, home: Path) -> subprocess.Popen:
    """Rhythmbox under Xvfb with a throwaway home and in-memory settings."""
    require("rhythmbox")
    display = start_xvfb(procs)
    home.mkdir(parents=True, exist_ok=True)
    proc = procs.start(["rhythmbox"], env=player_env(
        bus, DISPLAY=display, HOME=str(home), GSETTINGS_BACKEND="memory", NO_AT_BRIDGE="1",
        XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache")))
    bus.wait_for(f"{MPRIS}.rhythmbox", 30)
    return proc


def _select_sdl_output(registry: Path) -> None:
    """Enable only the SDL output plugin (records start ``output PATH``, end ``enabled N``)."""
    lines, current = [], ""
    for line in registry.read_text().splitlines():
        kind, _, value = line.partition(" ")
        if kind in ("transport", "playlist", "input", "effect", "output", "visualization",
                    "general", "iface"):
            current = value if kind == "output" else ""
        if kind == "enabled" and current:
            line = f"enabled {int(current.endswith('/sdlout.so'))}"
        lines.append(line)
    registry.write_text("\n".join(lines) + "\n")


def prepare_audacious_config(root: Path) -> Path:
    """An Audacious config dir under ``root`` whose output is SDL (dummy driver: real time).

    Audacious writes its plugin registry on a first run; that run happens here.
    """
    require("audacious")
    private = Bus(root)
    proc = subprocess.Popen(["audacious", "-H"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=player_env(private, XDG_CONFIG_HOME=str(root / "config"),
                                           HOME=str(root)))
    try:
        private.wait_for("org.atheme.audacious")
        conn = dbus.bus.BusConnection(private.address)
        conn.get_object("org.atheme.audacious", "/org/atheme/audacious").Quit(
            dbus_interface="org.atheme.audacious")
        conn.close()
        proc.wait(timeout=STARTUP_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        private.stop()
    registry = root / "config" / "audacious" / "plugin-registry"
    if not registry.exists():
        pytest.skip("Audacious wrote no plugin registry on its first run")
    _select_sdl_output(registry)
    return root / "config"


@pytest.fixture(scope="session")
def audacious_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prepared Audacious config dir, made once per session."""
    require("dbus-daemon")
    return prepare_audacious_config(tmp_path_factory.mktemp("audacious"))


def start_audacious(procs: Processes, bus: Bus, config: Path, home: Path) -> subprocess.Popen:
    """Audacious headless (-H) with a copy of the prepared config, SDL dummy audio."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(config, home / "config")
    proc = procs.start(["audacious", "-H"], env=player_env(
        bus, XDG_CONFIG_HOME=str(home / "config"), HOME=str(home), SDL_AUDIODRIVER="dummy"))
    bus.wait_for("org.atheme.audacious")
    bus.wait_for(f"{MPRIS}.audacious")
    return proc


STANDIN = Path(__file__).with_name("standin.py")


def start_standin(procs: Processes, bus: Bus, name: str = "spotify", mode: str = "normal",
                  length_s: float = 3.0) -> subprocess.Popen:
    """The stand-in MPRIS service (see standin.py) under ``org.mpris.MediaPlayer2.NAME``."""
    proc = procs.start([sys.executable, str(STANDIN), "--name", name, "--mode", mode,
                        "--length", str(length_s)], env=player_env(bus))
    bus.wait_for(f"{MPRIS}.{name}")
    return proc


def start_mpd(procs: Processes, root: Path) -> Path:
    """MPD on a local socket with a ``null`` output (keeps real-time); returns the socket."""
    require("mpd")
    (root / "music").mkdir(parents=True, exist_ok=True)
    socket = root / "mpd.sock"
    conf = root / "mpd.conf"
    conf.write_text(f'music_directory "{root / "music"}"\n'
                    f'db_file "{root / "db"}"\n'
                    f'bind_to_address "{socket}"\n'
                    'audio_output {\n type "null"\n name "null"\n}\n')
    procs.start(["mpd", "--no-daemon", str(conf)])
    deadline = time.monotonic() + STARTUP_S
    while not socket.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("MPD did not open its socket")
        time.sleep(0.05)
    return socket
