"""The expression model loader: the project's model, a foreign model, and every bad file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from moodplayer.emotion import FER_CLASSES, point_of
from moodplayer.exceptions import VisionError
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel, card_path_for, read_card

AFFECTNET = ("neutral", "happy", "sad", "surprise", "fear", "disgust", "angry", "contempt")


def tiny_rgb_model(path: Path, classes: int = 8, size: int = 64) -> None:
    """An ONNX classifier of another shape: RGB 64x64, channel means through a dense layer."""
    weights = np.random.default_rng(1).normal(size=(3, classes)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
         helper.make_node("Flatten", ["pooled"], ["flat"]),
         helper.make_node("MatMul", ["flat", "w"], ["probs_raw"]),
         helper.make_node("Softmax", ["probs_raw"], ["probs"], axis=1)],
        "tiny", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 3, size, size])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["n", classes])],
        [numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def write_card(path: Path, **fields) -> Path:
    card = {"classes": list(AFFECTNET), "output": "probabilities",
            "input": {"size": 64, "channels": 3, "rgb": True, "mean": [0.5, 0.5, 0.5],
                      "std": [0.25, 0.25, 0.25]}}
    card.update(fields)
    target = card_path_for(path)
    target.write_text(json.dumps(card))
    return target


def test_the_project_model_reads_real_faces(model: ExpressionModel, fer_test: Path):
    """Reading real test faces of the classes the model is best at, most are right."""
    right = total = 0
    for label in ("happy", "surprise", "neutral"):
        for path in sorted((fer_test / label).glob("*.jpg"))[:20]:
            probs = model.predict(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
            assert probs.shape == (len(FER_CLASSES),)
            assert probs.sum() == pytest.approx(1.0, abs=1e-4)
            right += model.classes[int(probs.argmax())] == label
            total += 1
    assert right / total > 0.5, f"{right}/{total}"  # chance is 1/7


def test_the_card_documents_what_the_loader_needs():
    card = read_card(card_path_for(DEFAULT_MODEL)) if DEFAULT_MODEL.is_file() else None
    if card is None:
        pytest.skip("project model not exported yet")
    assert card.classes == FER_CLASSES
    for key in ("test", "sha256", "size_bytes", "latency_ms", "licence", "training"):
        assert key in card.extra
    test = card.extra["test"]
    assert len(test["confusion"]) == len(FER_CLASSES)
    assert sum(map(sum, test["confusion"])) == test["images"]


def test_a_foreign_8_class_rgb_model_loads_from_its_card(tmp_path: Path):
    path = tmp_path / "affectnet8.onnx"
    tiny_rgb_model(path)
    write_card(path)
    m = ExpressionModel(path)
    assert m.classes == AFFECTNET
    face = np.random.default_rng(0).integers(0, 255, (90, 90, 3), dtype=np.uint8)
    probs = m.predict(face)
    assert probs.shape == (8,) and probs.sum() == pytest.approx(1.0, abs=1e-4)
    point, confidence = point_of(probs, m.classes)
    assert -1 <= point.valence <= 1 and 0 <= confidence <= 1


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"classes": list(FER_CLASSES)}, "outputs but its card lists 7", id="classes"),
    pytest.param({"input": {"size": 48, "channels": 3}}, "does not match its card", id="size"),
    pytest.param({"input": {"size": 64, "channels": 1}}, "does not match its card",
                 id="channels"),
    pytest.param({"output": "scores"}, "output must be", id="output"),
    pytest.param({"classes": ["happy"]}, "at least two", id="one-class"),
])
def test_a_card_that_does_not_match_its_model_is_refused(tmp_path, change, message):
    path = tmp_path / "m.onnx"
    tiny_rgb_model(path)
    write_card(path, **change)
    with pytest.raises(VisionError, match=message) as err:
        ExpressionModel(path)
    assert str(path.parent) in str(err.value)


def test_missing_card_missing_model_and_corrupt_files(tmp_path: Path):
    path = tmp_path / "m.onnx"
    with pytest.raises(VisionError, match="not found"):
        ExpressionModel(path)
    tiny_rgb_model(path)
    with pytest.raises(VisionError, match="model card not found"):
        ExpressionModel(path)
    card_path_for(path).write_text("{broken")
    with pytest.raises(VisionError, match="not readable JSON"):
        ExpressionModel(path)
    card_path_for(path).write_text(json.dumps({"classes": ["a", "b"]}))
    with pytest.raises(VisionError, match="field missing or invalid"):
        ExpressionModel(path)
    write_card(path)
    path.write_bytes(b"\x08\x01garbage" * 100)
    with pytest.raises(VisionError, match="not a loadable ONNX model"):
        ExpressionModel(path)


def test_a_truncated_copy_of_the_project_model_is_refused(tmp_path: Path, model):
    copy = tmp_path / "moodplayer-fer.onnx"
    copy.write_bytes(model.path.read_bytes()[: model.path.stat().st_size // 3])
    shutil.copy(card_path_for(model.path), card_path_for(copy))
    with pytest.raises(VisionError, match=str(copy)):
        ExpressionModel(copy)
