"""The vision part's configuration (keys, defaults, validation) and building a sensor from it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from moodplayer.exceptions import ConfigError
from moodplayer.vision.calibration import NeutralCalibration
from moodplayer.vision.detect import DETECTORS, make_detector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel
from moodplayer.vision.sensor import MoodSensor
from moodplayer.vision.smoothing import MoodEvent, MoodSmoother, SmoothingSettings
from moodplayer.vision.sources import DEFAULT_FPS, open_source
from moodplayer.vision.weights import sha256_of


@dataclass(frozen=True)
class VisionSettings:
    """Every vision key with its default (see docs/readme/vision.md)."""

    source: str = "0"
    fps: float = DEFAULT_FPS
    detector: str = "scrfd"
    detector_path: str = ""
    model_path: str = ""
    threads: int = 1
    calibration: bool = True
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], prefix: str = "vision") -> VisionSettings:
        """Settings from a config mapping; ConfigError names the bad key and what was expected."""
        known = {f.name: f for f in fields(cls)}
        smooth_known = {f.name for f in fields(SmoothingSettings)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            name = f"{prefix}.{key}"
            if key not in known:
                raise ConfigError(f"{name}: unknown key (expected one of {', '.join(known)})")
            if key == "smoothing":
                if not isinstance(value, Mapping) or set(value) - smooth_known:
                    raise ConfigError(f"{name}: expected a mapping with keys from "
                                      f"{', '.join(sorted(smooth_known))}")
                try:
                    values[key] = SmoothingSettings(**{k: float(v) for k, v in value.items()})
                except (TypeError, ValueError) as exc:
                    raise ConfigError(f"{name}: {exc}") from exc
                continue
            values[key] = _typed(name, key, value)
        return cls(**values)


def _typed(name: str, key: str, value: Any) -> Any:
    if key == "fps":
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigError(f"{name}: expected a positive number of frames per second, "
                              f"got {value!r}")
        return float(value)
    if key == "threads":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name}: expected a whole number >= 1, got {value!r}")
        return value
    if key == "calibration":
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: expected yes or no, got {value!r}")
        return value
    if key == "detector" and value not in DETECTORS:
        raise ConfigError(f"{name}: expected one of {', '.join(DETECTORS)}, got {value!r}")
    if not isinstance(value, str | int):
        raise ConfigError(f"{name}: expected text, got {value!r}")
    return str(value)


def build_sensor(settings: VisionSettings, stop: threading.Event | None = None,
                 on_change: Callable[[MoodEvent], None] | None = None) -> MoodSensor:
    """A ready MoodSensor for ``settings`` (VisionError if a part cannot be loaded)."""
    detector = make_detector(settings.detector, settings.detector_path or None,
                             threads=settings.threads)
    model_path = settings.model_path or DEFAULT_MODEL
    model = ExpressionModel(model_path, threads=settings.threads)
    calibration = (NeutralCalibration.load(model.classes, sha256_of(model.path))
                   if settings.calibration else None)
    smoother = MoodSmoother(model.classes, settings.smoothing, calibration)
    source = open_source(settings.source, settings.fps, stop=stop)
    return MoodSensor(source, detector, model, smoother, on_change=on_change)
