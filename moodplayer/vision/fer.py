"""Expression models: any ONNX classifier described by a model card, run with onnxruntime.

The card (JSON, beside the model as ``NAME.card.json``) declares the classes in output
order, the input (size, channels, normalisation, contrast equalisation), whether the
output is logits or probabilities, the landmark template faces are aligned to, whether
to average with the mirrored face, and the test-time views (zoomed and turned copies of
the face) whose readings are averaged. A user can point the configuration at
another model with its own card (say an 8-class AffectNet model) without code changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from moodplayer import runtime
from moodplayer.exceptions import VisionError
from moodplayer.resources import model_file
from moodplayer.vision.align import FER_TEMPLATE
from moodplayer.vision.preprocess import (
    IDENTITY,
    InputSpec,
    View,
    prepare_pixels,
    to_tensor,
    view,
)

#: The project's own model, shipped in the package (:mod:`moodplayer.resources`).
DEFAULT_MODEL = model_file("moodplayer-fer.onnx")

#: The test-time views the training export tries on ``val`` (identity, zoomed in and out
#: by 7 %, turned 6 degrees either way: well inside the training augmentation's shifts,
#: zooms and rotations); a card that takes them reads each face five times (ten with
#: flip averaging) and averages (docs/benchmarks/vision-fer-accuracy.md).
STANDARD_VIEWS: tuple[View, ...] = (IDENTITY, (0.93, 0.0), (1.07, 0.0), (1.0, -6.0),
                                    (1.0, 6.0))
#: Zooms and rotations a card's ``test_time_views`` may ask for.
ZOOMS, DEGREES = (0.5, 2.0), (-45.0, 45.0)


@dataclass(frozen=True)
class ModelCard:
    """What the loader needs from a model card; ``extra`` keeps everything else."""

    classes: tuple[str, ...]
    spec: InputSpec
    output: str = "logits"
    template: tuple[tuple[float, float], ...] = FER_TEMPLATE
    flip_average: bool = False
    views: tuple[View, ...] = (IDENTITY,)
    extra: dict[str, Any] = field(default_factory=dict)


def card_path_for(model: Path) -> Path:
    """Where the card of ``model`` lives: ``NAME.card.json`` beside ``NAME.onnx``."""
    return model.with_name(model.stem + ".card.json")


def read_card(path: Path) -> ModelCard:
    """The card at ``path``; VisionError naming the file and the bad or missing field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VisionError(f"{path}: model card not found (every model needs one)") from exc
    except (OSError, ValueError) as exc:
        raise VisionError(f"{path}: model card is not readable JSON ({exc})") from exc
    try:
        classes = tuple(str(c) for c in raw["classes"])
        inp = raw["input"]
        spec = InputSpec(size=int(inp["size"]), channels=int(inp.get("channels", 1)),
                         clahe=bool(inp.get("clahe", False)),
                         clahe_clip=float(inp.get("clahe_clip", 2.0)),
                         clahe_grid=int(inp.get("clahe_grid", 4)),
                         mean=tuple(float(v) for v in inp.get("mean", [0.0])),
                         std=tuple(float(v) for v in inp.get("std", [1.0])),
                         rgb=bool(inp.get("rgb", False)),
                         resize=str(inp.get("resize", "area")))
        output = str(raw.get("output", "logits"))
        template = tuple((float(x), float(y))
                         for x, y in raw.get("alignment", {}).get("template", FER_TEMPLATE))
    except (KeyError, TypeError, ValueError) as exc:
        raise VisionError(f"{path}: model card field missing or invalid ({exc}); expected "
                          "classes and input.size at least") from exc
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise VisionError(f"{path}: model card needs at least two distinct classes")
    if output not in ("logits", "probabilities"):
        raise VisionError(f"{path}: output must be 'logits' or 'probabilities', got {output!r}")
    if len(template) != 5:
        raise VisionError(f"{path}: alignment template needs 5 points, got {len(template)}")
    return ModelCard(classes, spec, output, template, bool(raw.get("flip_average", False)),
                     _views(path, raw.get("test_time_views", [list(IDENTITY)])), raw)


