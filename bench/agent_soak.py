"""Soak test of `moodplayer run`: ten minutes or more with a video camera stand-in and a
real headless mpv, on a private session bus.

    .venv/bin/python bench/agent_soak.py [--minutes 10] [--segment 40] [--out DIR]
    .venv/bin/python bench/agent_soak.py --scripted 20 [--minutes 10]   # the queue soak

The camera stand-in is a video made here from real FER-2013 test faces (../shared/data)
that the pipeline reads as happy, sad and neutral, `--segment` seconds each, looped by
the agent in real time. About every 45 s the bench presses Next in mpv 5 s into a track
(a user skipping).
Reported, with the anchor measured in the same run (mpv playing the same music, as a
ratio): the agent's memory over time and its growth after warm-up, its CPU share of one
core at the default sampling rate (2 frames/s), the time from each sustained mood change
to the queue holding tracks chosen for it (goal: within the dwell time plus 1 s), the
agent's exit status (zero crashes), and track starts seen by mpv against the feedback
events the agent stored (zero lost).

With ``--scripted SECONDS`` the camera is replaced by a scripted mood that changes every
SECONDS (happy, sad, calm, energetic, ...), to soak the queue: twice a second the bench
reads mpv's playlist and reports the most of the agent's own unplayed picks waiting in it
against the configured length plus one, and every sample where mpv sat idle (nothing
loaded) while the agent could have queued.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from moodplayer.agent.demo import PrivateSession, build_library, demo_env
from moodplayer.agent.store import StateStore
from moodplayer.emotion import mood_of, point_of
from moodplayer.vision.detect import ScrfdDetector
from moodplayer.vision.fer import ExpressionModel
from moodplayer.vision.sensor import FaceReader

SHARED = Path(__file__).resolve().parents[2] / "shared"
STORY = ("happy", "sad", "neutral")
FER_LABEL = {"happy": "happy", "sad": "sad", "neutral": "neutral"}
VIDEO_FPS = 4.0
CLK = os.sysconf("SC_CLK_TCK")


def place(face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 640x480 frame with the gray face scaled to about 200 px, moving a little."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    side = int(190 + rng.integers(-15, 16))
    cx, cy = int(320 + rng.integers(-30, 31)), int(240 + rng.integers(-20, 21))
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    frame[cy - side // 2:cy - side // 2 + side, cx - side // 2:cx - side // 2 + side] = \
        cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    return frame


def pick_faces(data: Path, detector: Path, mood: str, count: int = 4) -> list[np.ndarray]:
    """FER-2013 test faces of the mood's class that the real pipeline reads as that mood."""
    reader = FaceReader(ScrfdDetector(detector), ExpressionModel())
    rng = np.random.default_rng(0)
    found = []
    for path in sorted((data / "test" / FER_LABEL[mood]).glob("*.jpg"))[:400]:
        face = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        reader.tracker.reset()
        probs = reader.probabilities(place(face, rng))[0]
        if probs is not None and mood_of(point_of(probs, reader.model.classes)[0]) == mood:
            found.append(face)
            if len(found) == count:
                return found
    raise SystemExit(f"fewer than {count} FER-2013 {mood} faces read as {mood}")


