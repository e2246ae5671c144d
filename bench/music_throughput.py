"""Tracks per second of `beet moodtag` against beets' own `autobpm`, same files, same run.

Generates N four-minute tunes in mixed formats (mp3, flac, ogg, m4a, opus; kept in
--cache for re-runs), imports them into two throwaway beets libraries, then times
``beet moodtag --no-lastfm -j J`` (everything: key, tempo, cues, emotion) and ``beet
autobpm`` (librosa tempo only, serial) as a user runs them. Peak memory is each process's
VmHWM, polled from /proc while it runs. Then, per track in one process, what each stage
costs: the ffmpeg decode of the excerpt (the floor any analysis pays), the essentia
analysis (key, tempo, cues, descriptors and musicnn's tags and embeddings) and the
emotion model itself.
Needs librosa for the anchor (``pip install -e '.[bench]'``).

    .venv/bin/python bench/music_throughput.py [-n 40] [--seconds 240] [--jobs 2]
        [--excerpt SECONDS]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from moodplayer.music.analyze import (
    CUE_SECONDS,
    DESCRIPTOR_SECONDS,
    AnalysisSettings,
    analyze_samples,
    middle,
)
from moodplayer.music.decode import decode_excerpt
from moodplayer.music.descriptors import describe
from moodplayer.music.model import load_model
from moodplayer.music.musicnn import listen
from moodplayer.music.samples import build_sample_library


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.add(c)
            todo.append(c)
    return out


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_python(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("python")
    except OSError:
        return False


def timed_run(cmd: list[str]) -> tuple[float, dict[int, int], str]:
    """Run ``cmd``; wall seconds, peak RSS (kB) per Python process of its tree (not ffmpeg's),
    and its output."""
    peaks: dict[int, int] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            for pid in {proc.pid} | _descendants(proc.pid):
                if _is_python(pid):
                    peaks[pid] = max(peaks.get(pid, 0), _hwm_kb(pid))
            stop.wait(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
    return elapsed, {p: kb for p, kb in peaks.items() if kb}, out


def beets_config(root: Path, music: Path, plugin: str, extra: str = "") -> Path:
    """A throwaway beets config with one plugin and its own library database."""
    cfg = root / f"{plugin}.yaml"
    cfg.write_text(f"directory: {music}\nlibrary: {root / plugin}.db\nplugins: {plugin}\n"
                   "import:\n  copy: no\n  write: no\n"
                   f"{plugin}:\n  auto: no\n{extra}", encoding="utf-8")
    return cfg


def stage_costs(files: list[Path], excerpt: float | None) -> dict[str, float]:
    """Mean seconds per track of decode, analysis, and within the analysis the
    descriptors and musicnn's tags (timed again on their own), and the model."""
    settings = AnalysisSettings() if excerpt is None else AnalysisSettings(excerpt=excerpt)
    model = load_model()
    totals = dict.fromkeys(("decode", "analysis", "descriptors", "tags", "model"), 0.0)
    analyze_samples(decode_excerpt(files[0], settings.excerpt).samples, 60.0)  # warm up
    # BLAS in the calling thread throughout, as analyze_samples runs it.
    with threadpool_limits(limits=1, user_api="blas"):
        for path in files:
            t0 = time.perf_counter()
            decoded = decode_excerpt(path, settings.excerpt)
            t1 = time.perf_counter()
            analysis = analyze_samples(decoded.samples, decoded.duration, settings, str(path))
            t2 = time.perf_counter()
            cue = middle(decoded.samples, CUE_SECONDS)
            describe(middle(cue, DESCRIPTOR_SECONDS))
            t3 = time.perf_counter()
            listen(cue)
            t4 = time.perf_counter()
            model.predict(analysis)
            t5 = time.perf_counter()
            for stage, seconds in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4),
                                      strict=True):
                totals[stage] += seconds
    return {stage: total / len(files) for stage, total in totals.items()}


def main() -> int:
    """Generate, import, time both plugins, print tracks/s and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=40, help="tracks (default 40)")
    ap.add_argument("--seconds", type=float, default=240.0, help="track length")
    ap.add_argument("--jobs", type=int, default=2, help="moodtag workers (0 = CPU count)")
    ap.add_argument("--excerpt", type=float, default=None,
                    help="moodtag excerpt seconds (default: the plugin's default)")
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "moodplayer-bench-music")
    args = ap.parse_args()
    jobs = args.jobs or os.cpu_count() or 1
    music = args.cache / f"n{args.n}_s{args.seconds:g}"
    if not music.is_dir():
        t = time.perf_counter()
        build_sample_library(music, args.n, seconds=args.seconds)
        print(f"generated {args.n} tracks of {args.seconds:g} s in "
              f"{time.perf_counter() - t:.0f} s under {music}")
    beet = [sys.executable, "-m", "beets"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env_cache = root / "xdg-cache"
        os.environ["XDG_CACHE_HOME"] = str(env_cache)
        configs = {}
        for plugin in ("moodtag", "autobpm"):
            extra = (f"  excerpt: {args.excerpt}\n"
                     if plugin == "moodtag" and args.excerpt is not None else "")
            configs[plugin] = beets_config(root, music, plugin, extra)
            subprocess.run([*beet, "-c", str(configs[plugin]), "import", "-q", "-A", str(music)],
                           check=True, capture_output=True)
        runs = {
            f"moodtag -j {jobs}": [*beet, "-c", str(configs["moodtag"]), "moodtag",
                                   "--no-lastfm", "-j", str(jobs)],
            "moodtag -j 1": [*beet, "-c", str(configs["moodtag"]), "moodtag", "--no-lastfm",
                             "-j", "1", "--force"],
            "autobpm": [*beet, "-c", str(configs["autobpm"]), "autobpm"],
        }
        results = {name: timed_run(cmd) for name, cmd in runs.items()}
        count = sum(1 for _ in music.rglob("*.*"))
        a_rate = count / results["autobpm"][0]
        print(f"{count} tracks of {args.seconds:g} s, mixed formats, {os.cpu_count()} CPUs "
              f"(1-min load average at the end: {os.getloadavg()[0]:.1f})")
        for name, (elapsed, peaks, out) in results.items():
            rate = count / elapsed
            mib = sorted(kb / 1024 for kb in peaks.values())
            print(f"  {name:13s} {elapsed:6.1f} s  {rate:.2f} tracks/s  "
                  f"{rate / a_rate:5.2f}x autobpm  peak RSS per process (MiB): "
                  f"{', '.join(f'{m:.0f}' for m in mib)}")
            print(f"    {out.strip().splitlines()[-1] if out.strip() else ''}")
        print("  goal: moodtag at least 8x autobpm's tracks/s on 2 workers (moonshot 10x)")
    files = sorted(p for p in music.rglob("*.*") if p.is_file())[:10]
    cost = stage_costs(files, args.excerpt)
    print(f"per track, one process, mean of {len(files)}: "
          + ", ".join(f"{stage} {1000 * sec:.1f} ms" for stage, sec in cost.items())
          + "; against the ffmpeg decode floor: musicnn's tags "
          f"{cost['tags'] / cost['decode']:.2f}x, descriptors "
          f"{cost['descriptors'] / cost['decode']:.2f}x (both inside the analysis)"
          f", the model {cost['model'] / cost['decode']:.4f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
