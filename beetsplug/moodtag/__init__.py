"""beets plugin ``moodtag``: tempo, key, mode, audio cues, Last.fm tags and mood per track."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

from beets import config, plugins, ui
from beets.plugins import BeetsPlugin

from beetsplug.moodtag import options
from beetsplug.moodtag.annotate import MoodtagRun, RunOptions, Summary
from beetsplug.moodtag.fields import ITEM_TYPES
from moodplayer.exceptions import ConfigError
from moodplayer.music.lastfm import LastFmClient, LastFmSettings

if TYPE_CHECKING:
    from beets.importer import ImportSession, ImportTask
    from beets.library import Library


class MoodtagCLIOpts(Protocol):
    """The parsed options of ``beet moodtag``."""

    force: bool
    write: bool | None
    pretend: bool
    jobs: int | None
    lastfm: bool


class MoodtagPlugin(BeetsPlugin):
    """Annotates items with tempo, key, audio cues, Last.fm tags and an emotion estimate."""

    item_types = ITEM_TYPES

    def __init__(self) -> None:
        super().__init__()
        self.config.add(options.defaults())  # each option declared once, in options.SCHEMA
        config["lastfm"].add({"api_key": plugins.LASTFM_KEY})
        config["lastfm"]["api_key"].redact = True
        try:
            auto = self._options()["auto"]
        except ui.UserError as exc:  # beets would print a traceback and drop the plugin
            self._log.error("{} (moodtag and imports stop until it is fixed)", exc)
            auto = True  # the import stage stops the import with the same one line
        if auto:
            self.import_stages = [self.imported]

    def _options(self) -> dict[str, Any]:
        """The checked ``moodtag:`` section (UserError naming each bad key)."""
        return options.check(self.config.flatten())

    def commands(self) -> list[ui.Subcommand]:
        """The ``moodtag`` subcommand."""
        cmd = ui.Subcommand("moodtag", help="analyse tempo, key, mood and Last.fm tags")
        p = cmd.parser
        p.add_option("-f", "--force", action="store_true", default=False,
                     help="re-analyse items already annotated (or found not analysable) "
                     "by this version")
        p.add_option("-w", "--write", action="store_true", dest="write", default=None,
                     help="write bpm and initial_key to the files (default: import.write)")
        p.add_option("-W", "--nowrite", action="store_false", dest="write",
                     help="don't write tags to the files")
        p.add_option("-p", "--pretend", action="store_true", default=False,
                     help="show what would change, store nothing")
        p.add_option("-j", "--jobs", type="int", default=None,
                     help="parallel worker processes (default: moodtag.jobs, 0 = CPU count)")
        p.add_option("--no-lastfm", action="store_false", dest="lastfm", default=True,
                     help="don't look up Last.fm tags")
        cmd.func = self.command
        return [cmd]

    def _client(self, values: dict[str, Any], enabled: bool) -> LastFmClient | None:
        if not (enabled and values["lastfm"]):
            return None
        try:
            return LastFmClient(LastFmSettings(
                api_key=config["lastfm"]["api_key"].as_str(),
                server=values["lastfm_server"], rate=values["lastfm_rate"],
                retries=values["lastfm_retries"], timeout=values["lastfm_timeout"],
                min_weight=values["lastfm_min_weight"]))
        except ConfigError as exc:
            raise ui.UserError(f"moodtag: {exc}") from exc

    def _jobs(self, given: int | None, values: dict[str, Any]) -> int:
        """Worker processes: ``-j`` or ``jobs``, 0 for the CPU count, capped at it."""
        jobs = values["jobs"] if given is None else given
        if jobs < 0:
            raise ui.UserError(f"moodtag: -j {jobs}: expected 0 (CPU count) or more")
        cpus = len(os.sched_getaffinity(0))
        if jobs > cpus:
            self._log.warning("{} jobs asked for, but this machine has {} CPUs: using {}",
                              jobs, cpus, cpus)
            return cpus
        return jobs

    def command(self, lib: Library, opts: MoodtagCLIOpts, args: list[str]) -> None:
        """``beet moodtag [QUERY]``."""
        values = self._options()
        run = RunOptions(force=opts.force or values["force"],
                         write=ui.should_write(opts.write), pretend=opts.pretend,
                         jobs=self._jobs(opts.jobs, values))
        summary = self._run(lib, list(lib.items(args)), run, values, opts.lastfm)
        ui.print_(summary.line())
        if not run.pretend and (hint := summary.hint()):
            ui.print_(hint)
        for line in summary.failed:
            ui.print_(f"  failed: {line}")
        if summary.interrupted:
            raise ui.UserError("moodtag: interrupted; the items that finished are kept")
        if summary.failed:
            raise ui.UserError(f"moodtag: {len(summary.failed)} file(s) could not be "
                               "analysed (listed above); the others are stored")

    def imported(self, session: ImportSession, task: ImportTask) -> None:
        """Import stage: annotate the newly imported items and store them."""
        values = self._options()
        run = RunOptions(force=values["force"], jobs=self._jobs(None, values),
                         progress=False)
        summary = self._run(session.lib, task.imported_items(), run, values, True)
        self._log.info("{}", summary.line())

    def _run(self, lib: Library, items: list, run: RunOptions, values: dict[str, Any],
             lastfm: bool) -> Summary:
        client = self._client(values, lastfm)
        try:
            return MoodtagRun(self._log, options.analysis_settings(values), client,
                              values["normalise"], values["model"]).run(lib, items, run)
        finally:
            if client is not None:
                client.close()
