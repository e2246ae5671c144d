"""Scoring an expression model on an image-folder data set (``DIR/CLASS/NAME.jpg``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from moodplayer.exceptions import VisionError
from moodplayer.vision.fer import ExpressionModel
from moodplayer.vision.preprocess import prepare_pixels

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".webp")


def list_images(root: Path, classes: Sequence[str]) -> list[tuple[Path, int]]:
    """Every image under ``root/CLASS/`` with its class index, in a stable order.

    Class folders the model does not know are an error; missing ones are allowed.
    Raises VisionError naming the folder when nothing usable is there.
    """
    if not root.is_dir():
        raise VisionError(f"{root}: not a folder")
    unknown = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in classes)
    if unknown:
        raise VisionError(f"{root}: class folders {', '.join(unknown)} are not model classes "
                          f"({', '.join(classes)})")
    items = [(p, i) for i, name in enumerate(classes) if (root / name).is_dir()
             for p in sorted((root / name).iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
    if not items:
        raise VisionError(f"{root}: no images in class folders named after the model's "
                          f"classes ({', '.join(classes)})")
    return items


def read_image(path: Path) -> np.ndarray | None:
    """``path`` as a uint8 gray or BGR image, or None (logged) if unreadable."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None or image.dtype != np.uint8:
        log.warning("%s: not a readable 8-bit image, skipped", path)
        return None
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


@dataclass(frozen=True)
class EvalResult:
    """Accuracy, per-class recall and the confusion matrix (rows true, columns predicted)."""

    classes: tuple[str, ...]
    confusion: np.ndarray

    @property
    def total(self) -> int:
        """Number of images scored."""
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        """Share of images whose top class is the true one."""
        return float(np.trace(self.confusion) / max(self.total, 1))

    @property
    def recall(self) -> dict[str, float]:
        """Per class: share of its images predicted as it (NaN-free: 0 if none)."""
        rows = self.confusion.sum(axis=1)
        return {c: float(self.confusion[i, i] / rows[i]) if rows[i] else 0.0
                for i, c in enumerate(self.classes)}

    def as_dict(self) -> dict:
        """Plain data for JSON: accuracy, recall, confusion, images."""
        return {"images": self.total, "accuracy": round(self.accuracy, 4),
                "recall": {c: round(r, 4) for c, r in self.recall.items()},
                "classes": list(self.classes), "confusion": self.confusion.tolist()}


def evaluate(model: ExpressionModel, root: Path, batch: int = 256) -> EvalResult:
    """Score ``model`` on the face crops in ``root/CLASS/`` (images already framed as faces)."""
    items = list_images(root, model.classes)
    k = len(model.classes)
    confusion = np.zeros((k, k), dtype=np.int64)
    for start in range(0, len(items), batch):
        pixels, labels = [], []
        for path, label in items[start:start + batch]:
            image = read_image(path)
            if image is not None:
                pixels.append(prepare_pixels(image, model.spec))
                labels.append(label)
        if not pixels:
            continue
        predicted = model.predict_pixels(np.stack(pixels)).argmax(axis=1)
        np.add.at(confusion, (np.asarray(labels), predicted), 1)
    return EvalResult(tuple(model.classes), confusion)


def latency_ms(model: ExpressionModel, runs: int = 200) -> float:
    """Median milliseconds ``model`` takes for one face (preprocessed pixels in)."""
    pixels = np.random.default_rng(0).integers(0, 255, (1, model.spec.size, model.spec.size),
                                               dtype=np.uint8)
    for _ in range(10):
        model.predict_pixels(pixels)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        model.predict_pixels(pixels)
        times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1000
