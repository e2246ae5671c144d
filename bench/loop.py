"""The whole loop as a user lives it: faces and music nobody here labelled, through
`moodplayer run`, a real headless mpv, and the tracks it queues.

    .venv/bin/python bench/loop.py [--segment 45] [--speed 2] [--fold 0] \\
        [--expressions happy,sad,angry,surprise,fear,neutral,disgust] [--out DIR]

- Faces: a camera stand-in video of FER-2013 `test` faces (`../shared/data/fer2013`), one
  segment of ``--segment`` seconds per expression, ``--faces`` different people per
  segment taking turns every ``--hold`` seconds, each 48 px face upscaled onto a 640x480
  frame. Faces are drawn at random (seeded) among those the face detector finds on the
  frame; what the expression model makes of them plays no part in the choice.
- Music: one artist-grouped fold of `../shared/data/mer4q` (``moodplayer.music.train``'s
  split: grouped by artist, stratified by quadrant, same seed) is held out; a music model
  is trained on the other folds with the project's own training code (``train.fit``),
  and the held-out clips are imported into a throwaway beets library and annotated by
  `beet moodtag --no-lastfm` with that model (``moodtag.model``).
- The agent: `moodplayer run --source VIDEO --grant-consent` with the configured
  sensitivity (default ``normal``, as shipped), the ``match`` policy, against a real
  headless mpv (mpv-mpris) on a private session bus, played at ``--speed``.

Reported in one run: end-to-end match (the share of the agent's picks, counted from
``--count-from`` seconds into each segment, whose listeners' quadrant is the one the
``match`` policy means for the face's true expression: happy, surprise Q1; angry, fear,
disgust Q2; sad Q3), music precision (picks in the quadrant of the mood the agent read),
the time from each segment's start to the agent's mood change into the expression's
quadrant, and picks per segment. Anchors in the same run: random picks from the same
library (the expected share, from its quadrant counts) and the published prototype's
78 % agreement with people's own moods. Neutral faces mean the neutral region, which is
in no quadrant: their segments are reported apart (the share of the counted time the
agent read neutral, and the quadrants of the picks) and left out of both shares.

Needs ``../shared`` (FER-2013, mer4q, the SCRFD weights) and the ``train`` extra. The
mer4q features are cached (``moodplayer.music.dataset``); a cold cache costs about 10
minutes of extraction first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml
from agent_soak import VIDEO_FPS, place
from beets.library import Library

from moodplayer import paths
from moodplayer.agent.config import SENSITIVITY_PRESETS
from moodplayer.agent.demo import PrivateSession, demo_env, write_beets_config
from moodplayer.agent.store import Decision, MoodSample, StateStore
from moodplayer.emotion import quadrant_of_mood, read_face
from moodplayer.music.analyze import ANALYSIS_VERSION
from moodplayer.music.dataset import Clip, extract, load_labels, load_ratings
from moodplayer.music.model import FEATURES, QUADRANTS
from moodplayer.music.train import (
    SELECTED,
    VERSION,
    fit,
    labelled,
    model_document,
    quadrant_split,
    usable,
)
from moodplayer.testing import tone
from moodplayer.vision.detect import ScrfdDetector
from moodplayer.vision.fer import ExpressionModel
from moodplayer.vision.sensor import FaceReader

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXPRESSIONS = ("happy", "sad", "angry", "surprise", "fear", "neutral", "disgust")
#: The listeners' quadrant the ``match`` policy means for each expression (issue 17);
#: neutral means the neutral region, in no quadrant.
EXPRESSION_QUADRANT = {"happy": "Q1", "surprise": "Q1", "angry": "Q2", "fear": "Q2",
                       "disgust": "Q2", "sad": "Q3", "neutral": None}
#: Agreement of a published university prototype's picks with people's own moods.
PROTOTYPE = 0.78


# -- music ------------------------------------------------------------------------------

def held_out_music(data: Path, ratings: Path | None, fold: int, folds: int, seed: int,
                   jobs: int) -> tuple[list[Clip], Path]:
    """Train the bench's music model as the shipped one is trained (quadrant clips and,
    with ``ratings``, rated clips) but without the quadrant clips of ``fold``; the model is
    kept in the feature cache and reused when the same features, fold and seed made one
    before. Returns the held-out clips and the model file."""
    cols = [FEATURES.index(n) for n in SELECTED]
    clips = load_labels(data)
    x, kept = usable(extract(data, clips, jobs), clips)
    rated_all = load_ratings(ratings) if ratings else []
    x_rated, rated = (usable(extract(ratings, rated_all, jobs), rated_all) if rated_all
                      else (np.zeros((0, len(FEATURES))), []))
    x, x_rated = x[:, cols], x_rated[:, cols]
    train, test = quadrant_split(kept, folds, seed)[fold]
    held = [kept[i] for i in test]
    key = hashlib.sha256(f"{VERSION}\0{SELECTED}\0{fold}/{folds}/{seed}\0".encode()
                         + x.tobytes() + x_rated.tobytes()
                         + "\0".join(c.file for c in (*kept, *rated)).encode())
    cached = paths.cache_dir() / "music" / f"bench-loop-model-{key.hexdigest()[:20]}.json"
    how = f"reused from {cached}"
    if not cached.is_file():
        started = time.monotonic()
        fitted = fit(labelled(x[train], [kept[i] for i in train], x_rated, rated), seed)
        paths.write_private(cached, json.dumps(model_document(fitted, SELECTED)))
        how = f"trained in {time.monotonic() - started:.0f} s (decay {fitted.alpha:g})"
    print(f"music: fold {fold + 1} of {folds} held out ({len(held)} clips, "
          f"{len({c.artist for c in held})} artists); model of the other {len(train)} "
          f"quadrant clips and {len(rated)} rated clips {how}", flush=True)
    return held, cached


def annotated(root: Path) -> set[str]:
    """The files of the work dir's beets library that `beet moodtag` annotated."""
    if not (root / "library.db").is_file():
        return set()
    lib = Library(str(root / "library.db"))
    return {str(item.filepath) for item in lib.items(f"moodtag_version:{ANALYSIS_VERSION}")}