def story_video(path: Path, data: Path, detector: Path, segment: float) -> Path:
    """The looped camera stand-in: happy, sad, neutral, ``segment`` seconds each."""
    rng = np.random.default_rng(7)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), VIDEO_FPS, (640, 480))
    for mood in STORY:
        faces = pick_faces(data, detector, mood)
        for i in range(int(segment * VIDEO_FPS)):
            writer.write(place(faces[(i // 4) % len(faces)], rng))
    writer.release()
    return path


def proc_sample(pid: int) -> tuple[float, float]:
    """(RSS in MiB, CPU seconds used so far) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text()
               .splitlines() if line.startswith("VmRSS:")) / 1024
    return rss, cpu


class QueueWatcher(threading.Thread):
    """Samples mpv's playlist twice a second over its IPC socket: (time, idle, upcoming
    filenames after the playing entry)."""

    def __init__(self, sock: Path) -> None:
        super().__init__(daemon=True)
        self.sock, self.samples, self.running = sock, [], True

    def _ask(self, client: socket.socket, buffer: bytearray, name: str, rid: int) -> object:
        client.sendall(json.dumps({"command": ["get_property", name],
                                   "request_id": rid}).encode() + b"\n")
        while True:
            *lines, rest = bytes(buffer).split(b"\n")
            buffer[:] = rest
            for line in lines:
                message = json.loads(line)
                if message.get("request_id") == rid:
                    return message.get("data")
            chunk = client.recv(65536)
            if not chunk:
                raise OSError("mpv closed its socket")
            buffer += chunk

    def run(self) -> None:
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(self.sock))
        buffer = bytearray()
        with contextlib.suppress(OSError, ValueError):
            while self.running:
                idle = self._ask(client, buffer, "idle-active", 1)
                playlist = self._ask(client, buffer, "playlist", 2) or []
                current = next((i for i, e in enumerate(playlist) if e.get("current")), -1)
                self.samples.append((time.monotonic(), bool(idle),
                                     [e["filename"] for e in playlist[current + 1:]]))
                time.sleep(0.5)


class TrackWatcher(threading.Thread):
    """Counts track starts in mpv through its JSON IPC (a second client of the socket):
    every ``start-file`` event, so a track that repeats counts each time."""

    def __init__(self, sock: Path) -> None:
        super().__init__(daemon=True)
        self.sock, self.starts, self.last_start = sock, 0, 0.0

    def run(self) -> None:
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(self.sock))
        buffer = b""
        while chunk := client.recv(65536):
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if json.loads(line).get("event") == "start-file":
                    self.starts += 1
                    self.last_start = time.monotonic()


def switch_latencies(log: Path, decisions, moods, segment: float) -> list[float]:
    """Seconds from each expression switch in the video to the first track queued for the
    mood it led to. The video starts when the camera opens (the log says when) and plays
    in real time, so switch k happens ``k * segment`` seconds after that."""
    opened = [line for line in log.read_text().splitlines() if "camera " in line
              and line.endswith(" opened")]
    if len(opened) != 1:
        return []  # the camera was reopened: the video restarted, switch times unknown
    stamp = opened[0][:23]
    t0 = time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + int(stamp[20:]) / 1000
    out = []
    for previous, sample in itertools.pairwise(moods):
        if sample.mood in (previous.mood, "absent"):
            continue
        switch = t0 + ((sample.ts - t0) // segment) * segment
        first = next((d.ts for d in decisions if d.target == sample.mood and d.ts >= sample.ts),
                     None)
        if first is not None:
            out.append(first - switch)
    return out


def main() -> int:
    """Run the soak and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--segment", type=float, default=40.0,
                        help="seconds of each expression in the looped video")
    parser.add_argument("--skip-every", type=float, default=45.0)
    parser.add_argument("--detector", type=Path, default=SHARED / "models" / "scrfd_500m.onnx")
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "fer2013")
    parser.add_argument("--out", type=Path, default=None, help="keep the work dir here")
    parser.add_argument("--scripted", type=float, default=None, metavar="SECONDS",
                        help="no camera: a scripted mood changing every SECONDS")
    args = parser.parse_args()
    for need in (args.detector, args.data) if args.scripted is None else (args.detector,):
        if not need.exists():
            raise SystemExit(f"{need} is absent (data and weights are not part of the project)")
    root = (args.out or Path(tempfile.mkdtemp(prefix="moodplayer-soak-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = build_library(root, 12, args.detector)
    text = config.read_text().replace("sensitivity: eager", "sensitivity: eager\n  fps: 2")
    config.write_text(text)
    if args.scripted is None:
        video = story_video(root / "story.avi", args.data, args.detector, args.segment)
        mood_args = ["--grant-consent", "--source", str(video)]
    else:
        cycle = itertools.cycle(("happy", "sad", "calm", "energetic"))
        steps = int(args.minutes * 60 / args.scripted) + 1
        mood_args = ["--mood-script",
                     ",".join(f"{next(cycle)}:{args.scripted:g}" for _ in range(steps))]
    dwell = 3.0  # the eager preset
    env = demo_env(root)
    seconds = args.minutes * 60
    with PrivateSession(root, env, sorted((root / "music").rglob("*.ogg"))[0]) as session:
        time.sleep(1.0)
        watcher = TrackWatcher(session.socket)
        watcher.start()
        queue = QueueWatcher(session.socket)
        queue.start()
        log = (root / "agent.log").open("w")
        agent = subprocess.Popen(
            [str(Path(sys.executable).with_name("moodplayer")), "-v", "run", "--config",
             str(config), *mood_args,
             "--duration", f"{seconds:g}"], env=env, stdout=log, stderr=subprocess.STDOUT)
        mpv_pid = session.mpv_pid
        start = time.monotonic()
        samples, skips, next_skip = [], 0, start + args.skip_every
        while agent.poll() is None:
            time.sleep(1.0)
            now = time.monotonic()
            with contextlib.suppress(FileNotFoundError, ProcessLookupError, StopIteration):
                samples.append((now - start, *proc_sample(agent.pid), *proc_sample(mpv_pid)))
            if now >= next_skip and 5.0 <= now - watcher.last_start < 6.5:
                session.next_track()  # 5 s into a track: a real skip
                skips += 1
                next_skip = now + args.skip_every
        status = agent.returncode
        wall = time.monotonic() - start
        queue.running = False
        queue.join(5)
    with StateStore(root / "data" / "moodplayer" / "agent.sqlite3") as store:
        moods, decisions, feedback = store.moods(), store.decisions(), store.feedback()
    latencies = []
    for previous, sample in itertools.pairwise(moods):
        if sample.mood == previous.mood or sample.mood == "absent":
            continue
        first = next((d.ts for d in decisions if d.target == sample.mood and d.ts >= sample.ts),
                     None)
        if first is not None:
            latencies.append(first - sample.ts)
    warm = [s for s in samples if s[0] >= 120] or samples
    rss_growth = warm[-1][1] - warm[0][1]
    agent_cpu = (samples[-1][2] - samples[0][2]) / (samples[-1][0] - samples[0][0]) * 100
    mpv_cpu = (samples[-1][4] - samples[0][4]) / (samples[-1][0] - samples[0][0]) * 100
    started = sum(1 for f in feedback if f.kind == "started")
    ended = sum(1 for f in feedback if f.kind in ("played", "skipped"))
    skipped = sum(1 for f in feedback if f.kind == "skipped")
    print(f"soak: {wall / 60:.1f} min, agent exit status {status} "
          f"({'no crash' if status == 0 else 'CRASHED'}); work dir {root}")
    print(f"memory (RSS): {warm[0][1]:.1f} MiB at {warm[0][0]:.0f} s -> {warm[-1][1]:.1f} MiB "
          f"at {warm[-1][0]:.0f} s: growth {rss_growth:+.1f} MiB "
          f"(max {max(s[1] for s in samples):.1f} MiB)")
    print(f"CPU share of one core: agent {agent_cpu:.2f} % at 2 frames/s; anchor mpv playing "
          f"the same music {mpv_cpu:.2f} %; ratio agent/mpv {agent_cpu / max(mpv_cpu, 1e-9):.2f}")
    if latencies:
        print(f"mood changes: {len(latencies)}; sustained change -> queue: median "
              f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} "
              f"ms (budget: dwell {dwell:g} s + 1 s after the expression changes; the "
              f"smoother's own dwell comes before this)")
    else:
        print("mood changes: none reached the queue")
    switches = switch_latencies(root / "agent.log", decisions, moods, args.segment)
    if switches:
        within = sum(1 for t in switches if t <= dwell + 1.0)
        print(f"expression switch in the video -> queue: median "
              f"{statistics.median(switches):.2f} s, max {max(switches):.2f} s; "
              f"{within}/{len(switches)} within dwell {dwell:g} s + 1 s")
    print(f"mood samples {len(moods)}: {', '.join(m.mood for m in moods[:12])}"
          f"{' ...' if len(moods) > 12 else ''}")
    # Both the watcher and the agent come after the user's own first track started.
    print(f"tracks queued {len(decisions)}; track starts seen by mpv {watcher.starts}, "
          f"stored 'started' {started} (lost {watcher.starts - started}); ends stored "
          f"(played or skipped) {ended}; Next pressed {skips}, skips stored {skipped}")
    report_queue(queue.samples, decisions, config, root / "agent.log")
    return 0 if status == 0 else 1


def report_queue(samples: list, decisions, config: Path, log: Path) -> None:
    """The most agent picks waiting in mpv's queue, and idle samples while it could queue."""
    length = int(next((line.split(":", 1)[1] for line in config.read_text().splitlines()
                       if line.strip().startswith("queue_length:")), "2"))
    picks = {d.path for d in decisions}
    waiting = [sum(1 for f in upcoming if f in picks) for _, _, upcoming in samples]
    idle = sum(1 for _, is_idle, _ in samples if is_idle)
    print(f"queue: {len(samples)} samples of mpv's playlist (2/s); the agent's own unplayed "
          f"picks waiting: max {max(waiting, default=0)}, median "
          f"{statistics.median(waiting) if waiting else 0:g} (limit: queue_length {length} "
          f"+ 1 = {length + 1}); longest playlist after the playing track "
          f"{max((len(u) for _, _, u in samples), default=0)}; samples with mpv idle: "
          f"{idle}; taken out on re-plans: {log.read_text().count('taking out')} "
          f"(samples over the limit: {sum(1 for w in waiting if w > length + 1)})")


if __name__ == "__main__":
    sys.exit(main())
