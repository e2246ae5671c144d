"""Standard MIDI files from notes, and their rendering with fluidsynth and a soundfont.

A ``Part`` is one instrument (a General MIDI program on a channel; channel 9 is the
drum kit) playing ``Note``s timed in beats. ``write_midi`` writes a format-1 file with
the tempo; ``render_midi`` plays it through fluidsynth with a General MIDI soundfont
(Debian: ``fluidsynth``, ``fluid-soundfont-gm``) into mono float32 samples.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from moodplayer.exceptions import AnalysisError

#: Ticks per quarter note in the files written here.
TICKS = 480
#: The channel General MIDI reserves for percussion.
DRUMS = 9
#: Where Debian installs General MIDI soundfonts, best first: FluidR3 (MIT licence,
#: package fluid-soundfont-gm), then the system default and MuseScore's small TimGM6mb.
SOUNDFONTS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
              Path("/usr/share/sounds/sf2/default-GM.sf2"),
              Path("/usr/share/sounds/sf2/TimGM6mb.sf2"))


@dataclass(frozen=True, slots=True)
class Note:
    """A note: MIDI pitch (or drum key), start and length in beats, velocity 1..127."""

    pitch: int
    start: float
    length: float
    velocity: int = 90


@dataclass(slots=True)
class Part:
    """One instrument: a General MIDI ``program`` (0-based) on ``channel``, its notes."""

    program: int
    channel: int
    notes: list[Note] = field(default_factory=list)
    volume: int = 100  # controller 7, 0..127


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack(">I", len(body)) + body


def _events(events: list[tuple[int, int, bytes]]) -> bytes:
    """A track chunk from (tick, order, message) events, sorted; offs before ons at a tick."""
    body, now = bytearray(), 0
    for tick, _order, message in sorted(events, key=lambda e: (e[0], e[1])):
        body += _varlen(tick - now) + message
        now = tick
    body += _varlen(0) + b"\xff\x2f\x00"  # end of track
    return _chunk(b"MTrk", bytes(body))


def midi_bytes(parts: Sequence[Part], bpm: float) -> bytes:
    """The standard MIDI file (format 1) of ``parts`` at ``bpm``."""
    if not 20.0 <= bpm <= 300.0:
        raise ValueError(f"bpm {bpm} out of range: expected 20..300")
    tempo = round(60_000_000 / bpm)
    tracks = [_events([(0, 0, b"\xff\x51\x03" + tempo.to_bytes(3, "big"))])]
    for part in parts:
        if not 0 <= part.channel <= 15 or not 0 <= part.program <= 127:
            raise ValueError(f"channel {part.channel} / program {part.program}: expected "
                             "0..15 / 0..127")
        ch = part.channel
        events = [(0, 0, bytes((0xC0 | ch, part.program))),
                  (0, 0, bytes((0xB0 | ch, 7, part.volume)))]
        for n in part.notes:
            on = round(n.start * TICKS)
            off = max(on + 1, round((n.start + n.length) * TICKS))
            velocity = max(1, min(127, n.velocity))
            events.append((on, 2, bytes((0x90 | ch, n.pitch, velocity))))
            events.append((off, 1, bytes((0x80 | ch, n.pitch, 0))))
        tracks.append(_events(events))
    header = _chunk(b"MThd", struct.pack(">HHH", 1, len(tracks), TICKS))
    return header + b"".join(tracks)


def write_midi(path: str | os.PathLike[str], parts: Sequence[Part], bpm: float) -> Path:
    """Write ``parts`` at ``bpm`` as a standard MIDI file at ``path``; returns the path."""
    p = Path(path)
    p.write_bytes(midi_bytes(parts, bpm))
    return p


def find_soundfont() -> Path:
    """The first General MIDI soundfont of ``SOUNDFONTS`` on this machine.

    Raises AnalysisError saying what to install where there is none.
    """
    for font in SOUNDFONTS:
        if font.is_file():
            return font
    raise AnalysisError("no General MIDI soundfont found (apt install fluid-soundfont-gm; "
                        "./setup.sh installs it)")


def render_midi(midi: Path, sample_rate: int = 44100,
                soundfont: Path | None = None) -> np.ndarray:
    """Play the MIDI file ``midi`` through fluidsynth; mono float32 samples, peak <= 1.

    Raises AnalysisError naming what is missing (fluidsynth, a soundfont) or what failed.
    """
    fluidsynth = shutil.which("fluidsynth")
    if not fluidsynth:
        raise AnalysisError("fluidsynth is not installed (apt install fluidsynth; "
                            "./setup.sh installs it)")
    font = soundfont or find_soundfont()
    if not font.is_file():
        raise AnalysisError(f"{font}: no such soundfont")
    with tempfile.TemporaryDirectory(prefix="moodplayer-midi-") as tmp:
        out = Path(tmp) / "out.wav"
        done = subprocess.run([fluidsynth, "-ni", "-q", "-g", "0.4", "-r", str(sample_rate),
                               "-T", "wav", "-O", "s16", "-F", str(out), str(font), str(midi)],
                              capture_output=True, text=True, check=False)
        if "not a SoundFont" in done.stderr:  # fluidsynth then plays its default font
            raise AnalysisError(f"{font}: not a SoundFont fluidsynth can load")
        if done.returncode != 0 or not out.is_file():
            raise AnalysisError(f"{midi}: fluidsynth could not render it: "
                                f"{(done.stderr or done.stdout).strip()[-300:]}")
        with wave.open(str(out), "rb") as w:
            channels = w.getnchannels()
            frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = frames.reshape(-1, channels).mean(axis=1).astype(np.float32) / 32768.0
    return samples
