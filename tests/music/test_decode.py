"""Decoding real encoded files with ffmpeg, and every way a file can be bad."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from moodplayer.exceptions import AnalysisError
from moodplayer.music.decode import SAMPLE_RATE, decode_excerpt
from tests.music.conftest import CLIP_SECONDS, FORMATS


@pytest.mark.parametrize("suffix", FORMATS)
def test_decodes_every_format_whole_when_short(clips, suffix):
    decoded = decode_excerpt(clips[suffix].path, seconds=60)
    assert decoded.samples.dtype == np.float32
    assert decoded.start == 0.0
    assert decoded.seconds == pytest.approx(CLIP_SECONDS, abs=0.2)
    assert float(np.sqrt(np.mean(decoded.samples**2))) > 0.01


def test_excerpt_comes_from_the_middle(clips):
    decoded = decode_excerpt(clips[".flac"].path, seconds=5)
    assert decoded.seconds == pytest.approx(5.0, abs=0.05)
    assert decoded.start == pytest.approx((CLIP_SECONDS - 5) / 2, abs=0.1)
    assert len(decoded.samples) == pytest.approx(5 * SAMPLE_RATE, abs=SAMPLE_RATE * 0.05)


def test_non_ascii_path_decodes(clips):
    path = clips[".ogg"].path
    assert not path.name.isascii()
    assert decode_excerpt(path).seconds > 10


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        pytest.param("missing", "file not found", id="missing"),
        pytest.param("empty", "empty file", id="zero-length"),
        pytest.param("text", "audio", id="non-audio"),
        pytest.param("corrupt", "corrupt", id="corrupt"),
        pytest.param("truncated", "truncated", id="truncated"),
    ],
)
def test_bad_file_gives_one_line_naming_file_and_reason(bad_files, kind, reason):
    path = bad_files[kind]
    with pytest.raises(AnalysisError) as caught:
        decode_excerpt(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    assert reason in message


def test_directory_is_not_a_file(tmp_path: Path):
    with pytest.raises(AnalysisError, match="not a regular file"):
        decode_excerpt(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: file permissions don't apply")
def test_unreadable_file(tmp_path: Path, clips):
    path = tmp_path / "locked.mp3"
    path.write_bytes(clips[".mp3"].path.read_bytes())
    path.chmod(0)
    try:
        with pytest.raises(AnalysisError, match="permission denied"):
            decode_excerpt(path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
