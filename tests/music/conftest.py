"""Fixtures for the music tests: generated audio in every format, bad files.

Audio is rendered with numpy and encoded by the real ffmpeg once per session; files are
short (15 s) so the whole area stays fast. The fake Last.fm (``fake_lastfm``) is shared:
tests/conftest.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from beets.test import _common

from moodplayer.music import samples

FORMATS = (".mp3", ".flac", ".ogg", ".m4a", ".opus")
CLIP_SECONDS = 15.0


@dataclass(frozen=True)
class Clip:
    """A rendered file and what it was rendered from."""

    path: Path
    bpm: float
    mode: str
    tonic: str


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    """One tune per format, keys, modes and tempos varied: ``{".mp3": Clip, ...}``."""
    root = tmp_path_factory.mktemp("clips")
    plan = [(128, "major", "D"), (96, "minor", "A"), (140, "minor", "F#"),
            (110, "major", "G"), (120, "minor", "C")]
    out = {}
    for i, (suffix, (bpm, mode, tonic)) in enumerate(zip(FORMATS, plan, strict=True)):
        path = root / f"tune {i} ünïcødé{suffix}"
        samples.render_tune(path, bpm=bpm, mode=mode, tonic=tonic, seconds=CLIP_SECONDS,
                            seed=i, artist=f"Artist {i}", title=f"Title {i}",
                            brightness=0.7)
        out[suffix] = Clip(path, bpm, mode, tonic)
    return out


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory, clips: dict[str, Clip]) -> dict[str, Path]:
    """Files that cannot be analysed, by kind: corrupt, truncated, empty, text, missing
    (they fail), silence and short (they decode: not analysable)."""
    root = tmp_path_factory.mktemp("bad")
    good = clips[".mp3"].path.read_bytes()
    corrupt = root / "corrupt.mp3"
    corrupt.write_bytes(good[:2000] + bytes(range(256)) * (len(good) // 256))
    truncated = root / "truncated.flac"
    whole = clips[".flac"].path.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])  # a download cut off half-way
    empty = root / "empty.ogg"
    empty.write_bytes(b"")
    text = root / "notes.m4a"
    text.write_text("These are my lyrics, not audio.\n" * 50)
    silence = root / "silence.flac"
    samples.encode(samples.synthesize(seconds=CLIP_SECONDS, gain_db=-14) * 0.0, silence)
    short = root / "short.opus"
    samples.render_tune(short, bpm=120, seconds=2.0)  # under the default min_duration
    return {"corrupt": corrupt, "truncated": truncated, "empty": empty, "text": text,
            "silence": silence, "short": short, "missing": root / "missing.mp3"}


@pytest.fixture
def io(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
       capteesys: pytest.CaptureFixture[str]) -> _common.DummyIO:
    """beets' stdin/stdout helper (beets ships the class, not the fixture)."""
    dummy = _common.DummyIO(monkeypatch, capteesys)
    if request.instance is not None:
        request.instance.io = dummy
    return dummy


@pytest.fixture(autouse=True)
def _reset_beets_logging() -> Iterator[None]:
    """Drop handlers beets adds per run, so none writes to a closed captured stream."""
    yield
    # Only loggers that exist: creating "beets.moodtag" here would make it a plain Logger
    # and break beets' {}-formatting logger class for the plugin.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.split(".")[0] == "beets" and isinstance(logger, logging.Logger):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)

