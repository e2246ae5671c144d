"""Image-folder data sets (``SPLIT/CLASS/NAME.jpg``) loaded once into arrays, with a cache."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from moodplayer.vision.evaluate import list_images, read_image
from moodplayer.vision.preprocess import InputSpec, prepare_pixels

log = logging.getLogger(__name__)


def load_split(root: Path, classes: Sequence[str], spec: InputSpec,
               cache_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Prepared pixels (N x H x W[x C], uint8) and labels (N, int64) of one split.

    Unreadable images are logged and skipped. With ``cache_dir`` the arrays are kept in
    an ``.npz`` keyed by the folder, its file list and the spec, so later runs load fast.
    """
    items = list_images(root, classes)
    key = hashlib.sha256(repr((str(root.resolve()), [str(p) for p, _ in items],
                               tuple(classes), asdict(spec))).encode()).hexdigest()[:16]
    cache = cache_dir / f"{root.name}-{key}.npz" if cache_dir else None
    if cache and cache.is_file():
        with np.load(cache) as z:
            return z["x"], z["y"]
    xs, ys = [], []
    for path, label in items:
        image = read_image(path)
        if image is None:
            continue
        xs.append(prepare_pixels(image, spec))
        ys.append(label)
    x, y = np.stack(xs), np.asarray(ys, dtype=np.int64)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, x=x, y=y)
        tmp.replace(cache)
    return x, y
