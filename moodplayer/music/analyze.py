"""Musical facts from audio with essentia: key, mode, tempo and the cues emotion needs.

``analyze_file(path, settings)`` decodes an excerpt (``decode``) and returns an
``Analysis``; ``analyze_samples`` does the same for samples already in memory. Both raise
AnalysisError (naming the file and the reason) for audio that cannot be decoded or
analysed, and its subclass NotAnalysableError for audio that decodes but is too short or
silent: not a failure, a kind of track (``UNANALYSABLE`` names the kinds). Everything
here is picklable plain data, so it runs in worker processes.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import asdict, dataclass
from typing import Literal, get_args

import numpy as np
from threadpoolctl import threadpool_limits

from moodplayer.exceptions import AnalysisError, ConfigError
from moodplayer.music.decode import DEFAULT_EXCERPT, SAMPLE_RATE, decode_excerpt
from moodplayer.music.descriptors import DESCRIPTORS, describe
from moodplayer.music.loudness import loudness
from moodplayer.music.musicnn import listen
from moodplayer.music.standard import essentia_standard

#: Bump when the analysis changes so that incremental runs redo old results.
ANALYSIS_VERSION = 7

#: essentia KeyExtractor profiles. ``bgate`` scored best on rendered MIDI.
#: (Only those essentia's KeyExtractor accepts: ``faraldo`` and ``pentatonic`` it refuses.)
KeyProfile = Literal["bgate", "edma", "edmm", "braw", "temperley", "krumhansl", "shaath",
                     "noland", "diatonic", "tonictriad", "temperley2005", "thpcp", "gomez",
                     "weichai"]
KEY_PROFILES: tuple[KeyProfile, ...] = get_args(KeyProfile)
#: RhythmExtractor2013 methods: ``degara`` is ~3.5x faster, ``multifeature`` a bit more exact.
RhythmMethod = Literal["degara", "multifeature"]
RHYTHM_METHODS: tuple[RhythmMethod, ...] = get_args(RhythmMethod)
#: Below this RMS level (dBFS) a track counts as silent.
SILENCE_DB = -60.0
#: Why audio that decodes cannot be analysed: shorter than ``min_duration``, or silent.
Unanalysable = Literal["too_short", "silent"]
UNANALYSABLE: tuple[Unanalysable, ...] = get_args(Unanalysable)
#: The default ``min_duration``, seconds: one musicnn patch (``musicnn.PATCH_FRAMES``).
#: On musifeast's 119 clips cut to their middle L seconds (bench/music_short_audio.py,
#: docs/benchmarks/music-short-audio.md) 3 s keeps 89 % of the full clip's valence rank
#: correlation with the listeners and 95 % of its arousal one (0.446 / 0.787 against
#: 0.499 / 0.825); at 2 s valence falls to 0.335 and at 1.5 s to 0.320, the taggers then
#: hearing one fragment looped. So a 5 s jingle gets an estimate, a 2 s blip does not.
DEFAULT_MIN_DURATION = 3.0
#: Audio shorter than this is never analysed, whatever ``min_duration`` says: the
#: descriptors need a second of sound (``descriptors.describe``), and every clip of the
#: measurement above still gave an estimate at 1.5 s.
SHORTEST = 1.5
#: Tempo, loudness, onset rate and the spectral cues are measured on this many seconds
#: from the middle of the excerpt (the key on all of it): they are rates and averages,
#: 30 s is what the tempo benchmark's clips are, and it halves their cost.
CUE_SECONDS = 30.0
#: The essentia descriptors (``descriptors.describe``) are measured on this many seconds
#: from the middle of the cue. The emotion model reads musicnn's tags instead (with them,
#: the descriptors lowered every figure: docs/benchmarks/music-emotion.md); brightness and
#: dissonance, which the recommender reads, settle within 10 s, and it saves 2/3 of the
#: descriptors' cost for the taggers' patches.
DESCRIPTOR_SECONDS = 10.0
#: The onset rate is counted on this many seconds from the middle of the cue: a rate
#: settles sooner than a tempo, and essentia's OnsetRate is the dearest cue after the
#: beat tracker. 15 s left every cross-validated figure where 30 s had it (same folds;
#: docs/benchmarks/music-emotion.md) at half the cost.
ONSET_SECONDS = 15.0
#: multifeature's confidence tops out at about this value (essentia docs: 0..5.32).
_MULTIFEATURE_MAX_CONFIDENCE = 5.32


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """The knobs of one analysis run (picklable; validated by ``validated()``)."""

    key_profile: str = "bgate"
    rhythm_method: str = "degara"
    excerpt: float = DEFAULT_EXCERPT  # seconds from the middle; <= 0 means the whole file
    min_bpm: float = 70.0  # tempos are folded by octaves into [min_bpm, max_bpm)
    max_bpm: float = 180.0
    min_duration: float = DEFAULT_MIN_DURATION  # shorter tracks are not analysable

    def validated(self) -> AnalysisSettings:
        """These settings, or ConfigError naming the bad value and what was expected."""
        if self.key_profile not in KEY_PROFILES:
            raise ConfigError(f"key_profile {self.key_profile!r}: expected one of "
                              f"{', '.join(KEY_PROFILES)}")
        if self.rhythm_method not in RHYTHM_METHODS:
            raise ConfigError(f"rhythm_method {self.rhythm_method!r}: expected one of "
                              f"{', '.join(RHYTHM_METHODS)}")
        if not (self.min_bpm > 0 and self.max_bpm >= 2 * self.min_bpm):
            raise ConfigError(f"min_bpm {self.min_bpm} / max_bpm {self.max_bpm}: expected "
                              "0 < min_bpm and max_bpm >= 2 * min_bpm")
        if self.excerpt > 0 and self.excerpt < self.min_duration:
            raise ConfigError(f"excerpt {self.excerpt}: expected 0 (whole file) or at least "
                              f"min_duration ({self.min_duration} s)")
        return self


class NotAnalysableError(AnalysisError):
    """The audio decodes but cannot be analysed: ``kind`` says why (one of UNANALYSABLE)."""

    def __init__(self, message: str, kind: Unanalysable) -> None:
        super().__init__(message)
        self.kind: Unanalysable = kind


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the audio of one track says, in plain units."""

    bpm: float  # beats per minute, folded into the settings' range
    bpm_confidence: float  # 0..1: how regular the detected beat is
    key: str  # tonic in sharp spelling: C, C#, ... B
    mode: str  # "major" or "minor"
    key_strength: float  # 0..1: how well the chroma fits the key profile
    loudness: float  # integrated loudness, LUFS (EBU R128, mono)
    dynamic_range: float  # loudness range, LU (EBU R128 LRA)
    energy: float  # 0..1: RMS level mapped from -60..0 dBFS
    onset_rate: float  # note onsets per second
    brightness: float  # mean spectral centroid, Hz
    dissonance: float  # 0..1: mean sensory dissonance of the strongest spectral peaks
    duration: float  # seconds, the whole file
    #: ``descriptors.DESCRIPTORS`` in order: what the emotion model reads besides the cues
    descriptors: tuple[float, ...] = ()
    #: ``musicnn.TAG_FEATURES`` in order: what musicnn's taggers hear in the cue excerpt
    tags: tuple[float, ...] = ()
    #: ``musicnn.EMBEDDING_FEATURES`` in order: the taggers' penultimate layers on it
    embeddings: tuple[float, ...] = ()
    version: int = ANALYSIS_VERSION

    @property
    def initial_key(self) -> str:
        """The key in the compact sharp form beets stores: ``C``, ``C#m``, ``Am``."""
        return self.key + ("m" if self.mode == "minor" else "")

    def as_dict(self) -> dict[str, float | str | int]:
        """All fields as a plain dict."""
        return asdict(self)


