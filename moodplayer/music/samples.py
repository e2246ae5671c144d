"""Generated music for tests, benchmarks and the demo: real tunes, encoded by real ffmpeg.

A tune is a four-bar chord progression in a given key and mode (bass, sustained chords,
a melody from the scale) over a drum pattern (kick on every beat, snare on 2 and 4,
hi-hat on eighths), so key, mode and tempo are recoverable from the audio. Loudness and
brightness are separate knobs, so the same music can be made faster, louder, darker or
minor for direction tests.

Public API (stable; other parts use it):

- ``synthesize(*, bpm, mode, tonic, seconds, gain_db, brightness, drums, seed)`` -> samples
- ``encode(samples, path, metadata)`` -> path (format from the suffix: ``FORMATS``)
- ``render_tune(path, **same knobs, title=, artist=, album=)`` -> path
- ``build_sample_library(directory, count)`` -> list of ``SampleTrack``
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from moodplayer.exceptions import AnalysisError

SAMPLE_RATE = 44100
#: Suffix -> ffmpeg encoder arguments, for every format the project supports.
FORMATS: Mapping[str, tuple[str, ...]] = {
    ".mp3": ("-c:a", "libmp3lame", "-q:a", "4"),
    ".flac": ("-c:a", "flac"),
    ".ogg": ("-c:a", "libvorbis", "-q:a", "4"),
    ".m4a": ("-c:a", "aac", "-b:a", "128k"),
    ".opus": ("-c:a", "libopus", "-b:a", "96k"),
}
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 11)  # harmonic minor: the raised leading tone marks the key
# Progressions as (scale degree of the root, chord quality) per bar: I V7 I IV keeps the
# tonic on every other bar, so short excerpts still centre on the key.
_PROGRESSIONS = {
    "major": ((0, (0, 4, 7)), (4, (0, 4, 7, 10)), (0, (0, 4, 7)), (3, (0, 4, 7))),
    "minor": ((0, (0, 3, 7)), (4, (0, 4, 7, 10)), (0, (0, 3, 7)), (3, (0, 3, 7))),
}


def tonic_index(tonic: str) -> int:
    """Pitch class (0 = C) of a note name like ``C``, ``F#`` or ``Bb``; ValueError if unknown."""
    name = tonic.strip()
    name = _FLATS.get(name, name)
    if name not in PITCH_CLASSES:
        raise ValueError(f"unknown tonic {tonic!r}: expected one of {', '.join(PITCH_CLASSES)}")
    return PITCH_CLASSES.index(name)


def _freq(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12.0)


def _tone(freq: float, length: int, brightness: float, decay: float) -> np.ndarray:
    """A harmonic tone; ``brightness`` 0..1 sets how slowly the overtones fall off."""
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    rolloff = 1.0 + 2.5 * (1.0 - brightness)
    out = np.zeros(length, dtype=np.float32)
    for k in range(1, 11):
        if k * freq > SAMPLE_RATE / 2.2:
            break
        out += np.sin(2 * np.pi * k * freq * t, dtype=np.float32) / k**rolloff
    attack = min(length, int(0.01 * SAMPLE_RATE))
    env = np.exp(-t / decay).astype(np.float32)
    env[:attack] *= np.linspace(0.0, 1.0, attack, dtype=np.float32)
    release = min(length, int(0.02 * SAMPLE_RATE))
    env[length - release:] *= np.linspace(1.0, 0.0, release, dtype=np.float32)
    return out * env


