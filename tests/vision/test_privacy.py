"""No frame, crop or face image is written anywhere, logged, or kept: only numbers leave."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path

import cv2
import pytest

from moodplayer.agent.cli import main

PROJECT = Path(__file__).resolve().parents[2]
WRITERS = re.compile(r"\b(imwrite|imwritemulti|imencode|VideoWriter)\b")


def test_no_image_writer_in_the_product_code():
    offenders = [f"{p.relative_to(PROJECT)}:{n}"
                 for folder in ("moodplayer", "beetsplug")
                 for p in (PROJECT / folder).rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if WRITERS.search(line)]
    assert offenders == []


def all_files(*roots: Path) -> set[Path]:
    return {p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()}


def test_watch_and_calibrate_write_no_image_anywhere(tmp_path, monkeypatch, capsys, caplog,
                                                     mood_video: Path, scrfd_path: Path):
    tmp = tmp_path / "tmp"
    work = tmp_path / "cwd"
    for d in (tmp, work):
        d.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(work)
    xdg = [Path(os.environ[v]) for v in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")]

    def forbidden(*args, **kwargs):
        raise AssertionError("an image writer was called")

    for name in ("imwrite", "imwritemulti", "imencode", "VideoWriter"):
        monkeypatch.setattr(cv2, name, forbidden)
    caplog.set_level(logging.DEBUG)
    before = all_files(tmp, work, *xdg)
    source = ["--source", str(mood_video), "--detector-path", str(scrfd_path)]
    assert main(["watch", *source, "--json", "--frames", "40"]) == 0
    assert main(["calibrate", *source, "--seconds", "5"]) == 0
    out = capsys.readouterr().out
    after = all_files(tmp, work, *xdg)
    new = after - before
    assert {p.name for p in new} == {"calibration.json"}
    # What leaves is numbers and labels: no pixel arrays in the output or the logs.
    for line in out.splitlines():
        if line.startswith("{"):
            reading = json.loads(line)
            assert set(reading) == {"timestamp", "face", "reason", "probabilities", "valence",
                                    "arousal", "confidence", "mood", "event"}
    assert all(len(r.getMessage()) < 400 and "array(" not in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize("field", ["image", "crop", "face_image", "frame"])
def test_readings_and_events_carry_no_image(field):
    from moodplayer.vision.sensor import MoodReading
    from moodplayer.vision.smoothing import MoodEvent

    for cls in (MoodReading, MoodEvent):
        assert field not in cls.__dataclass_fields__
