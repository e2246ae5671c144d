"""Per-frame cost of the vision pipeline at 640x480 on one CPU thread, against the
detector alone (the anchor), and the CPU share that means at the sampling rate.

    .venv/bin/python bench/vision_cost.py [--detector-path ../shared/models/scrfd_500m.onnx]

The frame holds one real face (a FER-2013 test image scaled to 200 pixels, about a
webcam user at arm's length). Stages: detection (SCRFD at its default 640 input, or
YuNet), alignment (main-face choice and the 5-point warp), FER (preprocessing and the
model), and the whole FaceReader call. Times are medians of wall time; the CPU share
uses process time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from moodplayer.vision.align import align_face
from moodplayer.vision.detect import ScrfdDetector, YuNetDetector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel
from moodplayer.vision.sensor import FaceReader

SHARED = Path(__file__).resolve().parents[2] / "shared"


def timed(fn, runs: int) -> tuple[float, float]:
    """(median wall ms, mean process-time ms) of ``fn()`` over ``runs`` calls."""
    for _ in range(5):
        fn()
    walls, cpu0 = [], time.process_time()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
    return float(np.median(walls)) * 1000, (time.process_time() - cpu0) / runs * 1000


def frame_with_face(data: Path) -> np.ndarray:
    """A 640x480 frame with one real FER-2013 face, 200 pixels high, near the middle."""
    face = cv2.imread(str(sorted((data / "test" / "happy").glob("*.jpg"))[0]),
                      cv2.IMREAD_GRAYSCALE)
    frame = np.full((480, 640, 3), 90, np.uint8)
    big = cv2.resize(face, (200, 200), interpolation=cv2.INTER_CUBIC)
    frame[140:340, 220:420] = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    return frame


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detector-path", type=Path, default=SHARED / "models" /
                        "scrfd_500m.onnx")
    parser.add_argument("--yunet-path", type=Path, default=SHARED / "models" /
                        "face_detection_yunet_2026may.onnx")
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "fer2013")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    frame = frame_with_face(args.data)
    model = ExpressionModel(args.model, threads=1)
    print(f"one thread, 640x480 frame, one face; model {args.model.name} "
          f"(flip averaging {'on' if model.flip_average else 'off'})\n")
    print(f"{'detector':<8} {'detect':>8} {'align':>8} {'fer':>8} {'total':>8} "
          f"{'x detect':>9} {'cpu@2fps':>9} {'cpu@4fps':>9}")
    for name, detector in (("scrfd", ScrfdDetector(args.detector_path, threads=1)),
                           ("yunet", YuNetDetector(args.yunet_path))):
        faces = detector.detect(frame)
        if not faces:
            print(f"{name}: no face found in the test frame", file=sys.stderr)
            return 1
        reader = FaceReader(detector, model)
        crop = align_face(frame, faces[0].landmarks, model.spec.size, model.card.template)
        det, _ = timed(lambda d=detector: d.detect(frame), args.runs)
        ali, _ = timed(lambda r=reader, f=faces: align_face(
            frame, r.tracker.choose(f).landmarks, model.spec.size, model.card.template),
            args.runs)
        fer, _ = timed(lambda c=crop: model.predict(c), args.runs)
        total, cpu = timed(lambda r=reader: r.probabilities(frame), args.runs)
        print(f"{name:<8} {det:7.2f}ms {ali:7.2f}ms {fer:7.2f}ms {total:7.2f}ms "
              f"{total / det:9.2f} {cpu * 2 / 10:8.2f}% {cpu * 4 / 10:8.2f}%")
    print("\n(x detect: whole pipeline over detection alone; cpu@N fps: share of one core "
          "at N sampled frames per second, from process time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
