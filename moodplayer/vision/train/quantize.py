"""An int8 copy of an expression model (onnxruntime static quantization, QDQ, per channel).

Calibrated on faces from a validation folder (never the test split), prepared exactly
as inference prepares them. The card is copied beside the new model with a note.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from moodplayer.vision.evaluate import list_images, read_image
from moodplayer.vision.fer import ExpressionModel, card_path_for
from moodplayer.vision.preprocess import prepare_pixels, to_tensor


class _Faces:
    """onnxruntime CalibrationDataReader over prepared face batches."""

    def __init__(self, model: ExpressionModel, folder: Path, count: int) -> None:
        items = list_images(folder, model.classes)
        pick = np.random.default_rng(0).permutation(len(items))[:count]
        images = [read_image(items[i][0]) for i in pick]
        pixels = np.stack([prepare_pixels(im, model.spec) for im in images if im is not None])
        self._batches = iter([{model.session_input: to_tensor(pixels[i:i + 32], model.spec)}
                              for i in range(0, len(pixels), 32)])

    def get_next(self) -> dict | None:
        """The next calibration batch, or None when all were given."""
        return next(self._batches, None)


def quantize_int8(source: Path, target: Path, calibration: Path, count: int = 500) -> Path:
    """Write an int8 version of ``source`` to ``target`` (with its card); returns ``target``."""
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    model = ExpressionModel(source)
    prepared = target.with_suffix(".pre.onnx")
    quant_pre_process(str(source), str(prepared))
    quantize_static(str(prepared), str(target), _Faces(model, calibration, count),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    prepared.unlink()
    card = json.loads(card_path_for(source).read_text(encoding="utf-8"))
    card["name"] = target.stem
    card["quantized"] = (f"int8 (onnxruntime static QDQ, per-channel weights), calibrated on "
                         f"{count} faces from {calibration.name}; measured numbers of the "
                         "float model do not apply")
    for key in ("test", "sha256", "size_bytes", "latency_ms"):
        card.pop(key, None)
    card_path_for(target).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return target
