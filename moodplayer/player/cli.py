"""``moodplayer players`` and ``moodplayer enqueue``: the player part by hand, for scripts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gi.repository import GLib

from moodplayer.exceptions import PlayerError
from moodplayer.player import _glib
from moodplayer.player.backends import BackendSettings
from moodplayer.player.events import EnqueueResult
from moodplayer.player.manager import PlayerManager

#: Seconds to wait for the bus to list the players and for them to answer.
DISCOVERY_S = 1.5


def add_commands(subparsers: argparse._SubParsersAction,
                 parents: list[argparse.ArgumentParser]) -> None:
    """Register ``players`` and ``enqueue``, each built on ``parents``."""
    players = subparsers.add_parser("players", help="list MPRIS players and how tracks are "
                                    "queued in each", parents=parents)
    _common(players)
    players.set_defaults(func=list_players)
    enqueue = subparsers.add_parser("enqueue", help="queue files after the current track",
                                    parents=parents)
    enqueue.add_argument("files", nargs="+", metavar="FILE", help="audio files or URIs")
    enqueue.add_argument("--player", help="player name (e.g. vlc); default: the active one")
    _common(enqueue)
    enqueue.set_defaults(func=enqueue_files)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ignore-player", action="append", default=[], metavar="NAME",
                        help="never use this player (repeatable)")
    parser.add_argument("--mpv-socket", type=Path, help="mpv's --input-ipc-server socket")
    parser.add_argument("--mpd-host", default="localhost", help="MPD host or socket path")
    parser.add_argument("--mpd-port", type=_port, default=6600, help="MPD port")


def _port(text: str) -> int:
    """A TCP port number, 1 to 65535."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {text!r}")
    return int(text)


def _manager(args: argparse.Namespace, priority: tuple[str, ...] = ()) -> PlayerManager:
    settings = BackendSettings(mpv_socket=args.mpv_socket, mpd_host=args.mpd_host,
                               mpd_port=args.mpd_port)
    manager = PlayerManager(priority=priority, ignore=args.ignore_player, settings=settings)
    manager.start()
    _run_until(DISCOVERY_S)
    return manager


def _run_until(seconds: float, done: Callable[[], bool] = lambda: False) -> None:
    """Run the main loop for at most ``seconds``, or until ``done()`` (checked every 0.2 s)."""
    loop = GLib.MainLoop()

    def check() -> bool:
        if done():
            loop.quit()
        return True

    sources = (_glib.timeout(seconds, loop.quit), _glib.every(0.2, check))
    loop.run()
    for source in sources:
        _glib.cancel(source)


def list_players(args: argparse.Namespace) -> int:
    """Print each player, its backend, whether it plays, and which one is active."""
    manager = _manager(args)
    players = manager.players()
    if not players:
        print("No players found", file=sys.stderr)
        return 1
    active = manager.active()
    for name, backend, usable in players:
        player = manager.player(name) if usable else None
        state = player.tracker.status if player else "ignored"
        mark = "*" if name == active else " "
        print(f"{mark} {name.instance:<24} {backend or '(not answering)':<10} {state:<8} "
              f"{name.bus_name}")
    manager.stop()
    return 0


def enqueue_files(args: argparse.Namespace) -> int:
    """Queue the files in the chosen (or active) player; exit 1 if nothing was queued.

    For players without a queue (Spotify, plain OpenUri) it stays until the current track
    ended and the files were opened.
    """
    manager = _manager(args, priority=(args.player,) if args.player else ())
    if not manager.players():
        manager.stop()
        raise PlayerError("No players found")
    if args.player and manager.player(args.player) is None:
        manager.stop()
        raise PlayerError(f"no player named {args.player} (see `moodplayer players`)")
    results: list[EnqueueResult] = []
    manager.enqueue(args.files, player=args.player, done=results.append)
    _run_until(10.0, lambda: any(r.status != "waiting" for r in results))
    final = [r for r in results if r.status != "waiting"]
    for result in final:
        if result.status == "failed":
            print(f"not queued: {', '.join(result.uris)}: {result.message}", file=sys.stderr)
        else:
            print(f"{result.status} in {result.player} ({result.backend}): "
                  f"{len(result.uris)} track(s)")
    if any(r.status == "deferred" for r in final):
        print("waiting for the current track to end (Ctrl-C to give up)", file=sys.stderr)
        _run_until(24 * 3600, lambda: not manager.queue_length())
    manager.stop()
    if not final:
        wanted = f" ({args.player})" if args.player else ""
        raise PlayerError(f"no player could take the tracks{wanted}")
    return 0 if any(r.status != "failed" for r in final) else 1