_SHARPS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}


def fold_bpm(bpm: float, low: float, high: float) -> float:
    """``bpm`` doubled or halved until it lies in ``[low, high)``; 0 stays 0."""
    if bpm <= 0 or not math.isfinite(bpm):
        return 0.0
    while bpm < low:
        bpm *= 2.0
    while bpm >= high:
        bpm /= 2.0
    return bpm


@functools.lru_cache(maxsize=4)
def _algorithms(profile: str, method: str) -> dict[str, object]:
    """essentia algorithm instances, made once per process and settings."""
    es = essentia_standard()
    return {
        "key": es.KeyExtractor(profileType=profile, sampleRate=SAMPLE_RATE),
        "rhythm": es.RhythmExtractor2013(method=method),
        "onsets": es.OnsetRate(),
    }


def _beat_regularity(beats: np.ndarray, bpm: float) -> float:
    """Share of beat intervals within 5 % of the tempo's period (0..1)."""
    if len(beats) < 3 or bpm <= 0:
        return 0.0
    intervals = np.diff(beats)
    period = 60.0 / bpm
    near = np.abs(intervals - period) <= 0.05 * period
    near |= np.abs(intervals - 2 * period) <= 0.05 * 2 * period  # a missed beat is fine
    return float(np.mean(near))



