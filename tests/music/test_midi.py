"""MIDI files written by moodplayer.music.midi, played by the real fluidsynth: the notes
written are the notes heard, at the tempo written."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from moodplayer.exceptions import AnalysisError
from moodplayer.music.midi import SOUNDFONTS, Note, Part, render_midi, write_midi

RATE = 44100


@pytest.fixture(scope="module", autouse=True)
def _fluidsynth() -> None:
    if shutil.which("fluidsynth") is None or not any(f.is_file() for f in SOUNDFONTS):
        pytest.skip("fluidsynth and a General MIDI soundfont are not installed "
                    "(apt-get install fluidsynth fluid-soundfont-gm; ./setup.sh does)")


def _pitch(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / RATE)[np.argmax(spectrum)])


def _onset(samples: np.ndarray, after: float = 0.0) -> float:
    """Seconds at which the signal first rises above a tenth of its peak after ``after``."""
    start = int(after * RATE)
    envelope = np.abs(samples[start:])
    return (start + int(np.argmax(envelope > 0.1 * envelope.max()))) / RATE


@pytest.mark.parametrize(("program", "pitch", "hz"), [
    pytest.param(0, 69, 440.0, id="piano-A4"),
    pytest.param(73, 81, 880.0, id="flute-A5"),
    pytest.param(42, 45, 110.0, id="cello-A2"),
])
def test_the_note_written_is_the_note_heard(tmp_path: Path, program, pitch, hz):
    midi = write_midi(tmp_path / "a.mid", [Part(program, 0, [Note(pitch, 0.0, 2.0, 100)])],
                      bpm=120)
    samples = render_midi(midi, RATE)
    assert samples.dtype == np.float32 and np.abs(samples).max() <= 1.0
    assert abs(_pitch(samples[: RATE]) - hz) < hz * 0.03


def test_the_tempo_written_places_the_beats(tmp_path: Path):
    # two drum hits (kick, GM key 36, on the drum channel) four beats apart at 80 BPM: 3 s
    drums = Part(0, 9, [Note(36, 0.0, 0.5, 120), Note(36, 4.0, 0.5, 120)])
    samples = render_midi(write_midi(tmp_path / "d.mid", [drums], bpm=80), RATE)
    first = _onset(samples)
    second = _onset(samples, first + 1.0)
    assert second - first == pytest.approx(3.0, abs=0.02)


def test_a_missing_or_unusable_soundfont_is_one_line_naming_it(tmp_path: Path):
    midi = write_midi(tmp_path / "a.mid", [Part(0, 0, [Note(60, 0.0, 1.0)])], bpm=100)
    with pytest.raises(AnalysisError, match=r"none\.sf2: no such soundfont"):
        render_midi(midi, RATE, soundfont=tmp_path / "none.sf2")
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"not a soundfont")
    with pytest.raises(AnalysisError, match=r"bad\.sf2: not a SoundFont fluidsynth can load"):
        render_midi(midi, RATE, soundfont=bad)


def test_out_of_range_values_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="bpm 10 out of range"):
        write_midi(tmp_path / "a.mid", [], bpm=10)
    with pytest.raises(ValueError, match="channel 16"):
        write_midi(tmp_path / "a.mid", [Part(0, 16)], bpm=100)
    assert not (tmp_path / "a.mid").exists()  # nothing half-written
