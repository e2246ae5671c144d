"""beets plugin ``moodtag``: tempo, key, mode, audio cues, Last.fm tags and mood per track."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from beets import config, plugins, ui
from beets.plugins import BeetsPlugin

from beetsplug.moodtag.annotate import Annotator, RunOptions, Summary
from beetsplug.moodtag.fields import ITEM_TYPES
from moodplayer.exceptions import ConfigError
from moodplayer.music.analyze import KEY_PROFILES, RHYTHM_METHODS, AnalysisSettings
from moodplayer.music.lastfm import DEFAULT_SERVER, LastFmClient, LastFmSettings

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
        self.config.add({
            "auto": True,
            "force": False,
            "jobs": 0,
            "excerpt": 60.0,
            "min_duration": 10.0,
            "key_profile": "bgate",
            "rhythm_method": "degara",
            "min_bpm": 70.0,
            "max_bpm": 180.0,
            "lastfm": True,
            "lastfm_server": DEFAULT_SERVER,
            "lastfm_rate": 5.0,
            "lastfm_retries": 3,
            "lastfm_timeout": 10.0,
            "lastfm_min_weight": 10,
        })
        config["lastfm"].add({"api_key": plugins.LASTFM_KEY})
        config["lastfm"]["api_key"].redact = True
        if self.config["auto"].get(bool):
            self.import_stages = [self.imported]

    def commands(self) -> list[ui.Subcommand]:
        """The ``moodtag`` subcommand."""
        cmd = ui.Subcommand("moodtag", help="analyse tempo, key, mood and Last.fm tags")
        p = cmd.parser
        p.add_option("-f", "--force", action="store_true", default=False,
                     help="re-analyse items already annotated by this version")
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

    def _settings(self) -> AnalysisSettings:
        c = self.config
        try:
            return AnalysisSettings(
                key_profile=c["key_profile"].as_choice(KEY_PROFILES),
                rhythm_method=c["rhythm_method"].as_choice(RHYTHM_METHODS),
                excerpt=c["excerpt"].as_number(), min_duration=c["min_duration"].as_number(),
                min_bpm=c["min_bpm"].as_number(), max_bpm=c["max_bpm"].as_number(),
            ).validated()
        except ConfigError as exc:
            raise ui.UserError(f"moodtag: {exc}") from exc

    def _client(self, enabled: bool) -> LastFmClient | None:
        if not (enabled and self.config["lastfm"].get(bool)):
            return None
        c = self.config
        try:
            return LastFmClient(LastFmSettings(
                api_key=config["lastfm"]["api_key"].as_str(),
                server=c["lastfm_server"].as_str(), rate=c["lastfm_rate"].as_number(),
                retries=c["lastfm_retries"].get(int), timeout=c["lastfm_timeout"].as_number(),
                min_weight=c["lastfm_min_weight"].get(int)))
        except ConfigError as exc:
            raise ui.UserError(f"moodtag: {exc}") from exc

    def _jobs(self, given: int | None) -> int:
        jobs = self.config["jobs"].get(int) if given is None else given
        if jobs < 0:
            raise ui.UserError(f"moodtag: jobs {jobs}: expected 0 (CPU count) or more")
        return jobs

    def command(self, lib: Library, opts: MoodtagCLIOpts, args: list[str]) -> None:
        """``beet moodtag [QUERY]``."""
        run = RunOptions(force=opts.force or self.config["force"].get(bool),
                         write=ui.should_write(opts.write), pretend=opts.pretend,
                         jobs=self._jobs(opts.jobs))
        summary = self._run(lib, list(lib.items(args)), run, opts.lastfm)
        ui.print_(summary.line())
        for line in summary.failed:
            ui.print_(f"  failed: {line}")
        if summary.interrupted:
            raise ui.UserError("moodtag: interrupted; the items that finished are kept")

    def imported(self, session: ImportSession, task: ImportTask) -> None:
        """Import stage: annotate the newly imported items and store them."""
        run = RunOptions(force=self.config["force"].get(bool), jobs=self._jobs(None),
                         progress=False)
        summary = self._run(session.lib, task.imported_items(), run, True)
        self._log.info("{}", summary.line())

    def _run(self, lib: Library, items: list, run: RunOptions, lastfm: bool) -> Summary:
        client = self._client(lastfm)
        try:
            return Annotator(self._log, self._settings(), client).run(lib, items, run)
        finally:
            if client is not None:
                client.close()
