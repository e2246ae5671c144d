"""Expression models: any ONNX classifier described by a model card, run with onnxruntime.

The card (JSON, beside the model as ``NAME.card.json``) declares the classes in output
order, the input (size, channels, normalisation, contrast equalisation), whether the
output is logits or probabilities, the landmark template faces are aligned to, and
whether to average with the mirrored face. A user can point the configuration at
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
from moodplayer.vision.preprocess import InputSpec, prepare_pixels, to_tensor

#: The project's own model, shipped in the package (:mod:`moodplayer.resources`).
DEFAULT_MODEL = model_file("moodplayer-fer.onnx")


@dataclass(frozen=True)
class ModelCard:
    """What the loader needs from a model card; ``extra`` keeps everything else."""

    classes: tuple[str, ...]
    spec: InputSpec
    output: str = "logits"
    template: tuple[tuple[float, float], ...] = FER_TEMPLATE
    flip_average: bool = False
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
                     raw)


class ExpressionModel:
    """An ONNX expression classifier and its card, loaded once, run per face."""

    def __init__(self, path: str | Path = DEFAULT_MODEL, card: str | Path | None = None,
                 threads: int = 1, providers: Sequence[str] = runtime.CPU,
                 flip_average: bool | None = None) -> None:
        self.path = Path(path)
        runtime.check_model_file(self.path, "expression", VisionError)
        self.card = read_card(Path(card) if card else card_path_for(self.path))
        self.classes = self.card.classes
        self.spec = self.card.spec
        self.flip_average = self.card.flip_average if flip_average is None else flip_average
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
        """Class probabilities (N x K) for prepared pixels (N x H x W[x C], uint8)."""
        batch = to_tensor(pixels, self.spec)
        probs = self._postprocess(self.infer(batch))
        if self.flip_average:
            probs = (probs + self._postprocess(self.infer(batch[..., ::-1].copy()))) / 2
        return probs

    def predict(self, face: np.ndarray) -> np.ndarray:
        """Class probabilities (K,) for one aligned face crop (gray or BGR, uint8)."""
        return self.predict_pixels(prepare_pixels(face, self.spec)[None])[0]
