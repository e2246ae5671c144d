"""The project's mood-tag table: Last.fm tags with a point in the valence-arousal plane.

``moodtags.csv`` (shipped beside this module) lists 100+ mood tags with coordinates and
the mood region they fall in. ``tag_estimate`` turns a track's weighted tags into one
point and an evidence weight; tags missing from the table (genres...) are ignored.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from moodplayer.emotion import VA, Mood


@dataclass(frozen=True, slots=True)
class MoodTag:
    """One row of the table."""

    tag: str
    point: VA
    cluster: Mood


def normalize_tag(tag: str) -> str:
    """The table's spelling of a tag: lower case, single spaces, ``-``/``_`` as spaces."""
    return " ".join(tag.lower().replace("-", " ").replace("_", " ").split())


@functools.cache
def mood_table() -> Mapping[str, MoodTag]:
    """The mood-tag table, keyed by normalised tag."""
    text = resources.files(__package__).joinpath("moodtags.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {
        normalize_tag(r["tag"]): MoodTag(normalize_tag(r["tag"]),
                                         VA(float(r["valence"]), float(r["arousal"])),
                                         r["cluster"])  # type: ignore[arg-type]
        for r in rows
    }


@dataclass(frozen=True, slots=True)
class TagEstimate:
    """The point the mood tags agree on, and how much evidence they are (0 = none)."""

    point: VA
    evidence: float  # sum of the mood tags' weights / 100
    mood_tags: tuple[str, ...]


def tag_estimate(tags: Iterable[tuple[str, float]]) -> TagEstimate:
    """Weighted mean point of the mood tags among ``(tag, weight 0..100)`` pairs."""
    table = mood_table()
    total = v = a = 0.0
    used = []
    for tag, weight in tags:
        row = table.get(normalize_tag(tag))
        if row is None or weight <= 0:
            continue
        total += weight
        v += weight * row.point.valence
        a += weight * row.point.arousal
        used.append(row.tag)
    if total <= 0:
        return TagEstimate(VA(0.0, 0.0), 0.0, ())
    return TagEstimate(VA(v / total, a / total), total / 100.0, tuple(used))
