"""The agent's ``moodplayer`` subcommands: run, control, forget, report, install-service, demo."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from moodplayer.agent.config import SENSING_MODES
from moodplayer.emotion import MOODS
from moodplayer.exceptions import ConfigError, MoodplayerError

#: The longest ``run --duration``: 30 days (the main loop's timers count milliseconds).
MAX_DURATION_S = 30 * 86400


def _duration(text: str) -> float:
    """``run --duration``: seconds above 0 and at most ``MAX_DURATION_S``."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_DURATION_S):
        raise argparse.ArgumentTypeError(
            f"expected seconds above 0 and at most {MAX_DURATION_S} (leave it out to run "
            f"until stopped), got {text!r}")
    return seconds


def config_defaults(command: str, path: Path | None) -> dict[str, Any]:
    """The option defaults ``command`` takes from the ``moodplayer:`` configuration.

    Commands that read the configuration themselves (run, config, install-service) and
    those it does not concern get none; the configuration is read only when needed.
    """
    if command not in ("watch", "calibrate", "suggest", "players", "enqueue"):
        return {}
    from moodplayer.agent.config import load_config
    from moodplayer.recommend.cli import LIBRARY_ENV

    config = load_config(path)
    if command in ("watch", "calibrate"):
        from moodplayer.agent.camera import vision_settings

        vision = vision_settings(config)  # the pipeline `run` builds, sensitivity included
        return {"source": vision.source, "fps": vision.fps, "detector": vision.detector,
                "detector_path": vision.detector_path, "model": vision.model_path,
                "smoothing": vision.smoothing}
    if command == "suggest":
        return {"policy": config.policy, "target": config.target,
                "library": os.environ.get(LIBRARY_ENV) or str(config.library),
                "music_dir": str(config.directory)}
    return {"ignore_player": list(config.ignore_players), "mpv_socket": config.mpv_socket,
            "mpd_host": config.mpd_host, "mpd_port": config.mpd_port}


def add_commands(subparsers: argparse._SubParsersAction,
                 parents: list[argparse.ArgumentParser]) -> None:
    """Register the agent's subcommands, each built on ``parents``."""
    run = subparsers.add_parser("run", help="run the agent (the service)", parents=parents)
    run.add_argument("--grant-consent", action="store_true",
                     help="record consent to use the camera without asking (demos, tests)")
    run.add_argument("--mood-script", metavar="MOOD:SECONDS,...",
                     help="use a scripted mood sequence instead of the camera, e.g. "
                          "happy:20,sad:20 (labelled 'scripted' everywhere)")
    run.add_argument("--source", help="camera stand-in: a video file or a folder of images "
                                      "(overrides the camera option)")
    run.add_argument("--sensing", choices=SENSING_MODES,
                     help="override the sensing option")
    run.add_argument("--play", action="store_true",
                     help="if the player is idle, queue music and start playing")
    run.add_argument("--duration", type=_duration, default=None, metavar="SECONDS",
                     help="stop cleanly after this many seconds (default: run until "
                          "stopped)")
    run.set_defaults(func=_run)

    for name, help_text in (("status", "show what the running agent is doing"),
                            ("pause", "pause the agent (releases the camera)"),
                            ("resume", "resume the agent"),
                            ("like", "thumbs up for the playing track"),
                            ("dislike", "thumbs down for the playing track"),
                            ("now", "take a glance now (glance mode)")):
        sub = subparsers.add_parser(name, help=help_text, parents=parents)
        sub.set_defaults(func=_control, action=name)

    target = subparsers.add_parser("target", help="set the target mood (uplift/fixed)",
                                   parents=parents)
    target.add_argument("mood", nargs="?", choices=MOODS,
                        help="the mood; without one, move to the next")
    target.set_defaults(func=_control, action="target")

    forget = subparsers.add_parser("forget", help="delete everything moodplayer stored "
                                                  "about you (works with the agent stopped)",
                                   parents=parents)
    forget.set_defaults(func=_forget)

    report = subparsers.add_parser("report", help="write an HTML report of mood and music",
                                   parents=parents)
    report.add_argument("--since", default="1d",
                        help="period: 30m, 2h, 1d, 1w or an ISO date/time (default 1d)")
    report.add_argument("-o", "--output", type=Path, default=None,
                        help="where to write it (default: moodplayer-report.html in the "
                             "data dir)")
    report.set_defaults(func=_report)

    install = subparsers.add_parser("install-service",
                                    help="install a systemd user unit for `moodplayer run`",
                                    parents=parents)
    install.add_argument("--print", dest="print_only", action="store_true",
                         help="print the unit instead of writing it")
    install.set_defaults(func=_install_service)

    config = subparsers.add_parser("config", help="check the configuration and show it",
                                   parents=parents)
    config.add_argument("--default", action="store_true",
                        help="print the documented default moodplayer: section")
    config.set_defaults(func=_config)

    demo = subparsers.add_parser("demo", help="the whole loop on generated music, no webcam "
                                              "or desktop needed", parents=parents)
    demo.add_argument("--dir", type=Path, default=None,
                      help="work here and keep it (default: a temporary dir, removed)")
    demo.add_argument("--tracks", type=int, default=24, help="sample tracks (default 24)")
    demo.add_argument("--source", help="video file or image folder to use as the camera "
                                       "(default: two photos of faces that scikit-image "
                                       "ships, in turn)")
    demo.add_argument("--detector", type=Path, default=None,
                      help="face detector weights (default: the usual places)")
    demo.add_argument("--mood-script", default="happy:25,sad:25,energetic:25",
                      help="scripted moods when no changing faces are at hand")
    demo.add_argument("--library-only", action="store_true",
                      help="stop after building and annotating the library")
    demo.add_argument("--fetch-detector", action=argparse.BooleanOptionalAction, default=None,
                      help="download missing face detector weights (sha256-checked; "
                           "default: ask on a terminal)")
    demo.set_defaults(func=_demo)


