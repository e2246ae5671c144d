"""One moodtag run over beets items: skip, analyse in workers, tag, store, summarise."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from beets import ui

from beetsplug.moodtag import fields
from moodplayer.music.affect import CueStats, estimate
from moodplayer.music.analyze import ANALYSIS_VERSION, Analysis, AnalysisSettings
from moodplayer.music.batch import analyze_many
from moodplayer.music.lastfm import NO_TAGS, LastFmClient
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
                 client: LastFmClient | None) -> None:
        self._log = log
        self._settings = settings
        self._client = client

    def run(self, lib: Library, items: Sequence[Item], opts: RunOptions) -> Summary:
        """Annotate ``items``; Ctrl-C keeps finished items and ends with the summary."""
        summary = Summary()
        todo: dict[str, list[Item]] = {}
        for item in items:
            if fields.is_current(item) and not opts.force:
                summary.skipped += 1
                self._log.debug("already annotated: {}", item.filepath)
            else:
                todo.setdefault(str(item.filepath), []).append(item)  # resolved here
        stats = CueStats.of(fields.analysis_of(i)
                            for i in lib.items(f"moodtag_version:{ANALYSIS_VERSION}"))
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
                        self._store(item, outcome.analysis, stats, opts)
                        summary.analysed += 1
                if progress:
                    progress.advance()
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            if progress:
                progress.close()
        if summary.analysed and not opts.pretend and not summary.interrupted:
            self.renormalise(lib)
        return summary

    def _store(self, item: Item, analysis: Analysis, stats: CueStats, opts: RunOptions) -> None:
        tags = NO_TAGS
        if self._client is not None:
            tags = self._client.track_tags(item.get("artist", ""), item.get("title", ""))
        tag_est = tag_estimate(tags.tags)
        fields.apply(item, analysis, estimate(analysis, stats, tag_est), tags, tag_est)
        self._log.debug("{}: {} BPM, {}, mood {}", item.filepath, item["bpm"],
                        item["initial_key"], item["moodtag_mood"])
        if opts.pretend:
            ui.show_model_changes(item)
            return
        if opts.write:
            item.try_write()  # only bpm and initial_key have a place in the file's tags
        item.store()  # one transaction: every field lands, or none does

    def renormalise(self, lib: Library) -> int:
        """Recompute emotion over the whole annotated library; returns items changed."""
        annotated = list(lib.items(f"moodtag_version:{ANALYSIS_VERSION}"))
        stats = CueStats.of(fields.analysis_of(i) for i in annotated)
        changed = 0
        with lib.transaction():
            for item in annotated:
                affect = estimate(fields.analysis_of(item), stats, fields.tag_estimate_of(item))
                before = (item.get("moodtag_valence"), item.get("moodtag_arousal"))
                fields.apply_affect(item, affect)
                if (item["moodtag_valence"], item["moodtag_arousal"]) != before:
                    item.store()
                    changed += 1
        return changed
