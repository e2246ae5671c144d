"""``moodplayer watch``, ``calibrate``, ``eval-fer`` and ``fetch-model``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Literal, get_args

from moodplayer.exceptions import VisionError
from moodplayer.options import Number, number_argument
from moodplayer.vision.calibration import NeutralCalibration
from moodplayer.vision.detect import FACE_DETECTORS
from moodplayer.vision.sensor import MoodReading
from moodplayer.vision.settings import VisionSettings, build_sensor
from moodplayer.vision.smoothing import SmoothingSettings
from moodplayer.vision.weights import sha256_of

Flip = Literal["card", "on", "off"]
#: ``eval-fer --flip`` choices: as the model card says, always, never.
FLIPS: tuple[Flip, ...] = get_args(Flip)
#: What ``ExpressionModel(flip_average=...)`` gets for each.
FLIP_AVERAGE: dict[Flip, bool | None] = {"card": None, "on": True, "off": False}


def _source_options(parser: argparse.ArgumentParser) -> None:
    d = VisionSettings()
    parser.add_argument("--source", default=d.source,
                        help="camera index, /dev/videoN, video file or image folder "
                             f"(default {d.source})")
    parser.add_argument("--fps", type=number_argument(Number(0.2, 30)), default=d.fps,
                        help=f"frames sampled per second (default {d.fps:g})")
    parser.add_argument("--detector", choices=FACE_DETECTORS, default=d.detector,
                        help=f"face detector (default {d.detector})")
    parser.add_argument("--detector-path", default="", help="detector model file")
    parser.add_argument("--model", default="", help="expression model (.onnx with .card.json)")


def _settings(args: argparse.Namespace, **changes) -> VisionSettings:
    return dataclasses.replace(VisionSettings(), source=args.source, fps=args.fps,
                               detector=args.detector, detector_path=args.detector_path,
                               model_path=args.model, smoothing=args.smoothing, **changes)


def _line(r: MoodReading) -> str:
    mood = "absent" if r.absent else (r.mood or "-")
    if not r.face:
        text = f"{r.timestamp:9.2f}s  {r.reason:<24}  mood: {mood}"
    else:
        top = max(r.probabilities.items(), key=lambda kv: kv[1])
        text = (f"{r.timestamp:9.2f}s  {top[0]:>8} {top[1]:.2f}  V {r.point.valence:+.2f} "
                f"A {r.point.arousal:+.2f}  conf {r.confidence:.2f}  mood: {mood}")
    if r.event is not None:
        text += f"   <- now {r.event.mood or 'absent'}"
    return text


def watch(args: argparse.Namespace) -> int:
    """Print the mood stream (a line, or a JSON object, per sampled frame)."""
    sensor = build_sensor(_settings(args, calibration=not args.no_calibration))
    count = 0
    try:
        for reading in sensor:
            if not args.events_only or reading.event is not None:
                print(json.dumps(reading.as_dict()) if args.json else _line(reading),
                      flush=True)
            count += 1
            if args.frames and count >= args.frames:
                break
    except KeyboardInterrupt:
        pass
    finally:
        sensor.close()
    return 0


def calibrate(args: argparse.Namespace) -> int:
    """Look at the resting face for a few seconds and store the neutral bias."""
    sensor = build_sensor(_settings(args, calibration=False))
    samples, start = [], None
    print(f"Look at the camera with a relaxed, neutral face for {args.seconds:g} seconds...",
          file=sys.stderr)
    try:
        while (frame := sensor.source.read()) is not None:
            start = frame.timestamp if start is None else start
            probs, _ = sensor.reader.probabilities(frame.image)
            timestamp = frame.timestamp
            del frame
            if probs is not None:
                samples.append(probs)
            if timestamp - start >= args.seconds:
                break
    finally:
        sensor.close()
    if len(samples) < args.min_frames:
        raise VisionError(f"only {len(samples)} frames with a face (need {args.min_frames}); "
                          "face the camera in good light and try again")
    model = sensor.model
    calibration = NeutralCalibration.from_samples(samples, model.classes,
                                                  sha256_of(model.path))
    path = calibration.save()
    before = model.classes[int(sum(samples).argmax())]
    print(f"Calibrated on {len(samples)} frames (your resting face read as {before!r}); "
          f"saved to {path}")
    return 0


def eval_fer(args: argparse.Namespace) -> int:
    """Score an expression model on an image-folder data set."""
    from moodplayer.vision.evaluate import evaluate
    from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel

    model = ExpressionModel(args.model or DEFAULT_MODEL, flip_average=FLIP_AVERAGE[args.flip])
    result = evaluate(model, Path(args.dir))
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    print(f"{result.total} images, accuracy {result.accuracy:.2%}")
    width = max(len(c) for c in result.classes)
    print(" " * (width + 9) + " ".join(f"{c[:7]:>7}" for c in result.classes))
    for i, c in enumerate(result.classes):
        print(f"{c:>{width}} {result.recall[c]:6.3f}  "
              + " ".join(f"{v:7d}" for v in result.confusion[i]))
    print("(rows: true class, recall, then counts per predicted class)")
    return 0


def fetch_model(args: argparse.Namespace) -> int:
    """Download a model named in the manifest, verified by its sha256."""
    from moodplayer.vision.weights import download

    print(download(args.name))
    return 0


def add_commands(subparsers: argparse._SubParsersAction,
                 parents: list[argparse.ArgumentParser]) -> None:
    """Register the vision subcommands, each built on ``parents``.

    The defaults of ``--source``, ``--fps``, ``--detector``, ``--detector-path`` and
    ``--model`` are the configured ones where the caller reads a configuration.
    """
    p = subparsers.add_parser("watch", help="print the live mood stream from a camera or file",
                              parents=parents)
    _source_options(p)
    p.add_argument("--json", action="store_true", help="one JSON object per sampled frame")
    p.add_argument("--events-only", action="store_true", help="print mood changes only")
    p.add_argument("--frames", type=number_argument(Number(0, 1e9, integer=True)), default=0,
                   help="stop after N frames (0: never)")
    p.add_argument("--no-calibration", action="store_true",
                   help="ignore the stored neutral calibration")
    p.set_defaults(func=watch, smoothing=SmoothingSettings())
    p = subparsers.add_parser("calibrate", help="learn your neutral resting face",
                              parents=parents)
    _source_options(p)
    p.add_argument("--seconds", type=number_argument(Number(1, 600)), default=5.0,
                   help="how long to look (default 5)")
    p.add_argument("--min-frames", type=number_argument(Number(1, 1e6, integer=True)),
                   default=5,
                   help="frames with a face needed (default 5)")
    p.set_defaults(func=calibrate, smoothing=SmoothingSettings())
    p = subparsers.add_parser("eval-fer", help="score an expression model on DIR/CLASS/*.jpg",
                              parents=parents)
    p.add_argument("dir")
    p.add_argument("--model", default="", help="model (.onnx with .card.json)")
    p.add_argument("--flip", choices=FLIPS, default="card",
                   help="horizontal-flip averaging (default: as the card says)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=eval_fer)
    p = subparsers.add_parser("fetch-model", help="download a model from models/manifest.json",
                              parents=parents)
    p.add_argument("name", help="scrfd_500m or yunet")
    p.set_defaults(func=fetch_model)