def middle(samples: np.ndarray, seconds: float) -> np.ndarray:
    """The middle ``seconds`` of ``samples`` (all of them if shorter)."""
    n = int(seconds * SAMPLE_RATE)
    if len(samples) <= n:
        return samples
    start = (len(samples) - n) // 2
    return np.ascontiguousarray(samples[start:start + n])


def analyze_samples(
    samples: np.ndarray,
    duration: float,
    settings: AnalysisSettings = AnalysisSettings(),
    name: str = "<samples>",
) -> Analysis:
    """Analyse mono float32 samples at ``SAMPLE_RATE``; ``name`` appears in errors.

    Raises NotAnalysableError for audio shorter than ``settings.min_duration`` (or than
    ``SHORTEST``, whatever the settings) or silent audio.
    """
    seconds = len(samples) / SAMPLE_RATE
    shortest = max(settings.min_duration, SHORTEST)
    if min(seconds, duration) < shortest:
        raise NotAnalysableError(f"{name}: too short to analyse ({min(seconds, duration):.1f} s, "
                            f"need at least {shortest:g} s)", "too_short")
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    rms_db = 20 * math.log10(rms) if rms > 0 else -math.inf
    if rms_db < SILENCE_DB:
        raise NotAnalysableError(f"{name}: silent (level {rms_db:.0f} dBFS, "
                            f"below {SILENCE_DB:.0f} dBFS)", "silent")
    # One analysis runs on one core (the workers are one per CPU): OpenBLAS's helper
    # threads gain nothing on the spectrogram's small matrix product and then spin for
    # about 100 ms of another core, the other worker's (docs/benchmarks/music-throughput.md).
    with threadpool_limits(limits=1, user_api="blas"):
        return _measure(samples, rms_db, duration, settings)


def _measure(samples: np.ndarray, rms_db: float, duration: float,
             settings: AnalysisSettings) -> Analysis:
    """The Analysis of checked, audible float32 samples (``analyze_samples``)."""
    alg = _algorithms(settings.key_profile, settings.rhythm_method)
    for part in ("key", "rhythm", "onsets"):
        alg[part].reset()  # some keep state between calls (OnsetRate returned 0 without)
    key, scale, strength = alg["key"](samples)
    cue = middle(samples, CUE_SECONDS)
    bpm, beats, confidence, _estimates, _intervals = alg["rhythm"](cue)
    if settings.rhythm_method == "multifeature":
        bpm_confidence = min(1.0, float(confidence) / _MULTIFEATURE_MAX_CONFIDENCE)
    else:
        bpm_confidence = _beat_regularity(np.asarray(beats), float(bpm))
    _onsets, onset_rate = alg["onsets"](middle(cue, ONSET_SECONDS))
    integrated, loudness_range = loudness(cue, SAMPLE_RATE)
    found = describe(middle(cue, DESCRIPTOR_SECONDS))
    tags, embeddings = listen(cue)
    return Analysis(
        bpm=fold_bpm(float(bpm), settings.min_bpm, settings.max_bpm),
        bpm_confidence=float(bpm_confidence),
        key=_SHARPS.get(key, key),
        mode="minor" if scale == "minor" else "major",
        key_strength=float(strength),
        loudness=float(integrated),
        dynamic_range=float(loudness_range),
        energy=float(min(1.0, max(0.0, (rms_db + 60.0) / 60.0))),
        onset_rate=float(onset_rate),
        brightness=found["centroid_mean"],
        dissonance=found["dissonance_mean"],
        duration=float(duration),
        descriptors=tuple(found[name] for name in DESCRIPTORS),
        tags=tuple(float(v) for v in tags),
        embeddings=tuple(float(v) for v in embeddings),
    )


def analyze_file(
    path: str | os.PathLike[str],
    settings: AnalysisSettings = AnalysisSettings(),
    duration: float = 0.0,
) -> Analysis:
    """Decode an excerpt of ``path`` and analyse it; AnalysisError names file and reason.

    ``duration``, when known (seconds, > 0), saves probing the file for it.
    """
    decoded = decode_excerpt(path, settings.excerpt, duration)
    try:
        return analyze_samples(decoded.samples, decoded.duration, settings, name=str(path))
    except (RuntimeError, ValueError) as exc:  # essentia reports its failures as these
        raise AnalysisError(f"{path}: analysis failed ({exc})") from exc
