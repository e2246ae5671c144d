"""One moodtag run over beets items: skip, annotate (``moodplayer.music.annotate``),
store each item's fields, summarise."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beets import config, ui
from beets.util import syspath
from mediafile import MediaFile, UnreadableFileError

from beetsplug.moodtag import fields
from moodplayer.exceptions import AnalysisError
from moodplayer.music.analyze import UNANALYSABLE, AnalysisSettings
from moodplayer.music.annotate import (
    Annotation,
    Annotator,
    Failure,
    Normalise,
    Track,
    place_again,
)
from moodplayer.music.lastfm import LastFmClient
from moodplayer.music.progress import Progress

if TYPE_CHECKING:
    from beets.library import Item, Library
    from beets.logging import BeetsLogger


@dataclass
class Summary:
    """What a run did."""

    analysed: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)  # one line per failed item
    #: items found not analysable in this run, per status (too_short, silent)
    unanalysable: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False

    def line(self) -> str:
        """``analysed N, skipped N, failed N, not analysable N`` (with the count of each
        kind when there are any, and ``interrupted`` when it was)."""
        text = (f"moodtag: analysed {self.analysed}, skipped {self.skipped}, "
                f"failed {len(self.failed)}, not analysable {self.unanalysable.total()}")
        if self.unanalysable:
            text += " (" + ", ".join(f"{kind.replace('_', ' ')} {self.unanalysable[kind]}"
                                     for kind in UNANALYSABLE if kind in self.unanalysable)
            text += ")"
        return text + (" (interrupted: finished items kept)" if self.interrupted else "")

    def hint(self) -> str | None:
        """How to list the items found not analysable, and what happens to them next."""
        if not self.unanalysable:
            return None
        query = " , ".join(f"moodtag_status:{kind}" for kind in UNANALYSABLE
                           if kind in self.unanalysable)
        return f"  not analysable, skipped next time unless --force: beet ls {query}"


@dataclass(frozen=True)
class RunOptions:
    """Per-run switches."""

    force: bool = False
    write: bool = False
    pretend: bool = False
    jobs: int = 0
    progress: bool = True


class MoodtagRun:
    """Annotates beets items through the music side's Annotator, storing each atomically."""

    def __init__(self, log: BeetsLogger, settings: AnalysisSettings,
                 client: LastFmClient | None, normalise: Normalise = "none",
                 model: Path | None = None) -> None:
        self._log = log
        self._settings = settings
        self._client = client
        self._normalise = normalise
        self._model = model  # None: the shipped model

    def _annotator(self, lib: Library) -> Annotator:
        """The music side's Annotator for this run (UserError if it cannot work at all)."""
        library = ([fields.audio_of(i) for i in fields.annotated(lib)]
                   if self._normalise == "library" else [])
        try:
            return Annotator(self._settings, self._client, self._normalise, library,
                             self._model)
        except AnalysisError as exc:
            raise ui.UserError(f"moodtag: {exc}") from exc

    def run(self, lib: Library, items: Sequence[Item], opts: RunOptions) -> Summary:
        """Annotate ``items``; Ctrl-C keeps finished items and ends with the summary."""
        annotator = self._annotator(lib)
        summary = Summary()
        todo: dict[Track, list[Item]] = {}
        for item in items:
            if fields.is_current(item) and not opts.force:
                summary.skipped += 1
                self._log.debug("already annotated: {}", item.filepath)
            else:
                track = Track(str(item.filepath),  # resolved here, in the main thread
                              item.get("artist", ""), item.get("title", ""),
                              float(item.get("length") or 0.0))
                todo.setdefault(track, []).append(item)
        progress = Progress(len(todo), sys.stderr) if opts.progress else None
        try:
            for result in annotator.annotate_many(list(todo), opts.jobs):
                for item in todo[result.track]:
                    self._record(item, result, summary, opts)
                if progress:
                    progress.advance()
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            if progress:
                progress.close()
        if (self._normalise == "library" and summary.analysed and not opts.pretend
                and not summary.interrupted):
            self.renormalise(lib)
        return summary

    def _record(self, item: Item, result: Annotation | Failure, summary: Summary,
                opts: RunOptions) -> None:
        """Count ``result`` and, unless it is a failure, store it on ``item``."""
        if isinstance(result, Failure):
            summary.failed.append(result.error)
            self._log.error("{}", result.error)
            return
        fields.apply(item, result)
        if result.status == "annotated":
            summary.analysed += 1
            self._log.debug("{}: {} BPM, {}, mood {}", item.filepath, item["bpm"],
                            item["initial_key"], item["moodtag_mood"])
        else:
            summary.unanalysable[result.status] += 1
            self._log.debug("not analysable: {}", result.reason)  # counted in the summary
        if opts.pretend:
            ui.show_model_changes(item)
            return
        if opts.write and result.status == "annotated":
            self._write_tags(item)
        item.store()  # one transaction: every field lands, or none does

    def _write_tags(self, item: Item) -> None:
        """Write ``bpm`` and ``initial_key`` (and nothing else) into the item's file."""
        try:
            media = MediaFile(syspath(item.path), id3v23=config["id3v23"].get(bool))
            media.bpm = item["bpm"]
            media.initial_key = item["initial_key"]
            media.save()
        except (UnreadableFileError, OSError) as exc:
            self._log.error("{}: cannot write bpm and initial_key ({})", item.filepath, exc)
        else:
            item.mtime = item.current_mtime()

    def renormalise(self, lib: Library) -> int:
        """With ``normalise: library``, re-centre every annotated item; returns items changed."""
        annotated = fields.annotated(lib)
        placed = place_again([fields.estimates_of(item) for item in annotated],
                             self._normalise)
        changed = 0
        with lib.transaction():
            for item, affect in zip(annotated, placed, strict=True):
                before = (item.get("moodtag_valence"), item.get("moodtag_arousal"))
                fields.apply_place(item, affect.fused, affect.mood)
                if (item["moodtag_valence"], item["moodtag_arousal"]) != before:
                    item.store()
                    changed += 1
        return changed