def _drum_hits(rng: np.random.Generator, brightness: float) -> dict[str, np.ndarray]:
    t = np.arange(int(0.25 * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    kick = np.sin(2 * np.pi * (50 * t + 2.0 * (1 - np.exp(-t * 30))))  # 110 -> 50 Hz
    kick = (kick * np.exp(-t * 18)).astype(np.float32)
    noise = rng.standard_normal(t.size).astype(np.float32)
    snare = (noise * np.exp(-t * 25) * 0.5
             + 0.4 * np.sin(2 * np.pi * 190 * t) * np.exp(-t * 30)).astype(np.float32)
    hat = np.diff(noise, prepend=0.0).astype(np.float32) * np.exp(-t * 90).astype(np.float32)
    return {"kick": kick, "snare": snare, "hat": hat * (0.15 + 0.25 * brightness)}


def synthesize(
    *,
    bpm: float = 120.0,
    mode: str = "major",
    tonic: str = "C",
    seconds: float = 20.0,
    gain_db: float = -14.0,
    brightness: float = 0.5,
    drums: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """Render a tune as mono float32 samples at ``SAMPLE_RATE``.

    ``gain_db`` is the tune's RMS level in dBFS (peaks are soft-limited below 0 dBFS),
    ``brightness`` 0 (dark, few overtones) .. 1 (bright). The same ``seed`` and knobs
    give the same notes, so two renders differ only in the knobs that were changed.
    """
    if mode not in _PROGRESSIONS:
        raise ValueError(f"unknown mode {mode!r}: expected major or minor")
    if not 20.0 <= bpm <= 300.0:
        raise ValueError(f"bpm {bpm} out of range: expected 20..300")
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    brightness = float(np.clip(brightness, 0.0, 1.0))
    rng = np.random.default_rng(seed)
    root = 48 + tonic_index(tonic)  # C3 .. B3
    scale = _MAJOR if mode == "major" else _MINOR
    beat = round(60.0 / bpm * SAMPLE_RATE)
    bar = 4 * beat
    total = int(seconds * SAMPLE_RATE)
    out = np.zeros(total + bar, dtype=np.float32)
    hits = _drum_hits(rng, brightness)
    # One melody per bar of the progression, kept for the whole tune: a recognisable loop.
    # Slow tunes move in quarter notes, fast ones in eighths (eighths at a slow tempo
    # read as double time).
    per_bar = 4 if bpm < 100 else 8
    step_len = bar // per_bar
    melodies = []
    for _degree, chord in _PROGRESSIONS[mode]:
        notes = [int(rng.choice(chord)) if i % 2 == 0 else int(rng.choice(scale))
                 for i in range(per_bar)]
        melodies.append(notes)
    chord_cache: dict[int, np.ndarray] = {}
    n_bars = total // bar + 1
    for b in range(n_bars):
        pos = b * bar
        idx = b % 4
        degree, chord = _PROGRESSIONS[mode][idx]
        base = root + scale[degree]
        if idx not in chord_cache:
            pad = sum(_tone(_freq(base + 12 + iv), bar, brightness, 1.5) for iv in chord)
            bass = _tone(_freq(base - 12), bar, brightness * 0.5, 0.8)
            chord_cache[idx] = (0.18 * pad + 0.35 * bass).astype(np.float32)
        out[pos:pos + bar] += chord_cache[idx]
        for i, step in enumerate(melodies[idx]):
            start = pos + i * step_len
            pitch = (root + scale[degree] + step + 24) if step in chord else root + step + 24
            note = _tone(_freq(pitch), step_len, brightness, 0.3)
            out[start:start + note.size] += 0.22 * note
        if drums:
            for q in range(4):
                s = pos + q * beat
                k = hits["kick"][: min(beat, hits["kick"].size)]
                out[s:s + k.size] += 0.9 * k
                if q % 2 == 1:
                    sn = hits["snare"][: min(beat, hits["snare"].size)]
                    out[s:s + sn.size] += 0.5 * sn
                for e in (0, beat // 2)[: per_bar // 4]:
                    h = hits["hat"][: beat // 2]
                    out[s + e:s + e + h.size] += h
    out = out[:total]
    rms = float(np.sqrt(np.mean(out**2))) or 1.0
    out *= 10.0 ** (gain_db / 20.0) / rms
    return np.tanh(out).astype(np.float32)  # soft limiter: louder means denser, never clipped


def encode(
    samples: np.ndarray,
    path: str | os.PathLike[str],
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Encode mono float32 ``samples`` to ``path`` with ffmpeg; the suffix picks the format.

    ``metadata`` becomes the file's tags (``title``, ``artist``, ``album``, ...).
    """
    p = Path(path)
    args = FORMATS.get(p.suffix.lower())
    if args is None:
        raise ValueError(f"{p}: unsupported suffix, expected one of {', '.join(FORMATS)}")
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise AnalysisError("ffmpeg is not installed (apt install ffmpeg)")
    rate = "48000" if p.suffix.lower() == ".opus" else str(SAMPLE_RATE)
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(SAMPLE_RATE),
           "-ac", "1", "-i", "-", "-ar", rate, *args]
    for key, value in (metadata or {}).items():
        cmd += ["-metadata", f"{key}={value}"]
    p.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([*cmd, str(p)], input=np.ascontiguousarray(samples, "<f4").tobytes(),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise AnalysisError(f"{p}: ffmpeg could not encode: "
                            f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return p


def render_tune(
    path: str | os.PathLike[str],
    *,
    bpm: float = 120.0,
    mode: str = "major",
    tonic: str = "C",
    seconds: float = 20.0,
    gain_db: float = -14.0,
    brightness: float = 0.5,
    drums: bool = True,
    seed: int = 0,
    title: str | None = None,
    artist: str | None = None,
    album: str | None = None,
) -> Path:
    """Render a tune (see ``synthesize``) and encode it to ``path`` with tags; returns path."""
    samples = synthesize(bpm=bpm, mode=mode, tonic=tonic, seconds=seconds, gain_db=gain_db,
                         brightness=brightness, drums=drums, seed=seed)
    meta = {"title": title or f"{tonic} {mode} at {bpm:g} BPM",
            "artist": artist or "moodplayer samples",
            "album": album or "moodplayer samples"}
    return encode(samples, path, meta)


@dataclass(frozen=True, slots=True)
class SampleTrack:
    """A generated track and the ground truth it was rendered from."""

    path: Path
    title: str
    artist: str
    album: str
    bpm: float
    mode: str
    tonic: str
    gain_db: float
    brightness: float
    tags: tuple[str, ...] = field(default=())


# (artist, album, title, bpm, mode, tonic, gain_db, brightness, mood-ish Last.fm tags)
_CATALOGUE: Sequence[tuple[str, str, str, float, str, str, float, float, tuple[str, ...]]] = (
    ("The Sunny Days", "Bright Side", "Morning Run", 128, "major", "D", -11, 0.85,
     ("happy", "upbeat", "pop")),
    ("Grey Harbour", "Low Tide", "Empty Rooms", 72, "minor", "A", -22, 0.15,
     ("sad", "melancholy", "indie")),
    ("Linden Quiet", "Still Water", "Slow Field", 72, "major", "F", -24, 0.25,
     ("calm", "mellow", "ambient")),
    ("Voltage Kids", "Overdrive", "Full Throttle", 150, "major", "E", -9, 0.95,
     ("energetic", "party", "dance")),
    ("Black Current", "Pressure", "Cold Wire", 140, "minor", "F#", -9, 0.9,
     ("aggressive", "dark", "industrial")),
    ("Marisol Vega", "Canciones", "Tarde de Sol", 118, "major", "G", -13, 0.7,
     ("happy", "summer", "latin")),
    ("Grey Harbour", "Low Tide", "Letters Unsent", 76, "minor", "C", -20, 0.3,
     ("sad", "lonely", "acoustic")),
    ("Nightjar", "Dusk", "Soft Lamps", 84, "major", "A#", -21, 0.35,
     ("chill", "relaxing", "lounge")),
    ("Voltage Kids", "Overdrive", "Jump Start", 132, "major", "B", -10, 0.8,
     ("energetic", "fun", "electronic")),
    ("Black Current", "Pressure", "Static Storm", 124, "minor", "D#", -10, 0.85,
     ("angry", "intense", "metal")),
    ("Björk Ørsted", "Nordlys", "Vinterlys", 92, "minor", "E", -18, 0.45,
     ("dreamy", "atmospheric", "electronic")),
    ("The Sunny Days", "Bright Side", "Weekend", 110, "major", "C", -13, 0.65,
     ("cheerful", "feel good", "pop")),
)


def build_sample_library(
    directory: str | os.PathLike[str],
    count: int = 12,
    *,
    seconds: float = 30.0,
    formats: Sequence[str] = (".mp3", ".flac", ".ogg", ".m4a", ".opus"),
    seed: int = 0,
) -> list[SampleTrack]:
    """Write ``count`` varied tagged tracks under ``directory`` (``Artist/Album/NN Title``).

    Tempos, modes, keys, loudness and brightness vary (happy, sad, calm, energetic and
    tense-sounding tunes), formats cycle through ``formats``; artist, album and title
    are in the files' tags. Returns the tracks with the values they were rendered from.
    """
    root = Path(directory)
    tracks = []
    for i in range(count):
        artist, album, title, bpm, mode, tonic, gain, bright, tags = _CATALOGUE[
            i % len(_CATALOGUE)]
        if i >= len(_CATALOGUE):
            title = f"{title} ({i // len(_CATALOGUE) + 1})"
            bpm = bpm * (1.0 + 0.03 * (i // len(_CATALOGUE)))
        suffix = formats[i % len(formats)]
        path = root / artist / album / f"{i + 1:02d} {title}{suffix}"
        render_tune(path, bpm=bpm, mode=mode, tonic=tonic, seconds=seconds, gain_db=gain,
                    brightness=bright, seed=seed + i, title=title, artist=artist, album=album)
        tracks.append(SampleTrack(path=path, title=title, artist=artist, album=album, bpm=bpm,
                                  mode=mode, tonic=tonic, gain_db=gain, brightness=bright,
                                  tags=tags))
    return tracks
