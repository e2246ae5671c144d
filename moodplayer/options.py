"""Typed configuration options: one schema format for the agent and the beets plugin.

A schema maps each key to an ``Option``: its default, a one-line description and a value
type (``Choice``, ``Number``, ``Boolean``, ...). ``check_section`` validates a raw mapping
against a schema and collects every problem, one line per key, naming what was expected
and the closest known key for a misspelt one. ``reference`` turns a schema into rows for
the configuration reference (type, default, allowed values, description).
"""

from __future__ import annotations

import argparse
import difflib
import math
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class InvalidValueError(ValueError):
    """A value does not fit its option; the message says what was expected."""


class ValueType(Protocol):
    """How one option's value is checked and described."""

    @property
    def name(self) -> str:
        """The type in a word or two, for the reference: ``number``, ``one of``..."""
        ...

    @property
    def allowed(self) -> str:
        """What values are accepted, in words: ``0.2 to 30``, ``match, uplift, fixed``."""
        ...

    def convert(self, value: Any) -> Any:
        """The checked value, or InvalidValueError saying what was expected."""
        ...


def _expected(kind: ValueType) -> InvalidValueError:
    return InvalidValueError(f"expected {kind.name} {kind.allowed}".rstrip())


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a fixed set of names (compared without case or surrounding blanks)."""

    choices: tuple[str, ...]
    #: YAML reads a bare ``off``/``no`` as false: the choice that stands for it.
    false_means: str | None = None

    name = "one of"

    @property
    def allowed(self) -> str:
        """The names, comma-separated."""
        return ", ".join(self.choices)

    def convert(self, value: Any) -> str:
        """The name, lower-cased."""
        if value is False and self.false_means:
            value = self.false_means
        if not isinstance(value, str) or value.strip().lower() not in self.choices:
            raise _expected(self)
        return value.strip().lower()


def _plain(number: float) -> str:
    """``5``, ``0.2``, ``1000000``: a bound as people write it."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


@dataclass(frozen=True, slots=True)
class Number:
    """A finite number (or a whole number) within ``minimum`` .. ``maximum``."""

    minimum: float
    maximum: float
    integer: bool = False

    @property
    def name(self) -> str:
        """``whole number`` or ``number``."""
        return "a whole number" if self.integer else "a number"

    @property
    def allowed(self) -> str:
        """The range."""
        return f"from {_plain(self.minimum)} to {_plain(self.maximum)}"

    def convert(self, value: Any) -> float | int:
        """The number, as int or float."""
        ok = isinstance(value, int) if self.integer else isinstance(value, int | float)
        if (isinstance(value, bool) or not ok or not math.isfinite(value)
                or not self.minimum <= value <= self.maximum):
            raise _expected(self)
        return int(value) if self.integer else float(value)


def number_argument(kind: Number) -> Callable[[str], float | int]:
    """An argparse ``type`` reading a command-line word as a ``kind`` number."""
    def parse(text: str) -> float | int:
        try:
            value = int(text) if kind.integer else float(text)
            return kind.convert(value)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected {kind.name} {kind.allowed}, "
                                             f"got {text!r}") from None
    return parse


@dataclass(frozen=True, slots=True)
class Boolean:
    """``yes`` or ``no``."""

    name = "yes or no"
    allowed = ""

    def convert(self, value: Any) -> bool:
        """The boolean."""
        if not isinstance(value, bool):
            raise _expected(self)
        return value


@dataclass(frozen=True, slots=True)
class Text:
    """A string; ``numbers`` also takes a bare number (``camera: 0``) as its text."""

    numbers: bool = False

    name = "a string"
    allowed = ""

    def convert(self, value: Any) -> str:
        """The text; empty for a missing value."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if self.numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise _expected(self)


@dataclass(frozen=True, slots=True)
class OptionalPath:
    """A file path (``~`` expanded), or empty for none."""

    name = "a file path"
    allowed = "(empty: none)"

    def convert(self, value: Any) -> Path | None:
        """The path, or None."""
        if value in (None, ""):
            return None
        if not isinstance(value, str) or "\0" in value:
            raise InvalidValueError("expected a file path")
        return Path(value).expanduser()


def output_refusal(path: Path) -> str | None:
    """Why ``path`` cannot be written as a regular file (a phrase that follows the path:
    ``is a folder, not a file``), or None when it can.

    Refused: an existing folder, device, socket or pipe (anything but a regular file),
    and a path whose folder does not exist (no folder is ever created for it).
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror})"
    if mode is not None and stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if mode is not None and not stat.S_ISREG(mode):
        return "is not a regular file (a device, socket or pipe)"
    if not path.parent.is_dir():
        return f"is in a folder that does not exist ({path.parent})"
    return None


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A regular file to write in an existing folder (``~`` expanded), or empty for none."""

    name = "a file path"
    allowed = "(a regular file in an existing folder; empty: none)"

    def convert(self, value: Any) -> Path | None:
        """The path, or None; a folder, a device or a missing folder is refused."""
        path = OptionalPath().convert(value)
        refusal = None if path is None else output_refusal(path)
        if refusal:
            raise InvalidValueError(f"expected a regular file in an existing folder, but it "
                                    f"{refusal}")
        return path


@dataclass(frozen=True, slots=True)
class Names:
    """A list of names (a YAML list, or one string split at blanks), from ``choices`` if set."""

    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``a list of names``."""
        return "a list of names"

    @property
    def allowed(self) -> str:
        """The names allowed, if limited."""
        return f"from {', '.join(self.choices)}" if self.choices else ""

    def convert(self, value: Any) -> tuple[str, ...]:
        """The names, in order."""
        if value in (None, ""):
            return ()
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise _expected(self)
        bad = [v for v in value if self.choices and v not in self.choices]
        if bad:
            raise InvalidValueError(f"expected names from {', '.join(self.choices)}; "
                                    f"{', '.join(bad)} is not one")
        return tuple(value)


@dataclass(frozen=True, slots=True)
class Option:
    """One configuration key: its default, a one-line description, its value type."""

    default: Any
    doc: str
    type: ValueType


def check_section(section: Mapping[str, Any], schema: Mapping[str, Option],
                  prefix: str) -> tuple[dict[str, Any], list[str]]:
    """The converted value of every option (defaults for missing ones) and every error.

    Each error is one line, ``PREFIX.KEY: expected ..., got VALUE``; an unknown key
    gets the closest known one as a hint.
    """
    errors: list[str] = []
    values: dict[str, Any] = {}
    for key in section:
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            errors.append(f"{prefix}.{key}: unknown option.{hint}")
    for key, option in schema.items():
        raw = section.get(key, option.default)
        try:
            values[key] = option.type.convert(raw)
        except InvalidValueError as exc:
            errors.append(f"{prefix}.{key}: {exc}, got {raw!r}")
    return values, errors


def yaml_value(value: Any) -> str:
    """A default as it is written in a YAML config file."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and (value in ("", "0") or ":" in value):
        return f'"{value}"'
    return str(value)


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """One line of a configuration reference."""

    key: str
    type: str
    default: str
    allowed: str
    doc: str


def reference(schema: Mapping[str, Option]) -> list[ReferenceRow]:
    """The rows of a configuration reference for ``schema``, in its order."""
    return [ReferenceRow(key, option.type.name, yaml_value(option.default),
                         option.type.allowed, option.doc)
            for key, option in schema.items()]
