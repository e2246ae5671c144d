"""Decode audio to float32 mono samples with ffmpeg as a subprocess.

Only an excerpt from the middle of a track is decoded (its key and tempo are those of the
track, at a fraction of the cost); tracks shorter than the excerpt are decoded whole.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.exceptions import AnalysisError

log = logging.getLogger(__name__)

#: Sample rate every decoded excerpt has (essentia's defaults assume it).
SAMPLE_RATE = 44100
#: Default excerpt length in seconds: the 30 s cue the taggers and the other cues hear
#: (``analyze.CUE_SECONDS``) and a little more, so that every training clip of the
#: emotion model (30.0-30.1 s) is decoded whole, as it was heard in training (a 30 s
#: excerpt would shift the taggers' patches by up to 33 ms). The key benchmark's clips are
#: 30 s. It was 60 s; the shorter decode saves more than any stage but the taggers
#: (docs/benchmarks/music-throughput.md).
DEFAULT_EXCERPT = 32.0
#: Seconds a single ffmpeg/ffprobe call may take before the file is given up on.
TIMEOUT = 120.0
#: An excerpt shorter than this share of what the header promised means a cut-off file.
TRUNCATED_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Decoded:
    """An excerpt: mono float32 samples at ``SAMPLE_RATE``, and where it came from."""

    samples: np.ndarray
    duration: float  # the whole file's duration in seconds (ffprobe's, or the excerpt's)
    start: float  # where the excerpt begins, seconds

    @property
    def seconds(self) -> float:
        """Length of the excerpt in seconds."""
        return len(self.samples) / SAMPLE_RATE


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise AnalysisError(f"{name} is not installed (apt install ffmpeg)")
    return found


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AnalysisError(f"{path}: file not found")
    if not path.is_file():
        raise AnalysisError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise AnalysisError(f"{path}: permission denied (not readable)")
    if path.stat().st_size == 0:
        raise AnalysisError(f"{path}: empty file (0 bytes)")


def _first_error(stderr: bytes, path: Path) -> str:
    """ffmpeg's last complaint, without the file name it starts with."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    line = lines[-1] if lines else "unknown ffmpeg error"
    return line.removeprefix(f"{path}: ")


def probe_duration(path: str | os.PathLike[str]) -> float:
    """The duration of the audio stream in ``path`` in seconds; AnalysisError if none."""
    p = Path(path)
    _check_file(p)
    cmd = [_tool("ffprobe"), "-v", "error", "-select_streams", "a:0",
           "-show_entries", "format=duration:stream=codec_type", "-of", "json", str(p)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AnalysisError(f"{p}: ffprobe timed out") from exc
    if done.returncode != 0:
        raise AnalysisError(f"{p}: not readable as audio ({_first_error(done.stderr, p)})")
    info = json.loads(done.stdout or b"{}")
    if not info.get("streams"):
        raise AnalysisError(f"{p}: no audio stream (not an audio file)")
    try:
        return float(info.get("format", {}).get("duration", "nan"))
    except ValueError:
        return float("nan")


def decode_excerpt(
    path: str | os.PathLike[str], seconds: float = DEFAULT_EXCERPT, duration: float = 0.0
) -> Decoded:
    """Decode ``seconds`` from the middle of ``path`` (the whole file if shorter).

    Returns mono float32 samples at ``SAMPLE_RATE``. Raises AnalysisError naming the file
    and the reason for a missing, unreadable, empty, non-audio, corrupt or truncated file.
    ``seconds <= 0`` decodes the whole file. A known ``duration`` (e.g. beets' ``length``)
    saves running ffprobe.
    """
    p = Path(path)
    if duration > 0:
        _check_file(p)
    else:
        duration = probe_duration(p)
    start = 0.0
    if seconds > 0 and duration == duration and duration > seconds:
        start = (duration - seconds) / 2.0
    cmd = [_tool("ffmpeg"), "-nostdin", "-v", "error"]
    if start > 0:
        cmd += ["-ss", f"{start:.3f}"]
    cmd += ["-i", str(p)]
    if seconds > 0:
        cmd += ["-t", f"{seconds:.3f}"]
    cmd += ["-map", "a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AnalysisError(f"{p}: ffmpeg timed out after {TIMEOUT:.0f} s") from exc
    samples = np.frombuffer(done.stdout, dtype="<f4")
    if done.returncode != 0:
        raise AnalysisError(f"{p}: cannot decode ({_first_error(done.stderr, p)})")
    if samples.size == 0:
        reason = _first_error(done.stderr, p) if done.stderr.strip() else "no audio decoded"
        raise AnalysisError(f"{p}: corrupt or truncated ({reason})")
    # Far less audio than the header promised: the file is cut off or damaged.
    expected = min(seconds, duration) if seconds > 0 else duration
    got = samples.size / SAMPLE_RATE
    if expected == expected and got < TRUNCATED_SHARE * expected:
        detail = f": {_first_error(done.stderr, p)}" if done.stderr.strip() else ""
        raise AnalysisError(f"{p}: truncated or corrupt (decoded {got:.1f} of "
                            f"{expected:.1f} s{detail})")
    if done.stderr.strip():
        log.debug("%s: decoded with warnings: %s", p, _first_error(done.stderr, p))
    samples = samples.astype(np.float32, copy=True)
    if not np.all(np.isfinite(samples)):
        raise AnalysisError(f"{p}: corrupt (decoded samples are not finite)")
    if duration != duration:
        duration = samples.size / SAMPLE_RATE
    return Decoded(samples=samples, duration=duration, start=start)
