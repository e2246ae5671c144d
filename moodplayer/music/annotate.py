"""One call that annotates a track: analysis, Last.fm tags, the emotion model and fusion.

``Annotator(settings, lastfm).annotate(track)`` returns one ``Annotation``: the track's
``Analysis`` (``analyze``), its Last.fm tags (``lastfm``) and their mood estimate
(``moodtags``), the model's own estimate (``model``) and the fused place in the plane
with its mood (``affect``). ``annotate_many(tracks, jobs)`` does the same for many
tracks, analysing in worker processes (``batch``) and finishing each one (tags, model,
fusion) in the caller's thread as its analysis arrives. A caller such as the beets
plugin only maps the record onto its own fields: what the model reads or how the
estimates are blended can change here without it.

A track whose audio decodes but is too short or silent to analyse is not a failure: its
annotation has that ``status`` (``STATUSES``) and no estimate. A track that cannot be
decoded is a ``Failure``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from moodplayer.emotion import VA
from moodplayer.exceptions import AnalysisError
from moodplayer.music import musicnn
from moodplayer.music.affect import NORMALISE, Affect, AudioStats, Normalise, fuse
from moodplayer.music.analyze import ANALYSIS_VERSION, Analysis, AnalysisSettings, Unanalysable
from moodplayer.music.batch import Outcome, analyze_many
from moodplayer.music.lastfm import NO_TAGS, LastFmClient, Tags
from moodplayer.music.model import Prediction, load_model
from moodplayer.music.moodtags import TagEstimate, tag_estimate

__all__ = ["NORMALISE", "STATUSES", "Annotation", "Annotator", "Estimates", "Failure",
           "Normalise", "Status", "Track", "place_again"]

#: What became of a track: ``annotated`` (every estimate), or why its audio, which
#: decodes, could not be analysed (``analyze.UNANALYSABLE``: ``too_short``, ``silent``).
Status = Literal["annotated", Unanalysable]
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(frozen=True, slots=True)
class Track:
    """A track to annotate: its file, and what Last.fm knows it by."""

    path: str
    artist: str = ""
    title: str = ""
    duration: float = 0.0  # seconds, where known (beets' ``length``): spares probing


@dataclass(frozen=True, slots=True)
class Annotation:
    """Everything the music side says about one track (``status`` says how much)."""

    track: Track
    status: Status
    reason: str = ""  # why it was not analysable (one line naming the file), else ""
    analysis: Analysis | None = None
    audio: Prediction | None = None  # the model's own estimate, from the audio alone
    tags: Tags = NO_TAGS
    tag_estimate: TagEstimate | None = None  # the Last.fm mood tags' point and evidence
    affect: Affect | None = None  # audio and tags fused, with the mood label
    version: int = ANALYSIS_VERSION


@dataclass(frozen=True, slots=True)
class Failure:
    """A track that could not be decoded or analysed, and the one line saying why."""

    track: Track
    error: str


@dataclass(frozen=True, slots=True)
class Estimates:
    """What a stored annotation keeps of its estimates: enough to place it again."""

    audio: VA  # the model's own estimate
    tags: VA | None  # the Last.fm mood tags' point, None without mood tags
    tag_evidence: float


def _stats(normalise: Normalise, library: Iterable[VA]) -> AudioStats | None:
    return AudioStats.of(library) if normalise == "library" else None


def _place(audio: VA, tags: TagEstimate | None, stats: AudioStats | None) -> Affect:
    return fuse(stats.relative(audio) if stats else audio, tags)


def place_again(stored: Sequence[Estimates], normalise: Normalise) -> list[Affect]:
    """Each stored annotation's fused place, recomputed over the library ``stored`` is
    (``normalise: library``) or alone (``none``), in the order given."""
    stats = _stats(normalise, (s.audio for s in stored))
    return [_place(s.audio, TagEstimate(s.tags, s.tag_evidence, ()) if s.tags is not None
                   else None,
                   stats) for s in stored]


class Annotator:
    """Annotates tracks; made once per run, it loads the model and the taggers first.

    ``library`` (the model's estimates of tracks annotated before) matters only with
    ``normalise: library``. Raises AnalysisError naming the file when the model or a
    tagger is missing or unusable.
    """

    def __init__(self, settings: AnalysisSettings, lastfm: LastFmClient | None = None,
                 normalise: Normalise = "none", library: Iterable[VA] = (),
                 model: Path | None = None) -> None:
        self._settings = settings
        self._lastfm = lastfm
        self._model = load_model(model)  # None: the shipped model
        musicnn.check()
        self._stats = _stats(normalise, library)

    def annotate(self, track: Track) -> Annotation:
        """The annotation of one track, analysed in this process; AnalysisError (naming
        the file and the reason) where it cannot be decoded or analysed."""
        (outcome,) = analyze_many([track.path], self._settings, 1,
                                  {track.path: track.duration})
        result = self._finish(track, outcome)
        if isinstance(result, Failure):
            raise AnalysisError(result.error)
        return result

    def annotate_many(self, tracks: Sequence[Track],
                      jobs: int = 0) -> Iterator[Annotation | Failure]:
        """An Annotation or a Failure per track, in the order their analyses finish.

        Each file is analysed once (in ``jobs`` worker processes, 0: the CPU count), even
        where several tracks share it. Ctrl-C stops it as ``batch.analyze_many`` does:
        what was yielded stays yielded, KeyboardInterrupt propagates.
        """
        by_path: dict[str, list[Track]] = {}
        for track in tracks:
            by_path.setdefault(track.path, []).append(track)
        durations = {path: group[0].duration for path, group in by_path.items()}
        for outcome in analyze_many(list(by_path), self._settings, jobs, durations):
            for track in by_path[outcome.path]:
                yield self._finish(track, outcome)

    def _finish(self, track: Track, outcome: Outcome) -> Annotation | Failure:
        """Tags, the model and fusion on one analysis outcome."""
        analysis = outcome.analysis
        if analysis is None:
            if outcome.unanalysable is not None:
                return Annotation(track, outcome.unanalysable, outcome.error or track.path)
            return Failure(track, outcome.error or track.path)
        tags = NO_TAGS
        if self._lastfm is not None:
            tags = self._lastfm.track_tags(track.artist, track.title)
        estimate = tag_estimate(tags.tags)
        audio = self._model.predict(analysis)
        affect = _place(VA(audio.valence, audio.arousal), estimate, self._stats)
        return Annotation(track, "annotated", "", analysis, audio, tags, estimate, affect,
                          analysis.version)
