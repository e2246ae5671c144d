"""End to end: a video of real faces whose expression changes, through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from moodplayer.agent.config import SENSITIVITY_PRESETS
from moodplayer.vision.sensor import MoodSensor
from moodplayer.vision.smoothing import MoodSmoother, SmoothingSettings
from moodplayer.vision.sources import ImageFolderSource, VideoFileSource

from .conftest import STORY, place


def run(video: Path, picker, settings: SmoothingSettings):
    sensor = MoodSensor(VideoFileSource(video, fps=4), picker.detector, picker.model,
                        MoodSmoother(picker.model.classes, settings))
    readings = list(sensor)
    sensor.close()
    return readings


def test_the_mood_follows_the_face_after_the_dwell_without_flicker(mood_video, picker):
    settings = SmoothingSettings()
    readings = run(mood_video, picker, settings)
    events = [(r.event.timestamp, r.event.mood or "absent") for r in readings if r.event]
    assert [m for _, m in events] == ["neutral", "happy", "absent", "neutral"], events
    starts = {"happy": STORY[1][0], "absent": STORY[2][0], "neutral2": STORY[3][0]}
    happy_at, absent_at, back_at = events[1][0], events[2][0], events[3][0]
    # Announced no sooner than the dwell (or the absence delay) allows, and not much later.
    assert starts["happy"] + settings.dwell <= happy_at <= starts["happy"] + settings.dwell + 4
    assert starts["absent"] + settings.absent_after - 0.5 <= absent_at \
        <= starts["absent"] + settings.absent_after + 1
    assert starts["neutral2"] + settings.dwell <= back_at
    # Frame by frame: faces are seen while shown, and "absent" is never "neutral".
    for r in readings:
        shown = next(what for start, end, what in STORY if start <= r.timestamp < end)
        assert r.face == (shown is not None), r.timestamp
        if r.absent:
            assert r.mood is None


def test_a_longer_dwell_announces_later(mood_video, picker):
    short = run(mood_video, picker, SmoothingSettings(dwell=1.0))
    long = run(mood_video, picker, SmoothingSettings(dwell=3.0))

    def happy_time(readings):
        return next(r.timestamp for r in readings if r.event and r.event.mood == "happy")

    assert happy_time(short) < happy_time(long)


#: The ``normal`` sensitivity's smoothing, as the agent ships it.
NORMAL = SmoothingSettings(half_life=SENSITIVITY_PRESETS["normal"].half_life_s,
                           min_confidence=SENSITIVITY_PRESETS["normal"].min_confidence,
                           dwell=SENSITIVITY_PRESETS["normal"].dwell_s)


def take_turns(picker, before: list, after: list, change_at: float):
    """Readings of people taking turns every 2 s, ``before`` until ``change_at`` and
    ``after`` for 30 s more, fed at 2 frames/s to a ``NORMAL`` smoother; returns every
    announced (frame time, mood)."""
    fps = 2.0
    stream = [before[(i // 4) % len(before)] for i in range(int(change_at * fps))]
    stream += [after[(i // 4) % len(after)] for i in range(int(30 * fps))]
    smoother = MoodSmoother(picker.model.classes, NORMAL)
    return [(i / fps, e.mood) for i, p in enumerate(stream)
            if (e := smoother.update(p, i / fps)) is not None]


def test_sad_faces_are_followed_within_the_dwell_plus_3_s(picker):
    """Eight FER-2013 sad faces (the first ones the detector finds, whatever the model makes
    of them), two seconds each in turn after happy ones, at 2 frames/s with the ``normal``
    sensitivity: sad is announced no sooner than the dwell and within the dwell + 3 s of
    the change (frame times; it took 22 s, or never came, before issue 17)."""
    happy = [picker.read(place(face)) for face in picker.faces("happy", 4, mood="happy")]
    settings, change_at = NORMAL, 20.0
    events = take_turns(picker, happy, picker.readings("sad", 8), change_at)
    assert [m for _, m in events] == ["happy", "sad"], events
    assert change_at + settings.dwell <= events[1][0] <= change_at + settings.dwell + 3


def test_surprised_faces_are_followed_to_q1_within_the_dwell_plus_3_s(picker):
    """Eight FER-2013 surprise faces (the first ones the detector finds, whatever the model
    makes of them), two seconds each in turn after tense ones, at 2 frames/s with the
    ``normal`` sensitivity: happy or energetic (the Q1 music surprise means) is announced
    no sooner than the dwell and within the dwell + 3 s of the change (frame times)."""
    tense = [picker.read(place(face)) for face in picker.faces("fear", 4, mood="tense")]
    settings, change_at = NORMAL, 20.0
    events = take_turns(picker, tense, picker.readings("surprise", 8), change_at)
    assert events and events[0][1] == "tense", events
    later = [(t, m) for t, m in events if t >= change_at]
    assert later and later[0][1] in ("happy", "energetic"), events
    assert change_at + settings.dwell <= later[0][0] <= change_at + settings.dwell + 3


def test_dark_frames_and_no_face_are_not_a_mood(tmp_path: Path, picker):
    face = picker.faces("happy", 1)[0]
    dark = (place(face) * 0.03).astype(np.uint8)
    for i in range(30):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), dark if i % 2 else np.zeros_like(dark))
    sensor = MoodSensor(ImageFolderSource(tmp_path, fps=4), picker.detector, picker.model)
    readings = list(sensor)
    assert {r.reason for r in readings} == {"too dark"}
    assert all(r.probabilities is None and r.point is None for r in readings)
    events = [r.event for r in readings if r.event]
    assert len(events) == 1 and events[0].absent and events[0].mood is None
