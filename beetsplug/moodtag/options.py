"""The ``moodtag:`` section of the beets config: every option, its default and its check.

``SCHEMA`` declares each option once (default, one-line description, value type); the
plugin adds the defaults from it and reads the section through ``check``, which refuses
a bad value or an unknown key with one ``UserError`` naming each key and what was
expected. The configuration reference is generated from ``SCHEMA``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from beets import ui

from moodplayer.exceptions import ConfigError
from moodplayer.music.analyze import (
    DEFAULT_EXCERPT,
    DEFAULT_MIN_DURATION,
    KEY_PROFILES,
    RHYTHM_METHODS,
    AnalysisSettings,
)
from moodplayer.music.annotate import NORMALISE
from moodplayer.music.lastfm import DEFAULT_SERVER
from moodplayer.options import (
    Boolean,
    Choice,
    Number,
    Option,
    OptionalPath,
    ReferenceRow,
    Text,
    check_section,
    reference,
)

SECTION = "moodtag"

#: Every option of the ``moodtag:`` section, in the order the documentation lists them.
SCHEMA: Mapping[str, Option] = {
    "auto": Option(True, "annotate new items when they are imported", Boolean()),
    "force": Option(False, "re-analyse items already annotated (or found not analysable) "
                    "by this version", Boolean()),
    "jobs": Option(0, "parallel worker processes (0: the CPU count; more than the CPU "
                   "count is capped to it)", Number(0, 1024, integer=True)),
    "excerpt": Option(DEFAULT_EXCERPT, "seconds analysed from the middle of each track (0: "
                      "the whole track; else at least min_duration)", Number(0, 3600)),
    "min_duration": Option(DEFAULT_MIN_DURATION, "tracks shorter than this many seconds "
                           "are not analysed: they are recorded as moodtag_status "
                           "too_short, not failed (at least 1.5 s is needed whatever "
                           "this says)", Number(0, 3600)),
    "key_profile": Option("bgate", "essentia key profile used to find the key",
                          Choice(KEY_PROFILES)),
    "rhythm_method": Option("degara", "essentia beat tracker", Choice(RHYTHM_METHODS)),
    "min_bpm": Option(70.0, "tempos are folded by octaves into min_bpm .. max_bpm",
                      Number(20, 300)),
    "max_bpm": Option(180.0, "upper end of the tempo range; at least twice min_bpm",
                      Number(40, 600)),
    "normalise": Option("none", "none: each track's valence and arousal from its own audio; "
                        "library: re-centred over the annotated library (a track then "
                        "moves when other music is added)", Choice(NORMALISE)),
    "model": Option(None, "music emotion model file (JSON, as `python -m "
                    "moodplayer.music.train` writes it); empty: the shipped model",
                    OptionalPath()),
    "lastfm": Option(True, "look up the tracks' Last.fm tags (with lastfm.api_key, or "
                     "beets' shared key)", Boolean()),
    "lastfm_server": Option(DEFAULT_SERVER, "Last.fm API address (an http(s) URL)", Text()),
    "lastfm_rate": Option(5.0, "Last.fm requests per second at most", Number(0.01, 5)),
    "lastfm_retries": Option(3, "retries of a failed Last.fm request",
                             Number(0, 10, integer=True)),
    "lastfm_timeout": Option(10.0, "seconds to wait for one Last.fm answer",
                             Number(0.1, 300)),
    "lastfm_min_weight": Option(10, "Last.fm tags weighted lower than this (0..100) are "
                                "dropped", Number(0, 100, integer=True)),
}


def defaults() -> dict[str, Any]:
    """Each option's default, for ``self.config.add``."""
    return {key: option.default for key, option in SCHEMA.items()}


def schema_reference() -> list[ReferenceRow]:
    """Every option of the ``moodtag:`` section with its type, default, allowed values
    and description, for the configuration reference."""
    return reference(SCHEMA)


def check(section: Mapping[str, Any]) -> dict[str, Any]:
    """The checked options of a ``moodtag:`` mapping (defaults merged in).

    Raises ``UserError`` (beets prints it as one line, exit status 1) naming every bad
    or unknown key and what was expected.
    """
    values, errors = check_section(section, SCHEMA, SECTION)
    if not errors:
        try:
            analysis_settings(values)
        except ConfigError as exc:
            errors.append(f"{SECTION}: {exc}")
    if errors:
        raise ui.UserError("invalid configuration: " + "; ".join(errors))
    return values


def analysis_settings(values: Mapping[str, Any]) -> AnalysisSettings:
    """The analysis knobs of checked options (ConfigError if they contradict each other)."""
    return AnalysisSettings(
        key_profile=values["key_profile"], rhythm_method=values["rhythm_method"],
        excerpt=values["excerpt"], min_duration=values["min_duration"],
        min_bpm=values["min_bpm"], max_bpm=values["max_bpm"]).validated()
