"""How fast the smoother follows faces, simulated on real readings of FER-2013 faces.

    .venv/bin/python bench/vision_follow.py [--split val] [--sets 80] \\
        [--sensitivity normal] [--seed 0]

Each face of the split is placed on a 640x480 frame twice (as `bench/loop.py` places
them: scaled up, moved a little) and read by the real pipeline (SCRFD, main face,
alignment, the shipped expression model as its card reads faces); the readings are
cached under ``~/.cache/moodplayer/vision/``, keyed on the model, its card and the
detector. They are then fed to the agent's smoother
(``MoodSmoother`` with the sensitivity's preset) as `bench/loop.py`'s video shows them:
``--sets`` runs of the loop's expression sequence (45 s segments, four random faces of
the expression per segment taking turns every 2 s, read at 2 frames per second).

Reported per expression: the share of its segments followed within the dwell + 3 s
(segment start to the announced mood into the expression's region; segments already in
it at the start are left out), the median time to follow, the share of the segment's
time from 10 s on spent in the expression's region, and mood changes per segment. This
is the evidence to tune the smoother on (``val``); `bench/loop.py` runs FER-2013 `test`
faces through the whole agent.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

import cv2
import numpy as np
from agent_soak import place
from loop import EXPRESSIONS, SHARED, fits

from moodplayer import paths
from moodplayer.agent.config import SENSITIVITY_PRESETS
from moodplayer.vision.detect import ScrfdDetector
from moodplayer.vision.fer import DEFAULT_MODEL, ExpressionModel, card_path_for
from moodplayer.vision.sensor import FaceReader
from moodplayer.vision.smoothing import MoodSmoother, SmoothingSettings

#: Placements read per face (the loop's video moves each face a little every frame).
PLACEMENTS = 2
FPS = 2.0


def readings(data: Path, detector: Path, split: str) -> dict[str, np.ndarray]:
    """Per expression, the probabilities (faces, PLACEMENTS, classes) of the split's faces
    the detector finds on every placement; cached on the model, detector and split."""
    model = Path(DEFAULT_MODEL)
    key = hashlib.sha256(model.read_bytes() + card_path_for(model).read_bytes()
                         + detector.read_bytes()
                         + f"{split}\0{PLACEMENTS}".encode()).hexdigest()[:20]
    cached = paths.cache_dir() / "vision" / f"follow-{split}-{key}.npz"
    if cached.is_file():
        with np.load(cached) as stored:
            return {e: stored[e] for e in stored.files}
    reader = FaceReader(ScrfdDetector(detector), ExpressionModel())
    rng = np.random.default_rng(0)
    out = {}
    for expression in EXPRESSIONS:
        faces = []
        for file in sorted((data / split / expression).glob("*.jpg")):
            face = cv2.imread(str(file), cv2.IMREAD_GRAYSCALE)
            probs = []
            for _ in range(PLACEMENTS):
                reader.tracker.reset()
                p, _ = reader.probabilities(place(face, rng))
                probs.append(p)
            if all(p is not None for p in probs):
                faces.append(np.stack(probs))
        out[expression] = np.stack(faces)
        print(f"read {len(faces)} {split} {expression} faces", file=sys.stderr, flush=True)
    buffer = io.BytesIO()
    np.savez(buffer, **out)
    paths.write_private(cached, buffer.getvalue())
    return out


def run_sequence(smoother: MoodSmoother, sets: dict[str, np.ndarray], segment: float,
                 hold: float, rng: np.random.Generator) -> list[tuple[float, str]]:
    """Feed one run of the sequence; returns every announced (time, mood)."""
    events = []
    per_face = round(hold * FPS)
    for k, expression in enumerate(EXPRESSIONS):
        faces = sets[expression]
        for i in range(round(segment * FPS)):
            face = faces[(i // per_face) % len(faces)]
            t = k * segment + i / FPS
            event = smoother.update(face[rng.integers(len(face))], t)
            if event is not None:
                events.append((t, event.mood or "absent"))
    return events


def mood_at(events: list[tuple[float, str]], t: float) -> str | None:
    """The announced mood at ``t``."""
    current = None
    for ts, mood in events:
        if ts > t:
            break
        current = mood
    return current


def simulate(read: dict[str, np.ndarray], classes: tuple[str, ...],
             settings: SmoothingSettings, runs: int, seed: int, segment: float = 45.0,
             hold: float = 2.0, faces: int = 4, count_from: float = 10.0) -> dict:
    """Per expression: follow times (None: not within the segment; segments already in
    the region left out), time shares in the region, and changes per segment."""
    rng = np.random.default_rng(seed)
    follow = {e: [] for e in EXPRESSIONS}
    share = {e: [] for e in EXPRESSIONS}
    changes = {e: [] for e in EXPRESSIONS}
    for _ in range(runs):
        sets = {e: read[e][rng.choice(len(read[e]), faces, replace=False)]
                for e in EXPRESSIONS}
        events = run_sequence(MoodSmoother(classes, settings), sets, segment, hold, rng)
        for k, e in enumerate(EXPRESSIONS):
            start, end = k * segment, (k + 1) * segment
            inside = [(t, m) for t, m in events if start <= t < end]
            changes[e].append(len(inside))
            steps = np.arange(start + count_from, end, 0.5)
            share[e].append(np.mean([fits(e, mood_at(events, t)) for t in steps]))
            if fits(e, mood_at(events, start)):
                continue
            hit = next((t for t, m in inside if fits(e, m)), None)
            follow[e].append(None if hit is None else hit - start)
    return {"follow": follow, "share": share, "changes": changes}


def report(result: dict, dwell: float) -> None:
    """Print one line per expression and the totals."""
    print(f"{'expression':10s} {'within':>8s} {'median':>7s} {'in region':>9s} "
          f"{'changes':>7s}")
    within_all, to_all = 0, 0
    for e in EXPRESSIONS:
        times = result["follow"][e]
        ok = sum(t is not None and t <= dwell + 3 for t in times)
        within_all, to_all = within_all + ok, to_all + len(times)
        reached = sorted(t for t in times if t is not None)
        median = f"{np.median(reached):.1f} s" if reached else "-"
        print(f"{e:10s} {ok:3d}/{len(times):<4d} {median:>7s} "
              f"{100 * np.mean(result['share'][e]):8.0f}% "
              f"{np.mean(result['changes'][e]):7.2f}")
    print(f"followed within dwell {dwell:g} s + 3 s: {within_all} of {to_all} segments "
          f"({100 * within_all / max(1, to_all):.0f} %)")


def main() -> int:
    """Read the split (cached), simulate, print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="val", choices=("train", "val", "test"))
    ap.add_argument("--sets", type=int, default=80, help="runs of the expression sequence")
    ap.add_argument("--sensitivity", default="normal", choices=list(SENSITIVITY_PRESETS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fer", type=Path, default=SHARED / "data" / "fer2013")
    ap.add_argument("--detector", type=Path, default=SHARED / "models" / "scrfd_500m.onnx")
    args = ap.parse_args()
    preset = SENSITIVITY_PRESETS[args.sensitivity]
    settings = SmoothingSettings(half_life=preset.half_life_s,
                                 min_confidence=preset.min_confidence, dwell=preset.dwell_s,
                                 absent_after=30.0)
    read = readings(args.fer, args.detector, args.split)
    classes = ExpressionModel().classes
    print(f"{args.split}: " + ", ".join(f"{e} {len(v)}" for e, v in read.items())
          + f" faces; {args.sets} runs, {args.sensitivity}")
    report(simulate(read, classes, settings, args.sets, args.seed), preset.dwell_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
