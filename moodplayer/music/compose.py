"""A demo library of instrumental pieces, composed here for each quadrant of the plane.

Each piece is written (as MIDI, ``moodplayer.music.midi``) with the cues listeners and
models hear a quadrant by, rendered with real instrument samples (fluidsynth and a
General MIDI soundfont) and encoded with ffmpeg (``samples.encode``):

- Q1 pleasant, excited: fast (118-144 BPM), major, drums and a walking electric bass,
  piano or guitar chords on the off-beats, brass, mallets or a reed on a bright tune; loud.
- Q2 unpleasant, excited: very fast (184-200 BPM, heard as a half-time 92-100), minor, a
  distorted guitar galloping low (its tonic between F#1 and F2 whatever the key) in
  sixteenths through the minor third, flat second and tritone, accented with tritones
  rather than fifths, over double-kick drums (a crash only every four bars), string
  tremolo on the root, flat second and tritone, brass stabs; loudest.
- Q3 unpleasant, calm: slow (72-78 BPM), minor, no drums, a wordless voice or a piano
  falling over a nylon guitar picking the chords and a cello; quiet.
- Q4 pleasant, calm: slow (72-84 BPM), major, no drums, warm pads, harp or nylon guitar
  arpeggios, a flute or celesta on top; quiet.

``build_demo_library(directory, count)`` writes ``count`` tagged tracks
(``Artist/Album/NN Title.ext``, formats cycling) and returns them with what each was
written as. The same seed gives the same notes.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.emotion import Mood
from moodplayer.music.midi import DRUMS, Note, Part, render_midi, write_midi
from moodplayer.music.model import Quadrant
from moodplayer.music.samples import SAMPLE_RATE, encode, tonic_index

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
# General MIDI drum keys
_KICK, _SNARE, _HAT, _OPEN_HAT, _CRASH, _RIDE, _TAMBOURINE = 36, 38, 42, 46, 49, 51, 54


@dataclass(frozen=True, slots=True)
class Piece:
    """One catalogue entry: tags, the quadrant it is written for, tempo and key."""

    artist: str
    album: str
    title: str
    quadrant: Quadrant
    bpm: float
    tonic: str

    @property
    def mode(self) -> str:
        """``major`` for the pleasant quadrants (Q1, Q4), ``minor`` for the others."""
        return "major" if self.quadrant in ("Q1", "Q4") else "minor"


@dataclass(frozen=True, slots=True)
class ComposedTrack:
    """A rendered, encoded piece: where it is, what it was written as, its scoring."""

    path: Path
    piece: Piece
    scoring: str


#: The mood each quadrant's pieces are written to sound.
FEEL: dict[Quadrant, Mood] = {"Q1": "happy", "Q2": "tense", "Q3": "sad", "Q4": "calm"}

#: The catalogue, cycling Q1, Q3, Q4, Q2 so that any first few tracks span the plane.
CATALOGUE: Sequence[Piece] = (
    Piece("The Sunny Days", "Bright Side", "Morning Run", "Q1", 128, "D"),
    Piece("Grey Harbour", "Low Tide", "Empty Rooms", "Q3", 72, "A"),
    Piece("Linden Quiet", "Still Water", "Slow Field", "Q4", 76, "F"),
    Piece("Black Current", "Pressure", "Cold Wire", "Q2", 184, "F#"),
    Piece("Voltage Kids", "Overdrive", "Jump Start", "Q1", 140, "E"),
    Piece("Grey Harbour", "Low Tide", "Letters Unsent", "Q3", 76, "C"),
    Piece("Nightjar", "Dusk", "Soft Lamps", "Q4", 80, "Bb"),
    Piece("Iron Lung", "Siege", "Breach", "Q2", 190, "E"),
    Piece("Marisol Vega", "Canciones", "Tarde de Sol", "Q1", 118, "G"),
    Piece("Ashen Choir", "Vigil", "November", "Q3", 74, "D"),
    Piece("Sea Glass", "Shoreline", "Low Sun", "Q4", 72, "E"),
    Piece("Black Current", "Pressure", "Static Storm", "Q2", 196, "D#"),
    Piece("The Sunny Days", "Bright Side", "Weekend", "Q1", 124, "C"),
    Piece("Grey Harbour", "Low Tide", "Last Ferry", "Q3", 74, "E"),
    Piece("Linden Quiet", "Still Water", "Meadow Light", "Q4", 74, "G"),
    Piece("Iron Lung", "Siege", "Red Alarm", "Q2", 188, "C#"),
    Piece("Brass Parade", "Street Fair", "Confetti", "Q1", 134, "F"),
    Piece("Ashen Choir", "Vigil", "Quiet Loss", "Q3", 72, "G"),
    Piece("Nightjar", "Dusk", "Warm Window", "Q4", 84, "D"),
    Piece("Black Current", "Pressure", "Undertow", "Q2", 200, "B"),
    Piece("Voltage Kids", "Overdrive", "Full Throttle", "Q1", 144, "A"),
    Piece("Paper Lanterns", "Afterwards", "Unwritten", "Q3", 78, "F"),
    Piece("Sea Glass", "Shoreline", "Tidepools", "Q4", 78, "C"),
    Piece("Iron Lung", "Siege", "Pursuit", "Q2", 192, "G"),
)

#: RMS level (dBFS) each quadrant is mastered to: the excited ones loud, the calm quiet.
LEVEL_DB: dict[Quadrant, float] = {"Q1": -13.0, "Q2": -11.0, "Q3": -24.0, "Q4": -22.0}


class _Writer:
    """Notes for a piece: its key, bars, and a random source for small human variations."""

    def __init__(self, piece: Piece, bars: int, seed: int) -> None:
        self.root = tonic_index(piece.tonic)
        self.scale = _MAJOR if piece.mode == "major" else _MINOR
        self.bars = bars
        self.rng = np.random.default_rng(seed)

    def pitch(self, degree: int, octave: int) -> int:
        """MIDI pitch of scale ``degree`` (any integer, 0 = tonic) in ``octave`` (4 = C4)."""
        return 12 * (octave + 1) + self.root + 12 * (degree // 7) + self.scale[degree % 7]

    def chord(self, degree: int, octave: int, extra: Sequence[int] = ()) -> list[int]:
        """The triad on ``degree`` (plus ``extra`` steps above the root, e.g. 6 for a 7th)."""
        return [self.pitch(degree + step, octave) for step in (0, 2, 4, *extra)]

    def note(self, pitch: int, start: float, length: float, velocity: int) -> Note:
        """A note with a little human variation in timing and force."""
        jitter = float(self.rng.normal(0.0, 0.008)) if start > 0 else 0.0
        return Note(pitch, max(0.0, start + jitter), length,
                    int(velocity + self.rng.integers(-6, 7)))


def _melody(w: _Writer, progression: Sequence[int], octave: int, rhythm: Sequence[float],
            velocity: int, falling: bool = False) -> list[Note]:
    """A tune over the progression: chord tones on the beats, steps between, a phrase of
    four bars repeated with its last bar varied. ``rhythm``: note lengths filling a bar."""
    phrase: list[list[tuple[int, float, float]]] = []
    degree = progression[0] + (4 if falling else 0)
    for b in range(4):
        chord_root = progression[b % len(progression)]
        bar, t = [], 0.0
        for i, length in enumerate(rhythm):
            if t == int(t):  # on a beat: the nearest chord tone
                tones = [chord_root + s + 7 * o for s in (0, 2, 4) for o in (-1, 0, 1)]
                degree = min(tones, key=lambda d: (abs(d - degree), d))
            else:
                step = int(w.rng.choice((-1, 1, 1, 2) if not falling else (-1, -1, 1, -2)))
                degree += step
            degree = max(-3, min(9, degree))
            bar.append((degree, t, length * (0.9 if i % 2 else 0.95)))
            t += length
        phrase.append(bar)
    notes = []
    for b in range(w.bars):
        bar = phrase[b % 4]
        if b % 8 == 7:  # a cadence: end the period on the tonic, held
            bar = [*bar[:-1], (0, bar[-1][1], rhythm[-1])]
        notes += [w.note(w.pitch(d, octave), 4 * b + t, length, velocity)
                  for d, t, length in bar]
    return notes


def _happy(w: _Writer, variant: int) -> tuple[list[Part], str]:
    progression = ((0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4))[variant % 3]
    lead, lead_name = ((61, "brass section"), (12, "marimba"), (56, "trumpet"),
                       (65, "alto sax"), (11, "vibraphone"), (22, "harmonica"))[variant % 6]
    comp, comp_name = ((0, "piano"), (25, "steel guitar"), (4, "electric piano"))[variant % 3]
    drums, bass, chords = Part(0, DRUMS), Part(33, 1), Part(comp, 2, volume=90)
    for b in range(w.bars):
        root = progression[b % 4]
        for beat in range(4):
            t = 4 * b + beat
            drums.notes.append(w.note(_KICK if beat % 2 == 0 else _SNARE, t, 0.25, 110))
            for half in (0.0, 0.5):
                drums.notes.append(w.note(_HAT, t + half, 0.2, 80 if half else 95))
            if variant % 2:
                drums.notes.append(w.note(_TAMBOURINE, t + 0.5, 0.2, 70))
            bass.notes.append(w.note(w.pitch(root, 2), t, 0.45, 105))
            bass.notes.append(w.note(w.pitch(root + (4 if beat % 2 else 7), 2), t + 0.5,
                                     0.4, 95))
            chords.notes += [w.note(p, t + 0.5, 0.4, 85) for p in w.chord(root, 4)]
        drums.notes.append(w.note(_KICK, 4 * b + 2.5, 0.25, 100))
        if b % 4 == 0:
            drums.notes.append(w.note(_CRASH, 4 * b, 1.0, 100))
    tune = Part(lead, 3)
    tune.notes = _melody(w, progression, 5, (0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5), 108)
    return [drums, bass, chords, tune], f"drums, bass, {comp_name}, {lead_name}"


#: The tense ostinato's bar in sixteenths, semitones above the chord's root: a gallop on
#: the root broken by the minor third, the flat second and the tritone.
_RIFF = (0, 0, 3, 0, 0, 1, 0, 0, 0, 0, 3, 0, 6, 5, 1, 0)
_ACCENTS = (0, 3, 6, 8, 11, 14)
#: The lowest tonic of the tense riff (F#1): whatever the key, it growls in the octave
#: F#1-F2 (higher keys read as less unpleasant to the music model).
_TENSE_LOW = 30


def _tense(w: _Writer, variant: int) -> tuple[list[Part], str]:
    progression = ((0, 0, 1, 0), (0, 5, 1, 4), (0, 1, 0, 6))[variant % 3]
    guitar, guitar_name = ((30, "distortion guitar"), (29, "overdriven guitar"))[variant % 2]
    drums, bass, riff = Part(0, DRUMS), Part(34, 1), Part(guitar, 2)
    strings = Part(44, 3, volume=80)  # tremolo strings
    stabs = Part(61, 4, volume=95)  # brass section
    tonic = _TENSE_LOW + (w.root - _TENSE_LOW) % 12
    for b in range(w.bars):
        root = progression[b % 4]
        # the flat second (Phrygian) on degree 1: a semitone above the tonic
        low = tonic + (1 if root == 1 else w.scale[root])
        for s, step in enumerate(_RIFF):
            t = 4 * b + s / 4
            accent = s in _ACCENTS
            chord = (low + step, low + step + 6) if accent else (low + step,)  # a tritone
            riff.notes += [w.note(p, t, 0.22, 124 if accent else 100) for p in chord]
            bass.notes.append(w.note(low - 12 + step, t, 0.2, 120 if accent else 100))
            drums.notes.append(w.note(_KICK, t, 0.15, 118 if accent else 100))
            if s % 2 == 0:
                drums.notes.append(w.note(_HAT if variant % 2 else _RIDE, t, 0.15, 90))
        for beat in (1, 3):
            drums.notes.append(w.note(_SNARE, 4 * b + beat, 0.25, 127))
        if b % 4 == 0:
            drums.notes.append(w.note(_CRASH, 4 * b, 1.0, 118))
        # root, flat second and tritone trembling together an octave above the riff
        strings.notes += [w.note(low + 12 + iv, 4 * b, 4.0, 100) for iv in (0, 1, 6)]
        if b % 2 == 1:
            stabs.notes += [w.note(low + 12 + iv, 4 * b + 3.5, 0.4, 120) for iv in (1, 6)]
    return [drums, bass, riff, strings, stabs], \
        f"double-kick drums, {guitar_name} ostinato, tremolo strings, brass stabs"


def _sad(w: _Writer, variant: int) -> tuple[list[Part], str]:
    # The tonic triad between G3 and F#4 whatever the key: low keys move up an octave,
    # so no sad piece sits in the murk of a low register.
    up = 1 if w.root < 7 else 0
    progression = ((0, 5, 3, 4), (0, 6, 5, 4), (0, 3, 1, 4))[variant % 3]
    lead, lead_name = ((53, "a wordless voice"), (0, "piano"))[variant % 2]
    guitar, bass, tune = Part(24, 1, volume=90), Part(42, 2, volume=90), Part(lead, 3)
    for b in range(w.bars):
        root = progression[b % 4]
        # the guitar picks the chord upwards from its root, a note a beat
        tones = [w.pitch(root, 2 + up), *w.chord(root, 3 + up)]
        guitar.notes += [w.note(tones[i], 4 * b + i, 2.0, 62) for i in range(4)]
        bass.notes.append(w.note(w.pitch(root, 2 + up), 4 * b, 4.0, 65))
    tune.notes = _melody(w, progression, 4 + up, (1.0, 1.0, 2.0), 62, falling=True)
    return [guitar, bass, tune], f"{lead_name} falling over a nylon guitar and a cello"


def _calm(w: _Writer, variant: int) -> tuple[list[Part], str]:
    progression = ((0, 3, 0, 4), (0, 5, 3, 4), (0, 3, 4, 0))[variant % 3]
    pad, pad_name = ((89, "warm pad"), (88, "new-age pad"), (91, "choir pad"))[variant % 3]
    harp, harp_name = ((46, "harp"), (24, "nylon guitar"))[variant % 2]
    lead, lead_name = ((73, "flute"), (75, "pan flute"), (8, "celesta"))[variant % 3]
    pads, bass = Part(pad, 1, volume=80), Part(32, 2, volume=80)
    arpeggio, tune = Part(harp, 3, volume=90), Part(lead, 4, volume=85)
    for b in range(w.bars):
        root = progression[b % 4]
        pads.notes += [w.note(p, 4 * b, 4.0, 58) for p in w.chord(root, 4)]
        bass.notes.append(w.note(w.pitch(root, 2), 4 * b, 4.0, 60))
        tones = w.chord(root, 4, extra=(7,))  # rising through the chord to its octave
        arpeggio.notes += [w.note(tones[i], 4 * b + i, 2.0, 64 if i else 70) for i in range(4)]
    tune.notes = _melody(w, progression, 5, (2.0, 1.0, 1.0), 66)
    return [pads, bass, arpeggio, tune], f"{pad_name}, {harp_name} arpeggios, {lead_name}"


_COMPOSERS: dict[Quadrant, Callable[[_Writer, int], tuple[list[Part], str]]] = {
    "Q1": _happy, "Q2": _tense, "Q3": _sad, "Q4": _calm}


def compose(piece: Piece, seconds: float, *, variant: int = 0,
            seed: int = 0) -> tuple[list[Part], str]:
    """The parts of ``piece``, at least ``seconds`` long, and its scoring in words.

    ``variant`` picks among each quadrant's progressions and instruments.
    """
    bars = max(4, math.ceil(seconds * piece.bpm / 240.0))
    return _COMPOSERS[piece.quadrant](_Writer(piece, bars, seed), variant)


def _master(samples: np.ndarray, seconds: float, level_db: float) -> np.ndarray:
    """Cut to ``seconds`` with a 2 s fade-out, at ``level_db`` RMS, peaks soft-limited."""
    out = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    n = min(out.size, samples.size)
    out[:n] = samples[:n]
    fade = min(out.size, 2 * SAMPLE_RATE)
    out[out.size - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    rms = float(np.sqrt(np.mean(out**2))) or 1.0
    return np.tanh(out * 10.0 ** (level_db / 20.0) / rms).astype(np.float32)


def render_piece(path: str | os.PathLike[str], piece: Piece, *, seconds: float = 30.0,
                 variant: int = 0, seed: int = 0) -> ComposedTrack:
    """Compose ``piece``, render it with fluidsynth and encode it to ``path`` with tags.

    Raises AnalysisError naming what is missing (fluidsynth, a soundfont, ffmpeg).
    """
    parts, scoring = compose(piece, seconds + 2.0, variant=variant, seed=seed)
    with tempfile.TemporaryDirectory(prefix="moodplayer-compose-") as tmp:
        midi = write_midi(Path(tmp) / "piece.mid", parts, piece.bpm)
        samples = render_midi(midi, SAMPLE_RATE)
    meta = {"title": piece.title, "artist": piece.artist, "album": piece.album}
    encoded = encode(_master(samples, seconds, LEVEL_DB[piece.quadrant]), path, meta)
    return ComposedTrack(encoded, piece, scoring)


def build_demo_library(
    directory: str | os.PathLike[str],
    count: int = 24,
    *,
    seconds: float = 30.0,
    formats: Sequence[str] = (".mp3", ".flac", ".ogg", ".m4a", ".opus"),
    seed: int = 0,
) -> list[ComposedTrack]:
    """Write ``count`` composed, tagged tracks under ``directory`` (``Artist/Album/NN Title``).

    The catalogue's pieces in order (its quadrants cycle), then again with other
    instruments and tempos a little faster; formats cycle through ``formats``.
    """
    root = Path(directory)
    made = []
    for i in range(count):
        piece = CATALOGUE[i % len(CATALOGUE)]
        lap = i // len(CATALOGUE)
        if lap:
            piece = Piece(piece.artist, piece.album, f"{piece.title} ({lap + 1})",
                          piece.quadrant, round(piece.bpm * (1.0 + 0.03 * lap), 1),
                          piece.tonic)
        path = root / piece.artist / piece.album / f"{i + 1:02d} {piece.title}" \
            f"{formats[i % len(formats)]}"
        made.append(render_piece(path, piece, seconds=seconds, variant=i // 4 + lap,
                                 seed=seed + i))
    return made
