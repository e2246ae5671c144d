"""A face session sends nothing anywhere and stores nothing: onnxruntime's telemetry is off.

The official onnxruntime wheel starts Microsoft's telemetry when it is imported: it
writes a device id under the cache home at once and looks up its collector about nine
seconds later. These tests run the real detector (../shared/models) and the project's
expression model on a real face in a child process whose home, XDG folders, temporary
folder and working folder are empty temporary ones, then look at what it did.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from moodplayer.vision.insight import insightface_sample

PROJECT = Path(__file__).resolve().parents[1]
#: Seconds the child lives after reading a face: onnxruntime 1.32 looks up its telemetry
#: host about 9 s after it is imported, so a shorter run could not catch it.
UPLOAD_AFTER_S = 12.0
#: The child: the real ``moodplayer watch`` (the pipeline ``run`` builds too) reads one
#: frame holding faces, then the process lives on as an agent would.
CHILD = textwrap.dedent("""
    import sys, time
    from moodplayer.agent.cli import main

    status = main(["watch", "--source", sys.argv[1], "--detector-path", sys.argv[2],
                   "--frames", "1", "--json"])
    time.sleep(float(sys.argv[3]))
    sys.exit(status)
""")
#: System calls that reach out: a connection of any kind but the kernel's netlink, or
#: a datagram sent to an internet address.
NETWORK = re.compile(r"\b(connect\((?!.*AF_NETLINK)|(sendto|sendmsg|sendmmsg)\(.*AF_INET)")
#: System calls that write a file or change a folder.
WRITES = re.compile(r'\b(open|openat|creat)\(.*?"([^"]+)", ([A-Z_|]*(O_WRONLY|O_RDWR|O_CREAT)'
                    r'[A-Z_|]*)|\b(mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|link|'
                    r'symlink)\(')


@pytest.fixture
def face_session(tmp_path: Path, shared_dir: Path):
    """Runs the child under ``prefix`` (e.g. strace) for ``seconds`` after it read a face;
    returns the folders it was given (all empty before)."""
    detector = shared_dir / "models" / "scrfd_500m.onnx"
    if not detector.is_file():
        pytest.skip(f"{detector} is absent (detector weights are not part of the project)")
    roots = {name: tmp_path / name for name in ("home", "data", "cache", "config", "state",
                                                 "runtime", "tmp", "cwd", "beets")}
    for folder in roots.values():
        folder.mkdir(mode=0o700)
    # The user's beets configuration, which every moodplayer command reads.
    (roots["beets"] / "config.yaml").write_text(f"library: {tmp_path / 'library.db'}\n"
                                                f"directory: {tmp_path / 'music'}\n")
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "t1.jpg").symlink_to(insightface_sample("t1.jpg"))
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(roots["home"]), XDG_DATA_HOME=str(roots["data"]),
               XDG_CACHE_HOME=str(roots["cache"]), XDG_CONFIG_HOME=str(roots["config"]),
               XDG_STATE_HOME=str(roots["state"]), XDG_RUNTIME_DIR=str(roots["runtime"]),
               TMPDIR=str(roots["tmp"]), BEETSDIR=str(roots["beets"]),
               PYTHONDONTWRITEBYTECODE="1")

    def run(seconds: float, prefix: tuple[str, ...] = ()) -> dict[str, Path]:
        done = subprocess.run([*prefix, sys.executable, "-c", CHILD, str(frames),
                               str(detector), str(seconds)], cwd=roots["cwd"], env=env,
                              capture_output=True, text=True, timeout=120 + seconds)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout)["face"] is True  # the models really ran on a face
        return roots
    return run


def test_a_face_session_writes_nothing_anywhere(face_session):
    roots = face_session(2.0)
    written = sorted(str(p) for root in roots.values() for p in root.rglob("*"))
    assert written == [str(roots["beets"] / "config.yaml")]  # was: also
    # cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} and tmp/.ses


@pytest.mark.skipif(shutil.which("strace") is None,
                    reason="strace is not installed (./setup.sh --dev installs it)")
def test_a_face_session_makes_no_network_attempt_and_no_write(face_session, tmp_path):
    trace = tmp_path / "trace.txt"
    face_session(UPLOAD_AFTER_S, ("strace", "-f", "-qq", "-o", str(trace), "-e",
                                  "trace=%network,%file", "-e", "signal=none"))
    lines = trace.read_text().splitlines()
    assert any("InferenceSession" in line or "onnxruntime" in line for line in lines)
    reached_out = [line for line in lines if NETWORK.search(line)]
    assert reached_out == []  # was: a DNS query for mobile.events.data.microsoft.com
    wrote = [line for line in lines if WRITES.search(line) and " = -1 " not in line
             and "/dev/null" not in line]
    assert wrote == []


def test_only_moodplayer_runtime_and_vision_import_onnxruntime_or_insightface():
    """``moodplayer.runtime`` turns the telemetry off before onnxruntime is imported, and
    ``moodplayer.vision`` imports it before anything else (so every module of the package,
    insightface's home ``vision.insight`` included, comes after it); a module elsewhere
    that imported them first would turn it back on."""
    offenders = []
    for folder in ("moodplayer", "beetsplug"):
        for path in (PROJECT / folder).rglob("*.py"):
            if (path == PROJECT / "moodplayer" / "runtime.py"
                    or PROJECT / "moodplayer" / "vision" in path.parents):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                offenders += [f"{path.relative_to(PROJECT)}: {n}" for n in names
                              if n.split(".")[0] in ("onnxruntime", "insightface")]
    assert offenders == []


def test_a_program_that_imported_onnxruntime_first_is_told(tmp_path):
    """moodplayer cannot turn the telemetry fully off once onnxruntime is loaded: it
    flips the runtime's own switch and says what would stop it."""
    program = ("import logging, onnxruntime\n"
               "logging.basicConfig()\n"
               "from moodplayer.vision.fer import ExpressionModel\n"
               "ExpressionModel()\n")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "set ORT_DISABLE_TELEMETRY=1" in done.stderr
