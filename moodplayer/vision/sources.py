"""Where frames come from: a camera (index or device path), a video file, a folder of images.

Every source hands out frames at a sampling rate (a few per second, not the camera's
30) with a timestamp in seconds. Frames live only in memory, one at a time.
A camera that is absent, busy or unplugged is waited for, with back-off, and the
stream resumes when it comes back; ``pause()`` releases the device.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from moodplayer.exceptions import VisionError
from moodplayer.vision.evaluate import IMAGE_SUFFIXES, read_image

log = logging.getLogger(__name__)

#: Frames per second sampled by default.
DEFAULT_FPS = 2.0


@dataclass(frozen=True, slots=True)
class Frame:
    """One sampled frame: BGR pixels, time in seconds (source time), running number."""

    image: np.ndarray
    timestamp: float
    index: int


class FrameSource(Protocol):
    """Anything that hands out sampled frames."""

    name: str

    def read(self) -> Frame | None:
        """The next sampled frame, or None when the stream has ended (or was stopped)."""
        ...

    def close(self) -> None:
        """Release whatever the source holds."""
        ...


def _check_fps(fps: float) -> float:
    if not fps > 0:
        raise VisionError(f"sampling rate must be a positive number of frames per second, "
                          f"got {fps!r}")
    return float(fps)


class CameraSource:
    """A camera by index (0) or device path (/dev/video0), sampled at ``fps``.

    ``read()`` blocks until a frame is due; while the camera is missing or busy it
    retries with back-off (``retry`` doubling up to ``max_retry`` seconds), logging
    once per outage. ``stop`` (an Event) ends the stream; ``pause()`` releases the
    device until ``resume()``.
    """

    def __init__(self, device: int | str, fps: float = DEFAULT_FPS, retry: float = 1.0,
                 max_retry: float = 30.0, stop: threading.Event | None = None,
                 size: tuple[int, int] | None = (640, 480)) -> None:
        self.device = device
        self.name = f"camera {device}"
        self.fps = _check_fps(fps)
        self.retry, self.max_retry = retry, max_retry
        self.stop = stop or threading.Event()
        self.size = size
        self._cap: cv2.VideoCapture | None = None
        self._running = threading.Event()
        self._running.set()
        self._index = 0
        self._next = 0.0
        self._outage = False
        self.reconnects = 0

    def _open(self) -> bool:
        cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            return False
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if self.size:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        self._cap = cap
        return True

    def _release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def pause(self) -> None:
        """Release the camera (its light goes off) until :meth:`resume`."""
        self._running.clear()
        self._release()

    def resume(self) -> None:
        """Take the camera again at the next :meth:`read`."""
        self._running.set()

    def read(self) -> Frame | None:
        """The next frame, waiting for the camera as long as it takes (None once stopped)."""
        delay = self.retry
        while not self.stop.is_set():
            if not self._running.is_set():
                self.stop.wait(0.2)
                continue
            if self._cap is None and not self._open():
                if not self._outage:
                    log.warning("%s is not available (absent or busy); waiting for it",
                                self.name)
                    self._outage = True
                self.stop.wait(delay)
                delay = min(delay * 2, self.max_retry)
                continue
            wait = self._next - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                break
            ok, image = self._cap.read() if self._cap is not None else (False, None)
            if not ok or image is None:
                log.warning("%s stopped giving frames (unplugged or taken?); waiting for it",
                            self.name)
                self._release()
                self._outage = True
                continue
            if self._outage:
                log.warning("%s is back", self.name)
                self._outage = False
                self.reconnects += 1
            now = time.monotonic()
            self._next = max(self._next + 1 / self.fps, now)
            self._index += 1
            return Frame(image, now, self._index - 1)
        self._release()
        return None

    def close(self) -> None:
        """Stop waiting and release the camera."""
        self.stop.set()
        self._release()


class VideoFileSource:
    """A video file sampled at ``fps`` of video time, read as fast as it decodes."""

    def __init__(self, path: str | Path, fps: float = DEFAULT_FPS) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.fps = _check_fps(fps)
        if not self.path.is_file():
            raise VisionError(f"{self.path}: video file not found")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise VisionError(f"{self.path}: not a readable video")
        rate = self._cap.get(cv2.CAP_PROP_FPS)
        self.video_fps = rate if rate and rate > 0 else 25.0
        self._step = max(1, round(self.video_fps / self.fps))
        self._frame = 0
        self._index = 0
        self._ended = False

    def read(self) -> Frame | None:
        """The next sampled frame, or None at the end (a decode error ends it, logged)."""
        if self._ended:
            return None
        while self._frame % self._step:
            if not self._cap.grab():
                return self._end()
            self._frame += 1
        ok, image = self._cap.read()
        if not ok or image is None:
            return self._end()
        frame = Frame(image, self._frame / self.video_fps, self._index)
        self._frame += 1
        self._index += 1
        return frame

    def _end(self) -> None:
        if self._index == 0:
            log.warning("%s: no frame could be decoded (corrupt or empty video)", self.path)
        self._ended = True
        self._cap.release()
        return None

    def close(self) -> None:
        """Release the file."""
        self._ended = True
        self._cap.release()


class ImageFolderSource:
    """The images of a folder in name order, one sample each, ``1/fps`` seconds apart."""

    def __init__(self, path: str | Path, fps: float = DEFAULT_FPS) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.fps = _check_fps(fps)
        if not self.path.is_dir():
            raise VisionError(f"{self.path}: not a folder")
        self._files = sorted(p for p in self.path.iterdir()
                             if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise VisionError(f"{self.path}: no images in the folder (expected "
                              f"{', '.join(IMAGE_SUFFIXES)})")
        self._pos = 0
        self._index = 0

    def read(self) -> Frame | None:
        """The next readable image (unreadable ones are logged and skipped), or None."""
        while self._pos < len(self._files):
            path = self._files[self._pos]
            self._pos += 1
            image = read_image(path)
            if image is None:
                continue
            if image.ndim == 2:
                image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
            frame = Frame(image, self._index / self.fps, self._index)
            self._index += 1
            return frame
        return None

    def close(self) -> None:
        """Nothing to release."""
        self._pos = len(self._files)


def open_source(spec: str | int, fps: float = DEFAULT_FPS,
                stop: threading.Event | None = None) -> FrameSource:
    """The source ``spec`` names: a camera index, a /dev path, a video file or a folder."""
    text = str(spec).strip()
    if text.isdigit():
        return CameraSource(int(text), fps, stop=stop)
    if text.startswith("/dev/"):
        return CameraSource(text, fps, stop=stop)
    path = Path(text).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, fps)
    if path.is_file():
        return VideoFileSource(path, fps)
    raise VisionError(f"{text!r}: not a camera index, a /dev/video device, a video file or "
                      "a folder of images")