def _views(path: Path, raw: object) -> tuple[View, ...]:
    """A card's ``test_time_views``: a non-empty list of [zoom, degrees] pairs in range."""
    expected = (f"expected a list of [zoom, degrees] pairs, zoom {ZOOMS[0]:g}..{ZOOMS[1]:g}, "
                f"degrees {DEGREES[0]:g}..{DEGREES[1]:g}")
    if not isinstance(raw, list):
        raise VisionError(f"{path}: test_time_views {raw!r}: {expected}")
    try:
        views = tuple((float(zoom), float(degrees)) for zoom, degrees in raw)
    except (TypeError, ValueError) as exc:
        raise VisionError(f"{path}: test_time_views {raw!r}: {expected}") from exc
    if not views or not all(ZOOMS[0] <= z <= ZOOMS[1] and DEGREES[0] <= d <= DEGREES[1]
                            for z, d in views):
        raise VisionError(f"{path}: test_time_views {raw!r}: {expected}")
    return views


class ExpressionModel:
    """An ONNX expression classifier and its card, loaded once, run per face."""

    def __init__(self, path: str | Path = DEFAULT_MODEL, card: str | Path | None = None,
                 threads: int = 1, providers: Sequence[str] = runtime.CPU,
                 flip_average: bool | None = None,
                 views: Sequence[View] | None = None) -> None:
        self.path = Path(path)
        runtime.check_model_file(self.path, "expression", VisionError)
        self.card = read_card(Path(card) if card else card_path_for(self.path))
        self.classes = self.card.classes
        self.spec = self.card.spec
        self.flip_average = self.card.flip_average if flip_average is None else flip_average
        self.views = self.card.views if views is None else tuple(views)
        self._session = runtime.inference_session(self.path, "expression", VisionError,
                                                  threads, providers)
        self.session_input = self._session.get_inputs()[0].name
        self._check_against_card()

    def _check_against_card(self) -> None:
        shape = self._session.get_inputs()[0].shape
        want = [self.spec.channels, self.spec.size, self.spec.size]
        if len(shape) != 4 or any(isinstance(d, int) and d != w
                                  for d, w in zip(shape[1:], want, strict=True)):
            raise VisionError(f"{self.path}: model input {shape} does not match its card "
                              f"(N x {want[0]} x {want[1]} x {want[2]})")
        blank = np.zeros((self.spec.size, self.spec.size) + (
            () if self.spec.channels == 1 else (3,)), np.uint8)
        try:
            out = self.infer(to_tensor(blank, self.spec))
        except Exception as exc:
            raise VisionError(f"{self.path}: model failed on a test input ({exc})") from exc
        if out.shape != (1, len(self.classes)):
            raise VisionError(f"{self.path}: model gives {out.shape[-1]} outputs but its card "
                              f"lists {len(self.classes)} classes")

    def infer(self, batch: np.ndarray) -> np.ndarray:
        """Raw model output for a float32 NCHW batch."""
        out = self._session.run(None, {self.session_input: batch})[0]
        return np.asarray(out, dtype=np.float32)

    def _postprocess(self, out: np.ndarray) -> np.ndarray:
        if self.card.output == "logits":
            out = np.exp(out - out.max(axis=1, keepdims=True))
        return out / np.clip(out.sum(axis=1, keepdims=True), 1e-12, None)

    def predict_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """Class probabilities (N x K) for prepared pixels (N x H x W[x C], uint8): the
        mean over the model's views of each face (and their mirror images with flip
        averaging), all run as one batch."""
        batch = np.concatenate([to_tensor(np.stack([view(p, *v) for p in pixels]), self.spec)
                                for v in self.views])
        if self.flip_average:
            batch = np.concatenate([batch, batch[..., ::-1]])
        probs = self._postprocess(self.infer(np.ascontiguousarray(batch)))
        return probs.reshape(-1, len(pixels), probs.shape[1]).mean(axis=0)

    def predict(self, face: np.ndarray) -> np.ndarray:
        """Class probabilities (K,) for one aligned face crop (gray or BGR, uint8)."""
        return self.predict_pixels(prepare_pixels(face, self.spec)[None])[0]
