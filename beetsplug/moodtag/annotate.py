"""One moodtag run over beets items: skip, analyse in workers, tag, store, summarise."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beets import config, ui
from beets.util import syspath
from mediafile import MediaFile, UnreadableFileError

from beetsplug.moodtag import fields
from moodplayer.emotion import VA
from moodplayer.exceptions import AnalysisError
from moodplayer.music import musicnn
from moodplayer.music.affect import AudioStats, Normalise, fuse
from moodplayer.music.analyze import ANALYSIS_VERSION, Analysis, AnalysisSettings
from moodplayer.music.batch import analyze_many
from moodplayer.music.lastfm import NO_TAGS, LastFmClient
from moodplayer.music.model import MusicModel, load_model
from moodplayer.music.moodtags import tag_estimate
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
    interrupted: bool = False

    def line(self) -> str:
        """``analysed N, skipped N, failed N`` (and ``interrupted`` when it was)."""
        text = (f"moodtag: analysed {self.analysed}, skipped {self.skipped}, "
                f"failed {len(self.failed)}")
        return text + (" (interrupted: finished items kept)" if self.interrupted else "")


@dataclass(frozen=True)
class RunOptions:
    """Per-run switches."""

    force: bool = False
    write: bool = False
    pretend: bool = False
    jobs: int = 0
    progress: bool = True


class Annotator:
    """Annotates items with analysis, Last.fm tags and emotion, storing each atomically."""

    def __init__(self, log: BeetsLogger, settings: AnalysisSettings,
                 client: LastFmClient | None, normalise: Normalise = "none",
                 model: Path | None = None) -> None:
        self._log = log
        self._settings = settings
        self._client = client
        self._normalise = normalise
        self._model = model  # None: the shipped model

    def _stats(self, lib: Library) -> AudioStats | None:
        """Library statistics of the audio estimates with ``normalise: library``, else None."""
        if self._normalise != "library":
            return None
        return AudioStats.of(fields.audio_of(i)
                             for i in lib.items(f"moodtag_version:{ANALYSIS_VERSION}"))

    def run(self, lib: Library, items: Sequence[Item], opts: RunOptions) -> Summary:
        """Annotate ``items``; Ctrl-C keeps finished items and ends with the summary."""
        try:
            model = load_model(self._model)
            musicnn.check()
        except AnalysisError as exc:
            raise ui.UserError(f"moodtag: {exc}") from exc
        summary = Summary()
        todo: dict[str, list[Item]] = {}
        for item in items:
            if fields.is_current(item) and not opts.force:
                summary.skipped += 1
                self._log.debug("already annotated: {}", item.filepath)
            else:
                todo.setdefault(str(item.filepath), []).append(item)  # resolved here
        stats = self._stats(lib)
        progress = Progress(len(todo), sys.stderr) if opts.progress else None
        try:
            durations = {path: float(group[0].get("length") or 0.0)
                         for path, group in todo.items()}
            for outcome in analyze_many(list(todo), self._settings, opts.jobs, durations):
                if outcome.analysis is None:
                    summary.failed.append(outcome.error or outcome.path)
                    self._log.error("{}", outcome.error)
                else:
                    for item in todo[outcome.path]:
                        self._store(item, outcome.analysis, model, stats, opts)
                        summary.analysed += 1
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

    def _store(self, item: Item, analysis: Analysis, model: MusicModel,
               stats: AudioStats | None, opts: RunOptions) -> None:
        tags = NO_TAGS
        if self._client is not None:
            tags = self._client.track_tags(item.get("artist", ""), item.get("title", ""))
        tag_est = tag_estimate(tags.tags)
        audio = model.predict(analysis)
        point = VA(audio.valence, audio.arousal)
        affect = fuse(stats.relative(point) if stats else point, tag_est)
        fields.apply(item, analysis, audio, affect, tags, tag_est)
        self._log.debug("{}: {} BPM, {}, mood {}", item.filepath, item["bpm"],
                        item["initial_key"], item["moodtag_mood"])
        if opts.pretend:
            ui.show_model_changes(item)
            return
        if opts.write:
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
        annotated = list(lib.items(f"moodtag_version:{ANALYSIS_VERSION}"))
        stats = self._stats(lib) or AudioStats.of(())
        changed = 0
        with lib.transaction():
            for item in annotated:
                affect = fuse(stats.relative(fields.audio_of(item)), fields.tag_estimate_of(item))
                before = (item.get("moodtag_valence"), item.get("moodtag_arousal"))
                fields.apply_affect(item, affect)
                if (item["moodtag_valence"], item["moodtag_arousal"]) != before:
                    item.store()
                    changed += 1
        return changed
