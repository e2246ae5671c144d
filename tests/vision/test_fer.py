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
from moodplayer.vision.preprocess import IDENTITY, prepare_pixels

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
    pytest.param({"test_time_views": "zoom"}, "test_time_views 'zoom'", id="views-text"),
    pytest.param({"test_time_views": []}, "expected a list of", id="views-none"),
    pytest.param({"test_time_views": [[1.0]]}, "expected a list of", id="views-pair"),
    pytest.param({"test_time_views": [[0.1, 0]]}, "zoom 0.5..2", id="views-zoom"),
    pytest.param({"test_time_views": [[1, 90]]}, "degrees -45..45", id="views-degrees"),
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


def test_the_card_s_views_are_each_read_and_averaged(model: ExpressionModel, fer_test: Path):
    """The shipped card reads every face through several views (and their mirror images):
    the reading is the mean of reading each view alone, in one batch of faces or one by one."""
    assert len(model.views) > 1 and IDENTITY in model.views and model.flip_average
    faces = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
             for p in sorted((fer_test / "sad").glob("*.jpg"))[:3]]
    pixels = np.stack([prepare_pixels(f, model.spec) for f in faces])
    alone = [ExpressionModel(model.path, views=[v]) for v in model.views]
    expected = np.mean([m.predict_pixels(pixels) for m in alone], axis=0)
    np.testing.assert_allclose(model.predict_pixels(pixels), expected, atol=1e-5)
    np.testing.assert_allclose(model.predict(faces[1]), expected[1], atol=1e-5)


def test_the_views_read_more_sad_faces_as_sad(model: ExpressionModel, shared_dir: Path):
    """On FER-2013's val sad faces (where the views were chosen), the card's views read
    more of them sad than the face alone does: the class the model was weakest on."""
    sad = shared_dir / "data" / "fer2013" / "val" / "sad"
    if not sad.is_dir():
        pytest.skip(f"{sad} is absent (FER-2013 is research data, not part of the project)")
    pixels = np.stack([prepare_pixels(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE), model.spec)
                       for p in sorted(sad.glob("*.jpg"))[:300]])
    index = model.classes.index("sad")
    alone = ExpressionModel(model.path, views=[IDENTITY]).predict_pixels(pixels)
    viewed = model.predict_pixels(pixels)
    read_sad = int((viewed.argmax(axis=1) == index).sum())
    read_sad_alone = int((alone.argmax(axis=1) == index).sum())
    assert read_sad > read_sad_alone, f"{read_sad} against {read_sad_alone} of {len(pixels)}"