def beets_library(root: Path, detector: Path, model: Path, data: Path, held: list[Clip],
                  args: argparse.Namespace) -> Path:
    """A throwaway beets library of the held-out clips, annotated by `beet moodtag` with
    the bench's model (``model``, copied into ``root``); returns its config (with the
    agent's section). A work dir (``--out``) whose library was annotated with the same
    model and clips by an earlier run is used as it is."""
    files = {str((data / c.file).resolve()): c for c in held}
    copy = root / "bench-music-model.json"
    reuse = copy.is_file() and copy.read_bytes() == model.read_bytes() \
        and annotated(root) == set(files)
    config = write_beets_config(root, detector=detector)
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    doc["import"]["duplicate_action"] = "keep"  # the clips carry no tags: all look alike
    doc["moodtag"]["model"] = str(copy)
    doc["moodplayer"].update(sensitivity=args.sensitivity, policy="match", fps=args.fps,
                             notifications=False)
    config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    if reuse:
        print(f"library: the {len(files)} clips annotated in {root} by an earlier run with "
              "this model", flush=True)
        return config
    (root / "library.db").unlink(missing_ok=True)
    shutil.copyfile(model, copy)
    (root / "music").mkdir(exist_ok=True)
    env = demo_env(root)
    beet = str(Path(sys.executable).with_name("beet"))
    started = time.monotonic()
    beet_run(beet, config, env, "import", "-s", *files)
    # Tag them as a user's library would be: the artist, and the clip's id as its title.
    lib = Library(str(root / "library.db"), str(root / "music"))
    with lib.transaction():
        for item in lib.items():
            clip = files[str(Path(item.filepath).resolve())]
            item.artist, item.title = clip.artist, Path(clip.file).stem
            item.store()
    beet_run(beet, config, env, "moodtag", "--no-lastfm", "-j", str(args.jobs))
    done = annotated(root)
    if done != set(files):
        raise SystemExit(f"only {len(done)} of {len(files)} clips were imported and annotated")
    print(f"library: {len(files)} clips imported and annotated by `beet moodtag` in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    return config


def beet_run(beet: str, config: Path, env: dict[str, str], *command: str) -> None:
    """Run ``beet`` with the bench's config; exit naming the command if it fails."""
    done = subprocess.run([beet, "-c", str(config), *command], env=env, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`beet {command[0]}` failed: {done.stderr.strip()[-300:]}")


# -- faces ------------------------------------------------------------------------------

def detectable_faces(data: Path, detector: ScrfdDetector, expression: str, count: int,
                     rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
    """``count`` random FER-2013 test faces of ``expression`` that the detector finds on a
    placed frame, and how many drawn faces it missed."""
    files = sorted((data / "test" / expression).glob("*.jpg"))
    found, missed = [], 0
    for i in rng.permutation(len(files)):
        face = cv2.imread(str(files[i]), cv2.IMREAD_GRAYSCALE)
        if face is None:
            continue
        if detector.detect(place(face, rng)):
            found.append(face)
            if len(found) == count:
                return found, missed
        else:
            missed += 1
    raise SystemExit(f"{data / 'test' / expression}: fewer than {count} faces the detector "
                     "finds")


def camera_video(path: Path, data: Path, detector: Path, args: argparse.Namespace
                 ) -> tuple[int, dict[str, list[str]]]:
    """Write the stand-in video (one segment per expression); returns the faces missed,
    and per expression what the pipeline reads in each chosen face (one frame each: what
    the smoothing has to work with; no part in the choice)."""
    rng = np.random.default_rng(args.seed)
    finder = ScrfdDetector(detector)
    reader = FaceReader(finder, ExpressionModel())
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), VIDEO_FPS,
                             (640, 480))
    missed, read = 0, {}
    still = np.random.default_rng(0)  # the readings' own frames: the video's draws stay
    per_face = max(1, round(args.hold * VIDEO_FPS))
    for expression in args.expressions:
        faces, lost = detectable_faces(data, finder, expression, args.faces, rng)
        missed += lost
        read[expression] = []
        for face in faces:
            reader.tracker.reset()
            probs = reader.probabilities(place(face, still))[0]
            read[expression].append("-" if probs is None else
                                    read_face(probs, reader.model.classes)[0])
        for i in range(round(args.segment * VIDEO_FPS)):
            writer.write(place(faces[(i // per_face) % len(faces)], rng))
    writer.release()
    return missed, read


# -- the run ----------------------------------------------------------------------------

def set_speed(sock: Path, speed: float) -> None:
    """Set mpv's playback speed over its JSON IPC socket."""
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(sock))
        client.sendall(json.dumps({"command": ["set_property", "speed", speed]}).encode()
                       + b"\n")
        client.recv(4096)


def camera_opened(log: Path) -> float:
    """When the agent read its first frame (epoch seconds), from its log."""
    for line in log.read_text(encoding="utf-8").splitlines():
        if " camera " in line and line.endswith(" opened"):
            stamp = line[:23]
            return time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + \
                int(stamp[20:23]) / 1000
    raise SystemExit(f"{log}: the agent never opened the camera stand-in")


def run_agent(root: Path, config: Path, video: Path, seconds: float, speed: float
              ) -> tuple[list[MoodSample], list[Decision], float]:
    """`moodplayer run` on the video against a headless mpv; (moods, decisions, t0)."""
    env = demo_env(root)
    log = root / "agent.log"
    shutil.rmtree(root / "data", ignore_errors=True)  # no state or learning from a run before
    # The user's own pick plays when the agent starts (an idle mpv would not start on the
    # agent's queue: `run --play` sends MPRIS Play, which an idle mpv ignores).
    first = tone(root / "your-own-track.ogg", 60.0, 330)
    with PrivateSession(root, env, first) as session:
        set_speed(session.socket, speed)
        with log.open("w", encoding="utf-8") as out:
            status = subprocess.run(
                [str(Path(sys.executable).with_name("moodplayer")), "-v", "run", "--config",
                 str(config), "--grant-consent", "--source", str(video), "--duration",
                 f"{seconds:g}"], env=env, stdout=out, stderr=subprocess.STDOUT,
                check=False).returncode
    if status != 0:
        raise SystemExit(f"the agent stopped with exit status {status} (log: {log})")
    with StateStore(root / "data" / "moodplayer" / "agent.sqlite3") as store:
        return store.moods(), store.decisions(), camera_opened(log)


# -- figures ----------------------------------------------------------------------------

@dataclass
class Segment:
    """What the agent did while one expression was shown."""

    expression: str
    start: float  # seconds after the camera opened
    picks: int  # queued during the segment
    counted: list[tuple[str, str]]  # (pick's quadrant, mood read) from count_from on
    follow: float | None  # seconds to the mood change into the expression's region
    followed_to: str
    moods: list[str]  # the agent's mood changes in the segment, "mood@seconds"
    neutral_share: float | None = None  # neutral segments: share of counted time read neutral


def mood_at(moods: list[MoodSample], ts: float) -> str | None:
    """The agent's mood at ``ts`` (None before the first)."""
    current = None
    for m in moods:
        if m.ts > ts:
            break
        current = m.mood
    return current


def fits(expression: str, mood: str | None) -> bool:
    """Whether the agent's mood is in the region the ``match`` policy means for it."""
    want = EXPRESSION_QUADRANT[expression]
    if want is None:
        return mood == "neutral"
    return mood is not None and quadrant_of_mood(mood) == want


def segments(moods: list[MoodSample], decisions: list[Decision], t0: float,
             quadrant: dict[str, str], args: argparse.Namespace) -> list[Segment]:
    """One :class:`Segment` per expression shown."""
    out = []
    for k, expression in enumerate(args.expressions):
        start, end = t0 + k * args.segment, t0 + (k + 1) * args.segment
        inside = [d for d in decisions if start <= d.ts < end]
        counted = [(quadrant.get(str(Path(d.path).resolve()), "?"), d.mood) for d in inside
                   if d.ts >= start + args.count_from]
        changes = [m for m in moods if start <= m.ts < end]
        follow, to = None, ""
        if fits(expression, mood_at(moods, start)):
            follow, to = 0.0, mood_at(moods, start) or ""
        else:
            hit = next((m for m in changes if fits(expression, m.mood)), None)
            if hit is not None:
                follow, to = hit.ts - start, hit.mood
        share = None
        if EXPRESSION_QUADRANT[expression] is None:
            steps = np.arange(start + args.count_from, end, 0.5)
            share = float(np.mean([mood_at(moods, t) == "neutral" for t in steps]))
        out.append(Segment(expression, start - t0, len(inside), counted, follow, to,
                           [f"{m.mood}@{m.ts - start:.1f}" for m in changes], share))
    return out


def report(segs: list[Segment], library: dict[str, int], dwell: float,
           args: argparse.Namespace) -> dict:
    """Print the figures against their anchors; returns them as plain data."""
    total = sum(library.values())
    share = {q: library.get(q, 0) / total for q in QUADRANTS}
    match, precise, rand_match, rand_precise = [], [], [], []
    for s in segs:
        want = EXPRESSION_QUADRANT[s.expression]
        for pick, read in s.counted:
            if want is not None:
                match.append(pick == want)
                rand_match.append(share[want])
            read_q = quadrant_of_mood(read)
            if read_q is not None:
                precise.append(pick == read_q)
                rand_precise.append(share[read_q])

    def pct(values: list) -> str:
        return f"{100 * np.mean(values):.0f} %" if values else "n/a"

    print(f"\nlibrary: {total} held-out clips, " + ", ".join(
        f"{q} {library.get(q, 0)}" for q in QUADRANTS))
    print(f"\n{'expression':10s} {'quadrant':8s} {'follow':>8s}  {'to':9s} {'picks':>5s} "
          f"{'counted':>7s} {'in quadrant':>11s}  moods read")
    for s in segs:
        want = EXPRESSION_QUADRANT[s.expression]
        hits = sum(p == want for p, _ in s.counted) if want else None
        follow = "-" if s.follow is None else "already" if s.follow == 0 \
            else f"{s.follow:.1f} s"
        extra = f"  (neutral read {100 * s.neutral_share:.0f} % of the time)" \
            if s.neutral_share is not None else ""
        print(f"{s.expression:10s} {want or 'none':8s} {follow:>8s}  {s.followed_to:9s} "
              f"{s.picks:5d} {len(s.counted):7d} "
              f"{('-' if hits is None else f'{hits}/{len(s.counted)}'):>11s}  "
              f"{', '.join(s.moods) or '(none)'}{extra}")
    changed = [s for s in segs if s.follow != 0.0]  # "already": nothing to follow
    within = [s for s in changed if s.follow is not None and s.follow <= dwell + 3]
    e2e = float(np.mean(match)) if match else float("nan")
    print(f"\nend-to-end match: {pct(match)} of {len(match)} picks in the face's quadrant "
          f"(random picks from the same library: {pct(rand_match)}; ratio "
          f"{e2e / np.mean(rand_match) if rand_match else float('nan'):.2f}x; the published "
          f"prototype: {100 * PROTOTYPE:.0f} %, ratio {e2e / PROTOTYPE:.2f})")
    print(f"music precision: {pct(precise)} of {len(precise)} picks in the quadrant of the "
          f"mood the agent read (random: {pct(rand_precise)})")
    print(f"followed within dwell {dwell:g} s + 3 s: {len(within)} of {len(changed)} "
          f"expressions (those already in their region at the start left out); "
          f"picks per segment: median "
          f"{statistics.median(s.picks for s in segs):g} "
          f"(counted from {args.count_from:g} s: median "
          f"{statistics.median(len(s.counted) for s in segs):g})")
    for s in segs:
        if s.neutral_share is not None:
            quads = [p for p, _ in s.counted]
            print(f"neutral segment: the agent read neutral {100 * s.neutral_share:.0f} % of "
                  f"the counted time; its {len(quads)} picks: "
                  + ", ".join(f"{q} {quads.count(q)}" for q in QUADRANTS))
    return {"segments": [asdict(s) for s in segs], "library": library,
            "end_to_end_match": e2e, "end_to_end_picks": len(match),
            "random_match": float(np.mean(rand_match)) if rand_match else None,
            "music_precision": float(np.mean(precise)) if precise else None,
            "music_precision_picks": len(precise),
            "random_precision": float(np.mean(rand_precise)) if rand_precise else None,
            "prototype": PROTOTYPE, "dwell": dwell,
            "followed_within_dwell_plus_3": len(within), "to_follow": len(changed)}


def main() -> int:
    """Build the parts, run the loop, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expressions", default=",".join(EXPRESSIONS),
                        help="comma-separated FER-2013 classes, one segment each")
    parser.add_argument("--segment", type=float, default=45.0, help="seconds per expression")
    parser.add_argument("--faces", type=int, default=4, help="people per segment")
    parser.add_argument("--hold", type=float, default=2.0,
                        help="seconds each face is shown before the next one's turn")
    parser.add_argument("--count-from", type=float, default=10.0,
                        help="picks are counted from this many seconds into a segment")
    parser.add_argument("--speed", type=float, default=2.0, help="mpv's playback speed")
    parser.add_argument("--sensitivity", default="normal", choices=list(SENSITIVITY_PRESETS))
    parser.add_argument("--fps", type=float, default=2.0, help="the agent's frames per second")
    parser.add_argument("--fold", type=int, default=0, help="the mer4q fold held out (0-based)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="feature and moodtag processes")
    parser.add_argument("--fer", type=Path, default=SHARED / "data" / "fer2013")
    parser.add_argument("--music", type=Path, default=SHARED / "data" / "mer4q")
    parser.add_argument("--ratings", type=Path, default=SHARED / "data" / "musifeast",
                        help="rated clips the model also learns from (as the shipped one)")
    parser.add_argument("--detector", type=Path, default=SHARED / "models" / "scrfd_500m.onnx")
    parser.add_argument("--out", type=Path, default=None, help="keep the work dir here")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    args.expressions = [e.strip() for e in args.expressions.split(",") if e.strip()]
    unknown = [e for e in args.expressions if e not in EXPRESSION_QUADRANT]
    if unknown:
        parser.error(f"--expressions: unknown {', '.join(unknown)}; expected some of "
                     f"{', '.join(EXPRESSIONS)}")
    if not 0 <= args.fold < args.folds:
        parser.error(f"--fold {args.fold}: expected 0 to {args.folds - 1}")
    for need in (args.fer, args.music, args.detector):
        if not need.exists():
            raise SystemExit(f"{need} is absent (data and weights are not part of the project)")
    root = (args.out or Path(tempfile.mkdtemp(prefix="moodplayer-loop-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    held, model = held_out_music(args.music, args.ratings, args.fold, args.folds, args.seed,
                                 args.jobs)
    config = beets_library(root, args.detector, model, args.music, held, args)
    video = root / "camera.avi"
    missed, read = camera_video(video, args.fer, args.detector, args)
    print(f"camera stand-in: {len(args.expressions)} segments of {args.segment:g} s, "
          f"{args.faces} FER-2013 test faces each ({missed} drawn faces the detector missed "
          f"were passed over); one frame of each face reads as: " + "; ".join(
              f"{e} {', '.join(m)}" for e, m in read.items()), flush=True)
    seconds = len(args.expressions) * args.segment
    moods, decisions, t0 = run_agent(root, config, video, seconds + 15, args.speed)
    quadrant = {str((args.music / c.file).resolve()): c.quadrant for c in held}
    library = {q: sum(c.quadrant == q for c in held) for q in QUADRANTS}
    dwell = SENSITIVITY_PRESETS[args.sensitivity].dwell_s
    print(f"\nrun: {len(decisions)} picks, {len(moods)} mood changes; sensitivity "
          f"{args.sensitivity} (dwell {dwell:g} s), mpv at {args.speed:g}x; work dir {root}; "
          f"{(time.monotonic() - started) / 60:.1f} min in all")
    figures = report(segments(moods, decisions, t0, quadrant, args), library, dwell, args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
