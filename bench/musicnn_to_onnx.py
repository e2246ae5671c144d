"""Convert musicnn's MSD/MTT MusiCNN (TensorFlow checkpoints in its PyPI wheel) to ONNX.

musicnn 0.1.0 (Jordi Pons, ISC licence) ships its trained weights inside the wheel. This
script rebuilds the network with musicnn's own ``models.define_model`` in inference
mode, restores the checkpoint, freezes it and writes ONNX with tf2onnx: one input
``melspec`` (patches, 187 frames, 96 log-mel bands) and two outputs, ``tags`` (the 50 tag
probabilities) and ``embedding`` (the 200-unit penultimate layer). It checks the ONNX
file against TensorFlow on the same input and writes a card beside it (``.card.json``
and ``.md``: source, licence, check, size, sha256). TensorFlow is needed only here, in
a scratch environment, never by moodplayer:

    python3 -m venv /tmp/tfenv
    /tmp/tfenv/bin/pip install tensorflow-cpu==2.15.1 tf2onnx==1.17.0 'numpy<2' onnxruntime
    pip download musicnn==0.1.0 --no-deps -d /tmp/mn && unzip -o -q \\
        /tmp/mn/musicnn-0.1.0-py3-none-any.whl -d /tmp/mn/w
    /tmp/tfenv/bin/python bench/musicnn_to_onnx.py /tmp/mn/w MSD_musicnn models/musicnn-msd.onnx
    /tmp/tfenv/bin/python bench/musicnn_to_onnx.py /tmp/mn/w MTT_musicnn models/musicnn-mtt.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

FRAMES, BANDS, CLASSES = 187, 96, 50
WHEEL = "musicnn-0.1.0-py3-none-any.whl"
TRAINED_ON = {"MSD_musicnn": "the Million Song Dataset's 50 most common Last.fm tags",
              "MTT_musicnn": "MagnaTagATune's 50 most common tags"}


def _rename(model, names: dict[str, str]) -> None:
    """Give the graph's input and outputs plain names (``melspec``, ``tags``, ``embedding``)."""
    for node in model.graph.node:
        node.input[:] = [names.get(n, n) for n in node.input]
        node.output[:] = [names.get(n, n) for n in node.output]
    for value in (*model.graph.input, *model.graph.output):
        value.name = names.get(value.name, value.name)


def write_card(out: Path, wheel: Path, name: str, errors: dict[str, float]) -> None:
    """``<stem>.card.json`` and ``<stem>.md`` beside ``out``."""
    raw = out.read_bytes()
    licence = (wheel / "musicnn-0.1.0.dist-info" / "LICENSE.md").read_text().strip()
    result = (wheel / "musicnn" / name / "experiment.result").read_text().strip()
    card = {
        "name": out.stem, "file": out.name, "source": f"musicnn 0.1.0 ({WHEEL}), {name}",
        "architecture": "musicnn: musically motivated CNN front end (timbral and temporal "
                        "filters), dense mid end, max+mean temporal pooling, dense 200, "
                        f"dense {CLASSES} sigmoid",
        "trained_on": TRAINED_ON[name], "author_result": result,
        "input": {"name": "melspec", "shape": ["patches", FRAMES, BANDS],
                  "front_end": "16 kHz mono, 512-point periodic Hann, hop 256, 96 Slaney mel "
                               "bands, power 2, log10(1 + 10000 x) (librosa 0.7 defaults)"},
        "outputs": {"tags": f"{CLASSES} tag probabilities",
                    "embedding": "200 units before the last layer"},
        "conversion": {"command": f"python bench/musicnn_to_onnx.py WHEEL_DIR {name} {out}",
                       "max_abs_difference_from_tensorflow": errors},
        "licence": "ISC (Music Technology Group, Universitat Pompeu Fabra 2019): "
                   "compatible with AGPL-3.0; the notice is in the .md card",
        "size_bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
    }
    out.with_suffix(".card.json").write_text(json.dumps(card, indent=2) + "\n")
    out.with_suffix(".md").write_text(f"""# {out.stem}

musicnn's `{name}` network (Pons & Serra, "musicnn: pre-trained convolutional neural
networks for music audio tagging", ISMIR LBD 2019), converted from the TensorFlow
checkpoint inside `{WHEEL}` on PyPI to ONNX by `bench/musicnn_to_onnx.py`; unchanged
weights. Trained by its authors on {TRAINED_ON[name]}; their result:
{result.replace(chr(10), ", ")}.
moodplayer's music model reads its tag probabilities (`moodplayer/music/musicnn.py`).

Input `melspec` (patches, {FRAMES}, {BANDS}): {card["input"]["front_end"]}. Outputs `tags`
({CLASSES} probabilities) and `embedding` (200). Largest difference from TensorFlow on the
same input: {", ".join(f"{k} {v:.1e}" for k, v in errors.items())}. File `{out.name}`:
{len(raw)} bytes, sha256 `{card["sha256"]}`.

Licence of the weights (ISC, as shipped in the wheel):

> {licence.replace(chr(10) + chr(10), chr(10) + ">" + chr(10) + "> ")}
""")


def convert(wheel: Path, name: str, out: Path) -> None:
    """Write ``out`` (ONNX) from musicnn checkpoint ``name`` unpacked under ``wheel``."""
    sys.path.insert(0, str(wheel))
    import tensorflow as tf
    import tf2onnx
    from musicnn import models

    tf.compat.v1.disable_eager_execution()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, FRAMES, BANDS], name="melspec")
        logits, *_, penultimate = models.define_model(x, False, name, CLASSES)
        tf.identity(tf.nn.sigmoid(logits), name="tags")
        tf.identity(penultimate, name="embedding")
        session = tf.compat.v1.Session(graph=graph)
        tf.compat.v1.train.Saver().restore(session, str(wheel / "musicnn" / name) + "/")
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            session, graph.as_graph_def(), ["tags", "embedding"])
        probe = np.log10(1 + 10000 * np.random.default_rng(0).gamma(
            0.5, 0.01, (3, FRAMES, BANDS))).astype(np.float32)
        want = session.run(["tags:0", "embedding:0"], {x: probe})
    import onnx
    import onnxruntime as ort

    model, _ = tf2onnx.convert.from_graph_def(frozen, input_names=["melspec:0"],
                                              output_names=["tags:0", "embedding:0"],
                                              opset=17)
    _rename(model, {"melspec:0": "melspec", "tags:0": "tags", "embedding:0": "embedding"})
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(
        ["tags", "embedding"], {"melspec": probe})
    errors = {}
    for label, a, b in zip(("tags", "embedding"), want, got, strict=True):
        errors[label] = float(np.max(np.abs(a - b)))
        print(f"{label}: max |tf - onnx| = {errors[label]:.2e}")
        if errors[label] > 1e-3:
            raise SystemExit(f"{out}: ONNX output differs from TensorFlow's ({label})")
    write_card(out, wheel, name, errors)


def main(argv: list[str] | None = None) -> int:
    """Command line: wheel folder, checkpoint name, output file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="folder the musicnn wheel was unpacked into")
    ap.add_argument("name", choices=("MSD_musicnn", "MTT_musicnn"))
    ap.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    convert(args.wheel, args.name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
