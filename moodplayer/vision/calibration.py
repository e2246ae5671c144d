"""Per-user neutral calibration: a resting face that the model misreads stops being misread.

``moodplayer calibrate`` averages the model's output over a few seconds of the user's
resting face and stores per-class log weights that map that average onto a reference
"mostly neutral" distribution. The weights are applied to every later reading of the
same model (checked by its sha256). Only numbers are stored, never images.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from moodplayer import paths
from moodplayer.exceptions import VisionError

if TYPE_CHECKING:
    from moodplayer.vision.fer import ExpressionModel

log = logging.getLogger(__name__)

#: Share of the reference distribution given to "neutral" for a resting face.
NEUTRAL_SHARE = 0.6
#: Largest correction per class, in natural-log units (a factor of about 20).
MAX_WEIGHT = 3.0


def calibration_path() -> Path:
    """``data_dir()/vision/calibration.json``."""
    return paths.data_dir() / "vision" / "calibration.json"


@dataclass(frozen=True)
class NeutralCalibration:
    """Per-class log weights for one model (identified by its sha256)."""

    classes: tuple[str, ...]
    log_weights: tuple[float, ...]
    model_sha256: str = ""
    samples: int = 0

    @classmethod
    def from_samples(cls, samples: Sequence[np.ndarray], classes: Sequence[str],
                     model_sha256: str = "") -> NeutralCalibration:
        """The weights that map the mean of ``samples`` (resting-face outputs) to neutral."""
        if not len(samples):
            raise VisionError("no face was seen during calibration: look at the camera and "
                              "try again")
        mean = np.clip(np.mean(np.asarray(samples, dtype=np.float64), axis=0), 1e-4, None)
        k = len(classes)
        if "neutral" in classes:
            reference = np.full(k, (1 - NEUTRAL_SHARE) / (k - 1))
            reference[list(classes).index("neutral")] = NEUTRAL_SHARE
        else:
            reference = np.full(k, 1.0 / k)
        weights = np.clip(np.log(reference) - np.log(mean / mean.sum()), -MAX_WEIGHT,
                          MAX_WEIGHT)
        return cls(tuple(classes), tuple(float(w) for w in weights), model_sha256,
                   len(samples))

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """``probabilities`` reweighted and renormalised."""
        p = np.asarray(probabilities, dtype=np.float64) * np.exp(self.log_weights)
        return p / p.sum()

    def save(self, path: Path | None = None) -> Path:
        """Write the weights as JSON (atomically, owner-only) to ``path`` or
        :func:`calibration_path`."""
        return paths.write_private(path or calibration_path(), json.dumps({
            "classes": list(self.classes), "log_weights": [round(w, 5) for w in self.log_weights],
            "model_sha256": self.model_sha256, "samples": self.samples,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2))

    @classmethod
    def for_model(cls, model: ExpressionModel) -> NeutralCalibration | None:
        """The stored calibration made with ``model`` (same classes and sha256), or None."""
        from moodplayer.vision.weights import sha256_of

        return cls.load(model.classes, sha256_of(model.path))

    @classmethod
    def load(cls, classes: Sequence[str], model_sha256: str = "",
             path: Path | None = None) -> NeutralCalibration | None:
        """The stored calibration for this model, or None (logged) if absent or not usable."""
        path = path or calibration_path()
        if not path.is_file():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            found = cls(tuple(raw["classes"]), tuple(float(w) for w in raw["log_weights"]),
                        str(raw.get("model_sha256", "")), int(raw.get("samples", 0)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: calibration not readable (%s); ignored", path, exc)
            return None
        if found.classes != tuple(classes) or len(found.log_weights) != len(classes):
            log.warning("%s: calibration is for classes %s, not this model's; ignored",
                        path, ", ".join(found.classes))
            return None
        if model_sha256 and found.model_sha256 and found.model_sha256 != model_sha256:
            log.warning("%s: calibration was made with another model; run `moodplayer "
                        "calibrate` again. Ignored", path)
            return None
        return found
