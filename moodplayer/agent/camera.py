"""The camera as a mood source for the agent: the vision pipeline on a worker thread.

The camera (or its stand-in: a video file or a folder of images, looped and paced in
real time like a camera) is opened by ``start`` and released by ``stop``; frames are read
on a worker thread, so the GLib main loop never blocks on the device. Only mood events
and reading times cross to the main loop (through ``GLib.idle_add``); the frames stay on
the worker thread and are dropped after each reading.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from gi.repository import GLib

from moodplayer.agent.config import AgentConfig
from moodplayer.exceptions import VisionError
from moodplayer.recommend import MoodEstimate
from moodplayer.vision.sensor import MoodSensor
from moodplayer.vision.settings import VisionPipeline, VisionSettings
from moodplayer.vision.smoothing import MoodEvent, SmoothingSettings
from moodplayer.vision.sources import Frame, FrameSource, open_source

log = logging.getLogger(__name__)


class PacedSource:
    """A frame source that behaves like a camera: real-time pacing, monotonic timestamps.

    Video files and image folders are read as fast as they decode and end; here they
    are sampled at ``fps`` of wall time and start over at the end, so a recording
    stands in for a webcam. Cameras pass through (they pace themselves).
    """

    def __init__(self, spec: str, fps: float, stop: threading.Event, *, gap: float = 0.0,
                 on_gap: Callable[[float], None] | None = None) -> None:
        self.spec, self.fps, self.stop = spec, fps, stop
        self.gap, self.on_gap = gap, on_gap
        self._last = 0.0
        self.name = spec
        self._inner: FrameSource | None = open_source(spec, fps, stop=stop)
        self._file = Path(spec).expanduser().exists() and not spec.startswith("/dev/")
        self._next = time.monotonic()
        self._gone = False

    def read(self) -> Frame | None:
        """The next frame, paced at ``fps``; None once stopped.

        After an outage longer than ``gap`` seconds, ``on_gap`` is told when the gap
        began to count, before the frame is handed out.
        """
        frame = self._read()
        if frame is not None:
            if self.on_gap is not None and self._last and frame.timestamp - self._last > self.gap:
                self.on_gap(self._last + self.gap)
            self._last = frame.timestamp
        return frame

    def _read(self) -> Frame | None:
        if not self._file:
            return self._inner.read()
        wait = self._next - time.monotonic()
        if wait > 0 and self.stop.wait(wait):
            return None
        self._next = max(self._next + 1.0 / self.fps, time.monotonic())
        frame = self._inner.read() if self._inner is not None else None
        while frame is None and not self.stop.is_set():
            frame = self._reopen()
        if frame is None:
            return None
        return Frame(frame.image, time.monotonic(), frame.index)

    def _reopen(self) -> Frame | None:
        """Start the recording over; while it is gone, wait for it like for a camera."""
        if self._inner is not None:
            self._inner.close()
            self._inner = None
        try:
            self._inner = open_source(self.spec, self.fps, stop=self.stop)
        except VisionError as exc:
            if not self._gone:
                log.warning("camera stand-in gone (%s); waiting for it", exc)
                self._gone = True
            self.stop.wait(1.0)
            return None
        if self._gone:
            log.warning("camera stand-in %s is back", self.spec)
            self._gone = False
        frame = self._inner.read()
        if frame is None:  # opens but gives nothing: don't spin
            self.stop.wait(1.0)
        return frame

    def close(self) -> None:
        """Release the device or file."""
        if self._inner is not None:
            self._inner.close()


def _estimate(event: MoodEvent) -> MoodEstimate | None:
    if event.mood is None or event.point is None:
        return None
    return MoodEstimate(event.point, event.mood, event.confidence)


def vision_settings(config: AgentConfig, spec: str | None = None) -> VisionSettings:
    """The vision pipeline the agent's configuration asks for (``spec``: another source)."""
    preset = config.preset
    return VisionSettings(
        source=spec or config.camera, fps=config.fps, detector=config.face_detector,
        detector_path=str(config.detector or ""), model_path=str(config.model or ""),
        smoothing=SmoothingSettings(half_life=preset.half_life_s,
                                    min_confidence=preset.min_confidence,
                                    dwell=preset.dwell_s, absent_after=config.absent_after))


class CameraMood:
    """Mood source: camera -> vision pipeline -> mood events on the main loop."""

    name = "camera"

    def __init__(self, config: AgentConfig, spec: str | None = None) -> None:
        self.settings = vision_settings(config, spec)
        self.spec = self.settings.source
        self.fps = self.settings.fps
        self.absent_after = config.absent_after
        # Loaded once: the detector and model stay in memory while the camera is released.
        self.pipeline = VisionPipeline.load(self.settings)
        #: When the last frame was read, or sensing last started (``time.monotonic()``).
        self.last_reading = time.monotonic()
        self.frames = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._emit: Callable[[MoodEstimate | None], None] | None = None

    @property
    def open(self) -> bool:
        """True while the camera is held."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, emit: Callable[[MoodEstimate | None], None]) -> None:
        """Open the camera and report mood changes to ``emit`` (None: absent)."""
        self._emit = emit
        if self.open:
            return
        self._stop = threading.Event()
        # Silence is counted from now: not from the machine's start, nor an earlier run.
        self.last_reading = time.monotonic()
        try:
            # After an outage the smoother hears "no face" first, so the face that
            # comes back is announced again (the agent had declared the mood absent).
            source = PacedSource(self.spec, self.fps, self._stop, gap=self.absent_after,
                                 on_gap=lambda ts: self.pipeline.smoother.update(None, ts))
        except VisionError as exc:
            log.warning("camera: %s; sensing waits", exc)
            return
        sensor = self.pipeline.sensor(source)
        self._thread = threading.Thread(target=self._work, args=(sensor, self._stop),
                                        name="camera", daemon=True)
        self._thread.start()
        log.debug("camera %s: sensing started", self.spec)

    def _work(self, sensor: MoodSensor, stop: threading.Event) -> None:
        opened = False
        try:
            while not stop.is_set():
                reading = sensor.read()
                if reading is None:
                    break
                if not opened:  # said once a frame came, not when the device was asked for
                    opened = True
                    log.info("camera %s opened", self.spec)
                self.frames += 1
                self.last_reading = time.monotonic()
                if reading.event is not None:
                    GLib.idle_add(self._deliver, reading.event)
        except Exception:
            log.exception("camera pipeline failed; sensing stops until the next start")
        finally:
            sensor.close()

    def _deliver(self, event: MoodEvent) -> bool:
        if self._emit is not None:
            self._emit(_estimate(event))
        return False

    def stop(self) -> None:
        """Release the camera (waits for the worker to let go of it)."""
        self._emit = None
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=5)
            self._thread = None
            log.info("camera released")

    def close(self) -> None:
        """Release everything."""
        self.stop()
