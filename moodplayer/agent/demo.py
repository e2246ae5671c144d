"""``moodplayer demo``: the whole loop on a machine with no webcam and no desktop.

Stage 1 builds a sample library of generated, really encoded music, annotates it with
``beet moodtag`` under a throwaway beets config and lists the fields. Stage 2 starts a
private session bus and a real headless player (mpv with mpv-mpris), runs the agent with a
camera stand-in (the face detector's weights found, or fetched with the user's consent)
and on a scripted mood sequence, lets the user-side skip a track, and
finishes with the report. Every stage says what it does; a stage whose part is missing
says so and the demo stops there with what it has shown.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from moodplayer.exceptions import MoodplayerError

#: A development checkout's detector weights (``../shared/models`` beside it), used by
#: the demo when the user has none of their own; a user's machine has no such folder.
CHECKOUT_DETECTOR = Path(__file__).resolve().parents[3] / "shared/models/scrfd_500m.onnx"
#: The detector the camera stand-in uses (its name in the models manifest).
DETECTOR = "scrfd_500m"

LS_FORMAT = ("$artist - $title | $bpm BPM $initial_key | valence $moodtag_valence "
             "arousal $moodtag_arousal | $moodtag_mood")


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What the user asked of the demo."""

    directory: Path | None = None
    tracks: int = 12
    source: str | None = None
    detector: Path | None = None
    mood_script: str = "happy:25,sad:25,energetic:25"
    camera_seconds: float = 20.0
    library_only: bool = False
    #: Download missing detector weights: True (``--fetch-detector``), False (never), or
    #: None: ask on a terminal, and don't where nobody can answer.
    fetch_detector: bool | None = None


def _say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        raise MoodplayerError(f"`{name}` is not installed: run ./setup.sh first")
    return found


def write_beets_config(root: Path, *, detector: Path | None = None) -> Path:
    """A throwaway beets config for the demo library under ``root``; returns its path."""
    config = root / "beets" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(textwrap.dedent(f"""\
        directory: {root / 'music'}
        library: {root / 'library.db'}
        plugins: [moodtag]
        import:
          copy: no
          write: no
          autotag: no
          quiet: yes
          log:
        moodtag:
          auto: no
          lastfm: no
        moodplayer:
          sensitivity: eager
          detector: "{detector or ''}"
          queue_length: 2
          notifications: no
          players: [mpv]
          mpv_socket: {root / 'mpv.sock'}
        """), encoding="utf-8")
    return config


def demo_env(root: Path) -> dict[str, str]:
    """Environment that keeps beets' and moodplayer's files inside ``root``."""
    env = dict(os.environ)
    env["BEETSDIR"] = str(root / "beets")
    env["XDG_DATA_HOME"] = str(root / "data")
    env["XDG_CACHE_HOME"] = str(root / "cache")
    return env


def _beet(config: Path, env: dict[str, str], *args: str) -> None:
    command = [_tool("beet"), "-c", str(config), *args]
    print("$ beet " + " ".join(args), flush=True)
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise MoodplayerError(f"`beet {' '.join(args)}` failed with exit status "
                              f"{result.returncode}")


def build_library(root: Path, tracks: int, detector: Path | None = None) -> Path:
    """Stage 1: generate, import, annotate and list a sample library; returns the config."""
    from moodplayer.music.samples import build_sample_library

    _say(f"building a sample library of {tracks} generated tracks in {root / 'music'}")
    made = build_sample_library(root / "music", tracks)
    for track in made:
        print(f"  {track.path.relative_to(root)}  ({track.bpm:g} BPM, {track.tonic} "
              f"{track.mode})")
    config = write_beets_config(root, detector=detector)
    env = demo_env(root)
    _say("importing it into a throwaway beets library")
    _beet(config, env, "import", str(root / "music"))
    _say("annotating with `beet moodtag` (tempo, key, mode, emotion; no Last.fm)")
    _beet(config, env, "moodtag")
    _say("the fields beets now has")
    _beet(config, env, "ls", "-f", LS_FORMAT)
    return config


def _missing_parts() -> list[str]:
    wanted = {"moodplayer.player": "the player part (moodplayer.player)",
              "moodplayer.agent.service": "the agent service"}
    return [what for module, what in wanted.items() if importlib.util.find_spec(module) is None]


class PrivateSession:
    """A private D-Bus session bus and a headless mpv on it (playing ``first``, the
    user's own pick, if given), stopped on exit."""

    def __init__(self, root: Path, env: dict[str, str], first: Path | None = None) -> None:
        self.root, self.env, self.first = root, env, first
        self._stack = contextlib.ExitStack()
        self._mpv: subprocess.Popen | None = None
        self.socket = root / "mpv.sock"

    def __enter__(self) -> PrivateSession:
        from moodplayer.testing import PrivateBus, Processes, start_mpv

        with contextlib.ExitStack() as stack:  # stops what started if a later part fails
            bus = stack.enter_context(PrivateBus())
            self.env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
            self._mpv = start_mpv(stack.enter_context(Processes()), bus, self.socket,
                                  *([self.first] if self.first else []))
            self._stack = stack.pop_all()
        return self

    @property
    def mpv_pid(self) -> int:
        """The process id of the headless mpv."""
        return self._mpv.pid

    def next_track(self) -> None:
        """Press Next in the player, as a user skipping a track would."""
        subprocess.run(["dbus-send", "--session", "--type=method_call",
                        "--dest=org.mpris.MediaPlayer2.mpv", "/org/mpris/MediaPlayer2",
                        "org.mpris.MediaPlayer2.Player.Next"], env=self.env, check=False)

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()


