"""The mood -> musical profile table: what each mood or expression class asks of the music.

The table is YAML configuration. The shipped default is ``profiles.yaml`` beside this
module; users may point to their own copy. Every mood label and every FER class needs
a row, and every value is checked on load: a bad table raises ``ConfigError`` naming the
file, the row, the key and what was expected.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from moodplayer.emotion import FER_CLASSES, MOODS, VA
from moodplayer.exceptions import ConfigError

#: The table shipped with moodplayer.
DEFAULT_TABLE = Path(__file__).with_name("profiles.yaml")

Mode = Literal["major", "minor", "any"]

_REQUIRED = ("tempo", "mode", "energy", "valence", "arousal")
_OPTIONAL = ("brightness", "tags")
#: Every row the table must have: the mood labels, then the FER classes not already named.
ROWS: tuple[str, ...] = tuple(dict.fromkeys((*MOODS, *FER_CLASSES)))


@dataclass(frozen=True, slots=True)
class Profile:
    """What one mood (or expression class) asks of the music."""

    name: str
    tempo: tuple[float, float]
    mode: Mode
    energy: float
    brightness: float
    point: VA
    tags: frozenset[str]


def _number(source: str, row: str, key: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{source}: {row}.{key}: expected a number from {lo:g} to {hi:g}, "
                          f"got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"{source}: {row}.{key}: expected a number from {lo:g} to {hi:g}, "
                          f"got {value!r}")
    return float(value)


def _profile(source: str, row: str, spec: object) -> Profile:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{source}: {row}: expected a mapping of {', '.join(_REQUIRED)}, "
                          f"got {spec!r}")
    for key in spec:
        if key not in _REQUIRED + _OPTIONAL:
            close = difflib.get_close_matches(str(key), _REQUIRED + _OPTIONAL, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: {row}.{key}: unknown key{hint}; expected "
                              f"{', '.join(_REQUIRED + _OPTIONAL)}")
    for key in _REQUIRED:
        if key not in spec:
            raise ConfigError(f"{source}: {row}.{key}: missing")
    tempo = spec["tempo"]
    if not isinstance(tempo, list | tuple) or len(tempo) != 2:
        raise ConfigError(f"{source}: {row}.tempo: expected [low, high] in BPM, got {tempo!r}")
    low = _number(source, row, "tempo", tempo[0], 20, 300)
    high = _number(source, row, "tempo", tempo[1], 20, 300)
    if low > high:
        raise ConfigError(f"{source}: {row}.tempo: expected low <= high, got {tempo!r}")
    mode = spec["mode"]
    if mode not in ("major", "minor", "any"):
        raise ConfigError(f"{source}: {row}.mode: expected major, minor or any, got {mode!r}")
    tags = spec.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{source}: {row}.tags: expected a list of tag names, got {tags!r}")
    return Profile(
        name=row,
        tempo=(low, high),
        mode=mode,
        energy=_number(source, row, "energy", spec["energy"], 0, 1),
        brightness=_number(source, row, "brightness", spec.get("brightness", 0.5), 0, 1),
        point=VA(_number(source, row, "valence", spec["valence"], -1, 1),
                 _number(source, row, "arousal", spec["arousal"], -1, 1)),
        tags=frozenset(t.strip().lower() for t in tags if t.strip()),
    )


class ProfileTable(Mapping[str, Profile]):
    """The validated table: ``table["happy"]`` is the happy row."""

    def __init__(self, rows: Mapping[str, Profile], source: str) -> None:
        self._rows = dict(rows)
        self.source = source

    def __getitem__(self, name: str) -> Profile:
        return self._rows[name]

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    @classmethod
    def from_mapping(cls, data: object, source: str = "<table>") -> ProfileTable:
        """Validate ``data`` (parsed YAML); raises ConfigError on the first bad value."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a mapping from mood to profile, "
                              f"got {type(data).__name__}")
        for name in data:
            if name not in ROWS:
                close = difflib.get_close_matches(str(name), ROWS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"{source}: {name}: unknown mood or class{hint}; expected "
                                  f"one of {', '.join(ROWS)}")
        missing = [r for r in ROWS if r not in data]
        if missing:
            raise ConfigError(f"{source}: missing rows {', '.join(missing)}: every mood and "
                              f"class needs a row")
        return cls({r: _profile(source, r, data[r]) for r in ROWS}, source)


def load_table(path: str | Path | None = None) -> ProfileTable:
    """The table at ``path`` (default: the shipped one), validated; ConfigError if bad."""
    file = Path(path) if path is not None else DEFAULT_TABLE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the mood table ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    return ProfileTable.from_mapping(data, str(file))
