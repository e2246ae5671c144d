"""The agent's configuration: a ``moodplayer:`` section in the beets config file.

Read with beets' own configuration machinery (confuse), so the library path and the
config file are the ones ``beet`` uses. Every option is declared once in ``SCHEMA``
with its type, default and meaning; ``load_config`` validates the whole section at
start, collects every error, and raises one ``ConfigError`` naming each bad key, what
was expected, and suggesting the closest name for a misspelt key.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import confuse

from moodplayer.emotion import MOODS, Mood
from moodplayer.exceptions import ConfigError
from moodplayer.options import (
    Boolean,
    Choice,
    Names,
    Number,
    Option,
    OptionalPath,
    OutputFile,
    ReferenceRow,
    Text,
    check_section,
    reference,
    yaml_value,
)
from moodplayer.recommend.policy import POLICIES, PolicyName
from moodplayer.vision.detect import FACE_DETECTORS, FaceDetector

SECTION = "moodplayer"

SensingMode = Literal["continuous", "glance", "off"]
#: How the camera is used, for configuration and ``run --sensing``.
SENSING_MODES: tuple[SensingMode, ...] = get_args(SensingMode)
Sensitivity = Literal["relaxed", "normal", "eager"]
LogLevel = Literal["debug", "info", "warning", "error"]
LOG_LEVELS: tuple[LogLevel, ...] = get_args(LogLevel)


@dataclass(frozen=True, slots=True)
class SensitivityPreset:
    """How sure and how long a mood must be before the music follows it."""

    min_confidence: float
    dwell_s: float
    half_life_s: float  # of the smoother's moving average over frame readings


#: The sensitivity presets users choose between, one per ``Sensitivity`` name.
SENSITIVITY_PRESETS: Mapping[Sensitivity, SensitivityPreset] = {
    "relaxed": SensitivityPreset(min_confidence=0.35, dwell_s=20.0, half_life_s=3.0),
    "normal": SensitivityPreset(min_confidence=0.2, dwell_s=8.0, half_life_s=1.0),
    "eager": SensitivityPreset(min_confidence=0.1, dwell_s=3.0, half_life_s=0.75),
}


#: Every option of the ``moodplayer:`` section, in the order docs/configuration.md lists them.
SCHEMA: Mapping[str, Option] = {
    "sensing": Option("continuous", "how the camera is used: continuous (a few frames a "
                      "second), glance (only for a few seconds around each track boundary "
                      "or on `moodplayer now`), or off (play default_query instead)",
                      Choice(SENSING_MODES, false_means="off")),
    "fps": Option(2.0, "frames read per second while the camera is open",
                  Number(0.2, 30)),
    "glance_seconds": Option(4.0, "how long the camera stays open for one glance",
                             Number(1, 60)),
    "sensitivity": Option("normal", "how sure and how long before the music follows: "
                          "relaxed (confidence 0.35 held 20 s), normal (0.2, 8 s), "
                          "eager (0.1, 3 s)",
                          Choice(get_args(Sensitivity))),
    "absent_after": Option(30.0, "seconds to keep the last mood when no face is seen "
                           "or the camera is gone, before the mood reads as absent",
                           Number(0, 3600)),
    "default_query": Option("", "beets query played when sensing is off or no mood is "
                            "known (empty: the whole library)", Text()),
    "default_playlist": Option(None, "an M3U playlist played instead of default_query "
                               "when sensing is off", OptionalPath()),
    "never_moods": Option((), "moods the agent never steers toward (e.g. [sad, tense])",
                          Names(MOODS)),
    "queue_length": Option(2, "how many upcoming tracks the agent keeps queued",
                           Number(1, 20, integer=True)),
    "policy": Option("match", "match (meet the mood where it is), uplift (move a step per "
                     "track toward target), fixed (always play target)",
                     Choice(POLICIES)),
    "target": Option("happy", "the mood uplift moves toward and fixed plays",
                     Choice(MOODS)),
    "notifications": Option(True, "show a desktop notification when music is queued",
                            Boolean()),
    "tray": Option(True, "show an icon in the desktop's tray (StatusNotifierItem): the "
                   "camera's state, the mood, and a menu to pause, like, steer or quit",
                   Boolean()),
    "players": Option((), "players to use, in priority order (e.g. [rhythmbox, vlc]); "
                      "empty: any MPRIS player", Names()),
    "ignore_players": Option((), "players never to use", Names()),
    "mpv_socket": Option(None, "mpv's JSON IPC socket (mpv --input-ipc-server=PATH): how "
                         "tracks are queued in mpv", OptionalPath()),
    "mpd_host": Option("localhost", "MPD's host, for MPD behind mpDris2 or mpd-mpris",
                       Text()),
    "mpd_port": Option(6600, "MPD's port", Number(1, 65535, integer=True)),
    "camera": Option("0", "camera device number, video file, or folder of images",
                    Text(numbers=True)),
    "face_detector": Option("scrfd", "scrfd (InsightFace, non-commercial weights) or yunet "
                            "(OpenCV Zoo, MIT)", Choice(FACE_DETECTORS)),
    "detector": Option(None, "face detector weights file; empty: looked for in the usual "
                       "places (docs/user-guide.md#seeing-your-mood)", OptionalPath()),
    "model": Option(None, "expression model (ONNX); empty: the project's model",
                    OptionalPath()),
    "log_level": Option("info", "debug, info, warning or error",
                        Choice(LOG_LEVELS)),
    "log_file": Option(None, "write the log to this file; empty: standard error (the "
                       "journal when run as a service)", OutputFile()),
}


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """The validated ``moodplayer:`` section plus the beets library it shares."""

    library: Path
    directory: Path
    sensing: SensingMode = "continuous"
    fps: float = 2.0
    glance_seconds: float = 4.0
    sensitivity: Sensitivity = "normal"
    absent_after: float = 30.0
    default_query: str = ""
    default_playlist: Path | None = None
    never_moods: tuple[Mood, ...] = ()
    queue_length: int = 2
    policy: PolicyName = "match"
    target: Mood = "happy"
    notifications: bool = True
    tray: bool = True
    players: tuple[str, ...] = ()
    ignore_players: tuple[str, ...] = ()
    mpv_socket: Path | None = None
    mpd_host: str = "localhost"
    mpd_port: int = 6600
    camera: str = "0"
    face_detector: FaceDetector = "scrfd"
    detector: Path | None = None
    model: Path | None = None
    log_level: LogLevel = "info"
    log_file: Path | None = None
    source: str = field(default="", compare=False)

    @property
    def preset(self) -> SensitivityPreset:
        """The thresholds of the chosen sensitivity."""
        return SENSITIVITY_PRESETS[self.sensitivity]


def _source_name(view: confuse.ConfigView) -> str:
    for _value, source in view.resolve():
        if getattr(source, "filename", None):
            return str(source.filename)
    return "config"


def validate(section: Any, *, library: Path, directory: Path,
             source: str = "config") -> AgentConfig:
    """Check a raw ``moodplayer:`` mapping; raise one ConfigError listing every problem."""
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise ConfigError(f"{source}: {SECTION}: expected a mapping of options, "
                          f"got {section!r}")
    values, errors = check_section(section, SCHEMA, SECTION)
    if not errors and values["policy"] != "match" and values["target"] in values["never_moods"]:
        errors.append(f"{SECTION}.target: expected a mood not in never_moods, "
                      f"got {values['target']!r}")
    if errors:
        raise ConfigError(f"invalid configuration in {source}: {'; '.join(errors)}")
    return AgentConfig(library=library, directory=directory, source=source, **values)


def load_config(path: Path | None = None) -> AgentConfig:
    """Read the beets config (``path``, or the one ``beet`` uses) and validate our section."""
    from beets import config as beets_config

    try:
        beets_config.clear()
        beets_config.read(user=path is None, defaults=True)
        if path is not None:
            if not path.is_file():
                what = "not a file" if path.exists() else "no such configuration file"
                raise ConfigError(f"{path}: {what}")
            beets_config.set_file(path)
        view = beets_config[SECTION]
        section = view.get() if view.exists() else {}
        library = Path(beets_config["library"].as_filename())
        directory = Path(beets_config["directory"].as_filename())
        source = _source_name(view) if view.exists() else str(path or
                                                               beets_config.user_config_path())
    except confuse.ConfigError as exc:
        raise ConfigError(f"beets configuration: {' '.join(str(exc).split())}") from exc
    except TypeError as exc:  # confuse: a file holding a string or a list, not a mapping
        raise ConfigError(f"{path or beets_config.user_config_path()}: expected a mapping "
                          f"of options, as in a beets config.yaml ({exc})") from exc
    return validate(section, library=library, directory=directory, source=source)


def default_yaml() -> str:
    """The documented default ``moodplayer:`` section, ready to paste into config.yaml."""
    lines = [f"{SECTION}:"]
    for key, option in SCHEMA.items():
        lines.extend(textwrap.wrap(option.doc, 88, initial_indent="  # ",
                                   subsequent_indent="  # "))
        lines.append(f"  {key}: {yaml_value(option.default)}")
    return "\n".join(lines) + "\n"


def schema_reference() -> list[ReferenceRow]:
    """Every option of the ``moodplayer:`` section with its type, default, allowed values
    and description, for the configuration reference."""
    return reference(SCHEMA)