def _camera_stand_in(root: Path, options: DemoOptions) -> str | None:
    """The video/folder to use as the camera: --source, else insightface's sample photo."""
    if options.source:
        return options.source
    from moodplayer.vision.insight import insightface_sample

    photo = insightface_sample("t1.jpg")
    if photo is None:
        return None
    folder = root / "camera"
    folder.mkdir(exist_ok=True)
    link = folder / photo.name
    if not link.is_symlink():
        link.symlink_to(photo)  # a link to the package's own file: no image is written
    return str(folder)


def _detector_ready(options: DemoOptions) -> str:
    """Why the camera stand-in cannot run (no detector weights), or '' when it can."""
    from moodplayer.exceptions import VisionError
    from moodplayer.vision import weights

    try:
        weights.locate(DETECTOR, options.detector)
    except VisionError as exc:
        return str(exc)
    return ""


def _agrees(question: str) -> bool:
    """The user's yes to ``question`` on a terminal; no where nobody can answer."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(question).strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def fetch_detector(options: DemoOptions) -> tuple[DemoOptions, str]:
    """The options with detector weights for the camera stand-in, and why there are none.

    Weights already found are used as they are. Missing ones are downloaded only with the
    user's consent (``fetch_detector``, else a question on a terminal) from the manifest's
    URL into the user's models folder, kept only if their sha256 matches. The reason is one
    line (declined, no network, bad download), or '' when the weights are there.
    """
    from moodplayer.exceptions import VisionError
    from moodplayer.vision import weights

    missing = _detector_ready(options)
    if not missing:
        return options, ""
    entry = weights.load_manifest()[DETECTOR]
    folder = weights.models_dir()
    agreed = options.fetch_detector
    if agreed is None:
        agreed = _agrees(f"\nThe face detector's weights are not on this machine. Download "
                         f"{entry.file} from {entry.url} into {folder}?\nLicence: "
                         f"{entry.licence}. [y/N] ")
    if not agreed:
        return options, ("no face detector weights here; `moodplayer demo --fetch-detector` "
                         f"downloads them (licence: {entry.licence})")
    _say(f"fetching the face detector from {entry.url} (licence: {entry.licence})")
    try:
        path = weights.download(DETECTOR, folder)
    except VisionError as exc:
        return options, str(exc)
    return replace(options, detector=path), ""


def _agent(env: dict[str, str], config: Path, seconds: float, *extra: str) -> None:
    command = [_tool("moodplayer"), "-v", "run", "--config", str(config),
               "--duration", f"{seconds:g}", *extra]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise MoodplayerError(f"the agent stopped with exit status {result.returncode}")


def run_loop(root: Path, config: Path, options: DemoOptions, no_detector: str = "") -> Path:
    """Stage 2: the agent steering a real headless mpv; returns the report's path.

    ``no_detector`` says why the camera stand-in cannot run (see :func:`fetch_detector`).
    """
    env = demo_env(root)
    first = sorted((root / "music").rglob("*.ogg"))[0]
    with PrivateSession(root, env, first) as session:
        _say(f"started a private session bus and a headless mpv (mpv-mpris) on it, "
             f"playing {first.name} as if you had picked it")
        stand_in = _camera_stand_in(root, options)
        missing = no_detector or _detector_ready(options)
        if stand_in and not missing:
            _say(f"the agent with a camera stand-in: {stand_in} (real faces, read by the "
                 f"face detector and the expression model) for {options.camera_seconds:g} s")
            _agent(env, config, options.camera_seconds, "--grant-consent", "--source",
                   stand_in)
        else:
            _say(f"no camera stand-in: {missing or 'no face images at hand'}")
        steps = [p.partition(":") for p in options.mood_script.split(",")]
        seconds = sum(float(s[2]) for s in steps) + 3
        _say(f"the agent on a SCRIPTED mood sequence ({options.mood_script}): the same "
             "loop, with the mood given instead of read from a face")
        timer = threading.Timer(seconds / 2, _skip, (session,))
        timer.start()
        try:
            _agent(env, config, seconds, "--mood-script", options.mood_script)
        finally:
            timer.cancel()
    report = root / "report.html"
    subprocess.run([_tool("moodplayer"), "report", "--since", "1h", "-o", str(report)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return report


def _skip(session: PrivateSession) -> None:
    _say("demo: pressing Next in mpv, as a user skipping a track")
    session.next_track()


def run_demo(options: DemoOptions) -> int:
    """Run the demo; returns the exit status."""
    root = options.directory or Path(tempfile.mkdtemp(prefix="moodplayer-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    if options.detector is None and CHECKOUT_DETECTOR.is_file():
        options = replace(options, detector=CHECKOUT_DETECTOR)
    no_detector = ""
    if not options.library_only:
        options, no_detector = fetch_detector(options)
    config = build_library(root, options.tracks, options.detector)
    if options.library_only:
        _say(f"done; the demo library is in {root}")
        return 0
    missing = _missing_parts()
    if missing:
        _say(f"stopping here: {', '.join(missing)} is not installed yet")
        return 0
    report = run_loop(root, config, options, no_detector)
    _say(f"done. The report: {report}\n   (everything the demo made is in {root})")
    return 0
