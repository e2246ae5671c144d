"""Real media players started headless on a private bus, as players.md describes.

Every starter takes the ``Processes`` that will kill it and the ``PrivateBus`` it joins,
returns once the player's name is on that bus, and raises ``UnavailableError`` when the
player cannot run here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket as sockets
import subprocess
import sys
import time
from pathlib import Path

import dbus.bus

from moodplayer.player.identity import MPRIS_PREFIX
from moodplayer.testing.bus import PrivateBus
from moodplayer.testing.processes import STARTUP_S, Processes, UnavailableError, require

#: Where Debian's mpv-mpris package puts the plugin.
MPV_MPRIS = Path("/usr/lib/mpv-mpris/mpris.so")


def player_env(bus: PrivateBus, **extra: str) -> dict[str, str]:
    """This process's environment with ``bus`` as the session bus, plus ``extra``."""
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.address, **extra}


def tone(path: Path, seconds: float, freq: int) -> Path:
    """Encode a stereo sine tone of ``seconds`` at ``freq`` Hz to ``path`` (the suffix
    picks the format) with ffmpeg; returns ``path``."""
    subprocess.run([require("ffmpeg"), "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"sine=frequency={freq}:duration={seconds}", "-ac", "2",
                    "-ar", "44100", str(path)], check=True)
    return path


def start_mpv(procs: Processes, bus: PrivateBus, socket: Path, *files: Path) -> subprocess.Popen:
    """mpv with mpv-mpris and JSON IPC at ``socket``, null audio output (real time), idle
    when done, playing ``files``."""
    require("mpv")
    if not MPV_MPRIS.exists():
        raise UnavailableError(f"{MPV_MPRIS} is absent (package mpv-mpris)")
    proc = procs.start([
        "mpv", "--no-config", f"--script={MPV_MPRIS}", "--no-video", "--ao=null",
        "--idle=yes", "--no-terminal", f"--input-ipc-server={socket}", *map(str, files)],
        env=player_env(bus))
    bus.wait_for(f"{MPRIS_PREFIX}mpv")
    return proc


def mpv_command(socket: Path, *command: object, timeout_s: float = 5.0) -> object:
    """Send one command over mpv's JSON IPC ``socket`` and return its data, as a user's
    script would; None when mpv does not answer (gone, or no answer within ``timeout_s``)."""
    try:
        with sockets.socket(sockets.AF_UNIX) as client:
            client.settimeout(timeout_s)
            client.connect(str(socket))
            client.sendall(json.dumps({"command": list(command),
                                       "request_id": 1}).encode() + b"\n")
            buffer = b""
            while chunk := client.recv(65536):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    message = json.loads(line)
                    if message.get("request_id") == 1:
                        return message.get("data")
    except (OSError, ValueError):
        pass
    return None


_VLC_SCRIPT = """
import sys, time, vlc
instance = vlc.Instance(["--aout=adummy", "--no-video", "--quiet"])
instance.add_intf("dbus")
while True:
    time.sleep(3600)
"""


def start_vlc(procs: Processes, bus: PrivateBus) -> subprocess.Popen:
    """VLC through python-vlc (libvlc runs as root, the vlc binary refuses) with its
    D-Bus module."""
    require("vlc")
    try:
        import vlc  # noqa: F401
    except (ImportError, OSError) as exc:
        raise UnavailableError(f"python-vlc cannot load libvlc: {exc}") from exc
    proc = procs.start([sys.executable, "-c", _VLC_SCRIPT], env=player_env(bus))
    bus.wait_for(f"{MPRIS_PREFIX}vlc")
    return proc


def start_xvfb(procs: Processes) -> str:
    """A headless X server; returns its DISPLAY."""
    read, write = os.pipe()
    procs.start([require("Xvfb"), "-displayfd", str(write), "-nolisten", "tcp", "-screen",
                 "0", "640x480x24"], pass_fds=(write,))
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise UnavailableError("Xvfb could not start")
    return f":{number}"


def start_rhythmbox(procs: Processes, bus: PrivateBus, home: Path) -> subprocess.Popen:
    """Rhythmbox under Xvfb with the throwaway ``home`` and in-memory settings."""
    require("rhythmbox")
    display = start_xvfb(procs)
    home.mkdir(parents=True, exist_ok=True)
    proc = procs.start(["rhythmbox"], env=player_env(
        bus, DISPLAY=display, HOME=str(home), GSETTINGS_BACKEND="memory", NO_AT_BRIDGE="1",
        XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache")))
    bus.wait_for(f"{MPRIS_PREFIX}rhythmbox", 30)
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
    """An Audacious config dir under ``root`` whose output is SDL (dummy driver: real
    time); returns it. Audacious writes its plugin registry on a first run, made here on
    a bus of its own."""
    require("audacious")
    with PrivateBus(root / "bus") as private, Processes() as procs:
        proc = procs.start(["audacious", "-H"], env=player_env(
            private, XDG_CONFIG_HOME=str(root / "config"), HOME=str(root)))
        private.wait_for("org.atheme.audacious")
        conn = dbus.bus.BusConnection(private.address)
        conn.get_object("org.atheme.audacious", "/org/atheme/audacious").Quit(
            dbus_interface="org.atheme.audacious")
        conn.close()
        proc.wait(timeout=STARTUP_S)
    registry = root / "config" / "audacious" / "plugin-registry"
    if not registry.exists():
        raise UnavailableError("Audacious wrote no plugin registry on its first run")
    _select_sdl_output(registry)
    return root / "config"


def start_audacious(procs: Processes, bus: PrivateBus, config: Path,
                    home: Path) -> subprocess.Popen:
    """Audacious headless (-H) with a copy of the prepared ``config`` (see
    ``prepare_audacious_config``) under ``home``, SDL dummy audio."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(config, home / "config")
    proc = procs.start(["audacious", "-H"], env=player_env(
        bus, XDG_CONFIG_HOME=str(home / "config"), HOME=str(home), SDL_AUDIODRIVER="dummy"))
    bus.wait_for("org.atheme.audacious")
    bus.wait_for(f"{MPRIS_PREFIX}audacious")
    return proc


def start_mpd(procs: Processes, root: Path) -> Path:
    """MPD on a local socket under ``root`` with a ``null`` output (keeps real time);
    returns the socket."""
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


def start_mpdris2(procs: Processes, bus: PrivateBus, mpd_socket: Path,
                  home: Path) -> subprocess.Popen:
    """mpDris2, the MPRIS bridge, for the MPD at ``mpd_socket`` (its config under ``home``)."""
    proc = procs.start([require("mpDris2"), f"--host={mpd_socket}"],
                       env=player_env(bus, HOME=str(home), XDG_CONFIG_HOME=str(home)))
    bus.wait_for(f"{MPRIS_PREFIX}mpd")
    return proc
