"""The ``moodplayer`` command: one subcommand per task, contributed by each package.

Each package that offers commands has a ``cli`` module with ``add_commands(subparsers)``;
every subcommand sets ``func(args) -> int`` (the exit status). Errors the user can fix
are ``MoodplayerError``: printed as one line, exit status 2 for configuration, 1 else.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from moodplayer import __version__
from moodplayer.exceptions import ConfigError, MoodplayerError

#: Modules contributing subcommands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "moodplayer.agent.commands",
    "moodplayer.vision.cli",
    "moodplayer.recommend.cli",
    "moodplayer.player.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="moodplayer", description="Mood-aware music for the player you already use."
    )
    parser.add_argument("--version", action="version", version=f"moodplayer {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``moodplayer`` subcommand and return its exit status."""
    args = build_parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"moodplayer: {exc}", file=sys.stderr)
        return 2
    except MoodplayerError as exc:
        print(f"moodplayer: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
