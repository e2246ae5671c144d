"""A beets library reached through symbolic links, steered in each real player the tests
drive: the agent knows its own picks when the player plays them (it reports the file's
real path, the library names the link) and keeps the queue fed instead of backing off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dbus
import mpd
import pytest

from moodplayer.agent.store import StateStore
from moodplayer.music.library import load_tracks
from moodplayer.player import to_uri
from moodplayer.testing import (
    Control,
    PrivateBus,
    Processes,
    prepare_audacious_config,
    spin,
    start_audacious,
    start_mpd,
    start_mpdris2,
    start_mpv,
    start_rhythmbox,
    start_vlc,
    tone,
)
from moodplayer.tracks import track_id

pytestmark = pytest.mark.players

APPEND = dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/Append")
ATHEME = "org.atheme.audacious"


def linked_music(library: Path, root: Path, layout: str) -> Path:
    """A music folder for ``library`` behind symbolic links: ``folder`` links the whole
    folder (``~/Music`` on another disk), ``files`` holds one link per track (beets'
    ``import: link: yes``). beets stores paths relative to its music folder, so every
    track of the library is read through the links."""
    music = library / "music"
    linked = root / f"Music-{layout}"
    if layout == "folder":
        linked.symlink_to(music, target_is_directory=True)
    else:
        for real in (p for p in music.rglob("*") if p.is_file()):
            link = linked / real.relative_to(music)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(real)
    paths = load_tracks(library / "library.db", linked, use_cache=False).paths
    assert paths and all(p.startswith(f"{linked}/") and track_id(p) != p for p in paths), paths
    return linked


def _config(root: Path, library: Path, music: Path, body: str) -> Path:
    config = root / "config.yaml"
    config.write_text(f"directory: {music}\nlibrary: {library / 'library.db'}\nmoodplayer:\n"
                      + "".join(f"  {line}\n" for line in (
                          "queue_length: 2", "notifications: no", *body.splitlines())),
                      encoding="utf-8")
    return config


def _store() -> StateStore:
    return StateStore()


def _started_other_than(own: str) -> list[str]:
    with _store() as store:
        return [f.path for f in store.feedback() if f.kind == "started" and f.path != own]


def _decisions() -> list[str]:
    with _store() as store:
        return [d.path for d in store.decisions()]


def _press_next(control: Control) -> bool:
    try:
        control.player("Next")
    except dbus.DBusException:
        return False
    return True


def _listen_on(_control: Control) -> bool:
    """Let the user's track end by itself: Rhythmbox stops on a Next (or Seek) that comes
    before it has read the files in its play queue, but goes on to them at a track's end."""
    return True


class Player:
    """One real player on the private bus, playing the user's own track; ``body`` is the
    agent's configuration for it."""

    def __init__(self, name: str, body: str, control: Control,
                 cleanup: Callable[[], None] = lambda: None,
                 move_on: Callable[[Control], bool] = _press_next) -> None:
        self.name, self.body, self.control, self.cleanup = name, body, control, cleanup
        self.move_on = lambda: move_on(control)


def _start(kind: str, bus: PrivateBus, procs: Processes, root: Path, own: Path) -> Player:
    if kind == "mpv":
        socket = root / "mpv.sock"
        start_mpv(procs, bus, socket, own)
        return Player("mpv", f"players: [mpv]\nmpv_socket: {socket}", Control(bus, "mpv"))
    if kind == "vlc":
        start_vlc(procs, bus)
        control = Control(bus, "vlc")
        control.obj.AddTrack(to_uri(own), APPEND, True,
                             dbus_interface="org.mpris.MediaPlayer2.TrackList")
        return Player("vlc", "players: [vlc]", control)
    if kind == "rhythmbox":
        start_rhythmbox(procs, bus, root / "home")
        control = Control(bus, "rhythmbox")
        control.player("OpenUri", to_uri(own))
        return Player("rhythmbox", "players: [rhythmbox]", control, move_on=_listen_on)
    if kind == "audacious":
        (root / "audacious").mkdir()
        config = prepare_audacious_config(root / "audacious")
        start_audacious(procs, bus, config, root / "home")
        control = Control(bus, "audacious")
        atheme = control.conn.get_object(ATHEME, "/org/atheme/audacious")
        atheme.AddUrl(to_uri(own), dbus_interface=ATHEME)
        assert spin(lambda: atheme.Length(dbus_interface=ATHEME) == 1, 10)
        control.player("Play")
        return Player("audacious", "players: [audacious]", control)
    socket = start_mpd(procs, root / "mpd")
    user = mpd.MPDClient()
    user.connect(str(socket))
    user.add(f"file://{own}")
    user.play(0)
    start_mpdris2(procs, bus, socket, root)
    return Player("mpd", f"players: [mpd]\nmpd_host: {socket}", Control(bus, "mpd"),
                  user.disconnect)


@pytest.mark.parametrize("kind, layout", [
    ("mpv", "folder"), ("mpv", "files"), ("vlc", "files"), ("rhythmbox", "folder"),
    ("audacious", "files"), ("mpd", "folder")])
def test_a_symlinked_library_keeps_the_music_going(
        kind, layout, annotated_library, private_bus, procs, tmp_path, start_agent, wait_for):
    music = linked_music(annotated_library, tmp_path, layout)
    own = tone(tmp_path / "own track.ogg", 30, 330)  # what the user was listening to
    player = _start(kind, private_bus, procs, tmp_path, own)
    try:
        assert wait_for(lambda: track_id(player.control.url()) == str(own), 15), \
            player.control.url()
        config = _config(tmp_path, annotated_library, music, player.body)
        agent = start_agent("--config", str(config), "--mood-script", "calm:600")
        assert wait_for(lambda: len(_decisions()) == 2, 60), agent.log_path.read_text()
        assert wait_for(player.move_on, 20)  # the user moves on to what the agent queued
        assert wait_for(lambda: _started_other_than(str(own)), 40), agent.log_path.read_text()
        playing = _started_other_than(str(own))[0]
        log = agent.log_path.read_text
        # The track the player reports is the agent's pick, and the agent sees it so: it
        # does not back off, and refills the queue behind it.
        assert playing in _decisions(), (playing, _decisions())
        assert wait_for(lambda: len(_decisions()) >= 3, 20), log()
        assert "you took over" not in log(), log()
        assert agent.poll() is None
    finally:
        player.control.close()
        player.cleanup()

