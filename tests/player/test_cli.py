"""``moodplayer players`` and ``moodplayer enqueue`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from moodplayer.testing import tone

from .conftest import Control, player_env, spin, start_mpv

pytestmark = pytest.mark.players


def moodplayer(bus, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodplayer.agent.cli", *args],
                          env=player_env(bus), capture_output=True, text=True, timeout=60)


def test_no_players(bus):
    result = moodplayer(bus, "players")
    assert result.returncode == 1 and "No players found" in result.stderr


def test_players_and_enqueue_with_mpv(bus, procs, tracks, tmp_path):
    socket = tmp_path / "mpv.sock"
    # Long enough to still play after two commands on a loaded machine; Next moves on.
    playing = tone(tmp_path / "long a.ogg", 120, 440)
    start_mpv(procs, bus, socket, playing)
    listed = moodplayer(bus, "players", "--mpv-socket", str(socket))
    assert listed.returncode == 0
    assert "mpv" in listed.stdout and "org.mpris.MediaPlayer2.mpv" in listed.stdout
    queued = moodplayer(bus, "enqueue", "--mpv-socket", str(socket), str(tracks["short"]),
                        str(tmp_path / "missing.ogg"))
    assert queued.returncode == 0, queued.stderr
    assert "queued in mpv" in queued.stdout
    assert "missing.ogg" in queued.stderr and "no such file" in queued.stderr
    control = Control(bus, "mpv")
    try:
        assert control.url().endswith("long%20a.ogg"), "the playing track was interrupted"
        control.player("Next")
        assert spin(lambda: control.url().endswith("short.ogg"), 15)
    finally:
        control.close()


def test_enqueue_into_a_player_that_is_not_there(bus, procs, tracks, tmp_path):
    start_mpv(procs, bus, tmp_path / "mpv.sock", tracks["long_a"])
    result = moodplayer(bus, "enqueue", "--player", "vlc", str(tracks["short"]))
    assert result.returncode == 1 and "no player named vlc" in result.stderr


def test_players_reads_the_mpv_socket_from_the_config(bus, procs, tracks, tmp_path):
    """`players` and `enqueue` ignored the moodplayer: section; -c now sets their defaults."""
    socket = tmp_path / "mpv.sock"
    start_mpv(procs, bus, socket, tracks["long_a"])
    config = tmp_path / "config.yaml"
    config.write_text(f"moodplayer:\n  mpv_socket: {socket}\n")
    queued = moodplayer(bus, "enqueue", "-c", str(config), str(tracks["short"]))
    assert queued.returncode == 0, queued.stderr
    assert "queued in mpv (mpv)" in queued.stdout  # mpv's own queue, through the socket
    control = Control(bus, "mpv")
    try:
        assert spin(lambda: control.url().endswith("short.ogg"), 15)
    finally:
        control.close()