def _run(args: argparse.Namespace) -> int:
    from moodplayer.agent.config import load_config
    from moodplayer.agent.service import RunOptions, run_agent

    config = load_config(args.config)
    options = RunOptions(grant_consent=args.grant_consent, mood_script=args.mood_script,
                         source=args.source, sensing=args.sensing, play=args.play,
                         duration=args.duration, verbose=args.verbose)
    return run_agent(config, options)


def _control(args: argparse.Namespace) -> int:
    from moodplayer.agent.control import AgentClient

    client = AgentClient()
    action = args.action
    if action == "status":
        for key, value in client.status().items():
            print(f"{key}: {value}")
    elif action == "target":
        print(client.set_target(args.mood) if args.mood else client.next_target())
    elif action in ("pause", "resume"):
        getattr(client, action)()
        print("paused (camera released)" if action == "pause" else "resumed")
    else:
        print(getattr(client, action)())
    return 0


def _forget(_args: argparse.Namespace) -> int:
    from moodplayer.agent.control import AgentClient, AgentNotRunningError
    from moodplayer.agent.store import forget_all

    try:
        removed = AgentClient().forget()
        print(f"the running agent deleted {removed} stored file(s)")
    except AgentNotRunningError:
        files = forget_all()
        print(f"deleted {len(files)} stored file(s)")
    return 0


def _report(args: argparse.Namespace) -> int:
    from moodplayer.agent.config import load_config
    from moodplayer.agent.report import (
        default_report_path,
        parse_since,
        track_positions,
        write_report,
    )
    from moodplayer.agent.store import StateStore
    now = time.time()
    try:
        since = parse_since(args.since, now)
    except ValueError as exc:
        raise MoodplayerError(str(exc)) from exc
    target = args.output or default_report_path()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        positions, note = {}, f"The queued tracks have no place in the picture: {exc}"
    else:
        positions, note = track_positions(config.library, config.directory)
    with StateStore() as store:
        write_report(store, target, since=since, now=now, positions=positions,
                     positions_note=note)
    print(target)
    return 0


def _install_service(args: argparse.Namespace) -> int:
    from moodplayer.agent.config import load_config
    from moodplayer.agent.store import StateStore
    from moodplayer.agent.unit import UNIT_NAME, executable, install_unit, render_unit

    config = load_config(args.config)  # refuse to install a service that cannot start
    path = args.config.resolve() if args.config else None
    if args.print_only:
        print(render_unit(executable(), config=path), end="")
        return 0
    unit = install_unit(config=path)
    print(f"wrote {unit}\nenable and start it with:\n"
          f"  systemctl --user daemon-reload\n"
          f"  systemctl --user enable --now {UNIT_NAME}\n"
          f"logs: journalctl --user -u {UNIT_NAME}"
          + (f" (and {config.log_file})" if config.log_file else ""))
    with StateStore() as store:
        consent = store.consent()
    if consent is None and config.sensing != "off":
        print("note: the camera needs your consent first: run `moodplayer run` once in a "
              "terminal and answer its question", file=sys.stderr)
    return 0


def _config(args: argparse.Namespace) -> int:
    from moodplayer.agent.config import SCHEMA, default_yaml, load_config

    if args.default:
        print(default_yaml(), end="")
        return 0
    config = load_config(args.config)
    print(f"# {config.source} is valid; library {config.library}")
    for key in SCHEMA:
        print(f"{key}: {getattr(config, key)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from moodplayer.agent.demo import DemoOptions, run_demo

    if args.tracks < 3:
        raise ConfigError(f"--tracks {args.tracks}: expected at least 3")
    if args.dir is not None and args.dir.exists() and not args.dir.is_dir():
        raise ConfigError(f"--dir {args.dir}: expected a folder, but it is a file")
    return run_demo(DemoOptions(directory=args.dir, tracks=args.tracks, source=args.source,
                                detector=args.detector.resolve() if args.detector else None,
                                mood_script=args.mood_script,
                                library_only=args.library_only,
                                fetch_detector=args.fetch_detector))
