"""The training code (the `train` extra): a tiny run, resume, export, and the exported model
agreeing with the trained network on the same preprocessed faces."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from moodplayer.emotion import FER_CLASSES
from moodplayer.vision.evaluate import list_images, read_image
from moodplayer.vision.fer import ExpressionModel, card_path_for
from moodplayer.vision.preprocess import prepare_pixels, to_tensor

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")
pytest.importorskip("onnx", reason="the train extra (onnx) is not installed")

from moodplayer.vision.train.export import export  # noqa: E402
from moodplayer.vision.train.fit import FitConfig, fit  # noqa: E402
from moodplayer.vision.train.net import VGGFace  # noqa: E402


@pytest.fixture(scope="module")
def tiny_set(fer_test: Path, tmp_path_factory) -> Path:
    """train/val/test folders with a few real faces per class."""
    root = tmp_path_factory.mktemp("tiny")
    for split in ("train", "val", "test"):
        for label in FER_CLASSES:
            (root / split / label).mkdir(parents=True)
            start = {"train": 0, "val": 6, "test": 9}[split]
            count = 6 if split == "train" else 3
            for p in sorted((fer_test / label).glob("*.jpg"))[start:start + count]:
                shutil.copy(p, root / split / label / p.name)
    return root


def test_fit_resume_export_and_the_onnx_model_matches_the_network(tiny_set, tmp_path):
    out = tmp_path / "run"
    cfg = FitConfig(data=str(tiny_set), out=str(out), epochs=1, batch=8, threads=1)
    fit(cfg)
    first = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in first] == [1]
    fit(FitConfig(**{**cfg.__dict__, "epochs": 2, "resume": True}))
    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2]
    assert records[1]["step"] > records[0]["step"]

    onnx_path = tmp_path / "models" / "tiny-fer.onnx"
    card = export(out / "best.pt", tiny_set, onnx_path, command="pytest", int8=False)
    assert card["test"]["images"] == 21 and len(card["test"]["confusion"]) == 7
    assert card["sha256"] and card_path_for(onnx_path).is_file()
    assert onnx_path.with_suffix(".md").read_text().count("|") > 50
    assert card["weights"] == "float32"
    assert sorted(p.name for p in onnx_path.parent.iterdir()) == [
        "tiny-fer.card.json", "tiny-fer.md", "tiny-fer.onnx"]

    # The exported model, through the inference path, gives what the network gives.
    state = torch.load(out / "best.pt", map_location="cpu", weights_only=False)
    net = VGGFace(7, widths=tuple(state["config"]["widths"]))
    net.load_state_dict(state["model"])
    net.eval()
    model = ExpressionModel(onnx_path, flip_average=False)
    images = [read_image(p) for p, _ in list_images(tiny_set / "test", FER_CLASSES)[:8]]
    pixels = np.stack([prepare_pixels(im, model.spec) for im in images])
    with torch.no_grad():
        expected = torch.softmax(net(torch.from_numpy(to_tensor(pixels, model.spec))), 1)
    np.testing.assert_allclose(model.predict_pixels(pixels), expected.numpy(), atol=1e-4)


def test_export_keeps_int8_only_within_a_point_on_val(tiny_set, tmp_path):
    out = tmp_path / "run"
    fit(FitConfig(data=str(tiny_set), out=str(out), epochs=1, batch=8, threads=1))
    onnx_path = tmp_path / "models" / "tiny-fer.onnx"
    card = export(out / "best.pt", tiny_set, onnx_path, command="pytest", int8=True)
    t = card["training"]
    best_val = max(t["val_accuracy"], t["val_accuracy_flip"])
    assert card["weights"] == ("int8" if t["val_accuracy_int8"] >= best_val - 0.01
                               else "float32")
    model = ExpressionModel(onnx_path)
    assert model.predict_pixels(np.zeros((2, 48, 48), np.uint8)).shape == (2, 7)
    assert sorted(p.name for p in onnx_path.parent.iterdir()) == [
        "tiny-fer.card.json", "tiny-fer.md", "tiny-fer.onnx"]
