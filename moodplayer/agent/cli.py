"""The ``moodplayer`` command: one subcommand per task, contributed by each package.

Each package that offers commands has a ``cli`` module with ``add_commands(subparsers,
parents)``; every subcommand is built with ``parents`` (the shared ``-c/--config``) and sets
``func(args) -> int`` (the exit status). Commands whose options have configured defaults
(see ``commands.config_defaults``) read the ``moodplayer:`` section first; an option
given on the command line wins. Errors the user can fix are ``MoodplayerError``: printed
as one line, exit status 2 for configuration and usage, 1 else.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn

from moodplayer.exceptions import ConfigError, MoodplayerError

#: Modules contributing subcommands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "moodplayer.agent.commands",
    "moodplayer.vision.cli",
    "moodplayer.recommend.cli",
    "moodplayer.player.cli",
)

#: Subcommands for developers and scripts, listed apart from the user's in ``--help``.
DEVELOPER_TOOLS: tuple[str, ...] = ("eval-fer", "players", "enqueue", "fetch-model")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE`` and where help is, then exit 2."""
        self.exit(2, f"{self.prog}: {_one_line(message)} (see `{self.prog} --help`)\n")


def installed_version() -> str:
    """The version of the installed moodplayer distribution (its metadata)."""
    try:
        return version("moodplayer")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def common_parser() -> argparse.ArgumentParser:
    """The options every subcommand takes: which configuration to read."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", type=Path, default=None, metavar="FILE",
                        help="beets config file with a moodplayer: section "
                             "(default: the one beet uses)")
    return common


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The full argument parser, and each subcommand's parser by name."""
    parser = _Parser(
        prog="moodplayer", description="Mood-aware music for the player you already use.")
    parser.add_argument("--version", action="version",
                        version=f"moodplayer {installed_version()}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                       title="commands")
    parents = [common_parser()]
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_commands(subparsers, parents)
    _group_developer_tools(parser, subparsers)
    return parser, dict(subparsers.choices)


def _group_developer_tools(parser: argparse.ArgumentParser,
                           subparsers: argparse._SubParsersAction) -> None:
    """List the developer tools under a heading of their own in ``--help``."""
    tools = [a for a in subparsers._choices_actions if a.dest in DEVELOPER_TOOLS]
    subparsers._choices_actions[:] = [a for a in subparsers._choices_actions
                                      if a not in tools]
    group = parser.add_argument_group("developer tools")
    group._group_actions.extend(tools)  # shown in --help only; parsing is the subparsers'


def _one_line(message: str) -> str:
    """The message on one line: line breaks (in a file name, say) shown as ``\\n``."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``moodplayer`` subcommand and return its exit status."""
    from moodplayer.agent.commands import config_defaults

    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        defaults = config_defaults(args.command, args.config)
        if defaults:
            commands[args.command].set_defaults(**defaults)
            args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except MoodplayerError as exc:
        print(f"moodplayer: {_one_line(str(exc))}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
