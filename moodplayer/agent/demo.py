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
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from moodplayer.agent.story import MOOD_CHANGE, QUEUED, Story
from moodplayer.exceptions import MoodplayerError
from moodplayer.tracks import track_id

#: A development checkout's detector weights (``../shared/models`` beside it), used by
#: the demo when the user has none of their own; a user's machine has no such folder.
CHECKOUT_DETECTOR = Path(__file__).resolve().parents[3] / "shared/models/scrfd_500m.onnx"
#: The detector the camera stand-in uses (its name in the models manifest).
DETECTOR = "scrfd_500m"
#: Photos of faces the camera stand-in shows in turn: (package, file in it, what it is and
#: its licence). scikit-image ships both; no package at hand ships a sad face with a
#: licence that lets the project use it (FER-2013 cannot be shipped), so sad is scripted.
FACES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("skimage", ("data", "astronaut.png"),
     "astronaut Eileen Collins, smiling; NASA, public domain; ships with scikit-image"),
    ("skimage", ("data", "camera.png"),
     "a photographer frowning into his camera; CC0 (Lav Varshney); ships with scikit-image"),
)
#: How long the camera stand-in shows each face.
FACE_SECONDS = 14.0

LS_FORMAT = ("$artist - $title | $bpm BPM $initial_key | valence $moodtag_valence "
             "arousal $moodtag_arousal | $moodtag_mood")


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What the user asked of the demo."""

    directory: Path | None = None
    tracks: int = 24
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
        create_backup_before_migrations: no
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


def _beet(config: Path, env: dict[str, str], *args: str, quiet: bool = False) -> None:
    """Run ``beet ARGS``; with ``quiet`` its output is shown only if it fails."""
    command = [_tool("beet"), "-c", str(config), *args]
    print("$ beet " + " ".join(args), flush=True)
    result = subprocess.run(command, env=env, check=False, text=True,
                            **({"capture_output": True} if quiet else {}))
    if result.returncode != 0:
        if quiet:
            print(result.stdout + result.stderr, end="", file=sys.stderr)
        raise MoodplayerError(f"`beet {' '.join(args)}` failed with exit status "
                              f"{result.returncode}")


def build_library(root: Path, tracks: int, detector: Path | None = None) -> Path:
    """Stage 1: compose, import, annotate and list a sample library; returns the config."""
    from moodplayer.music.compose import FEEL, build_demo_library

    _say(f"composing {tracks} instrumental tracks, played with General MIDI instrument "
         f"samples (fluidsynth), into {root / 'music'}")
    for track in build_demo_library(root / "music", tracks):
        piece = track.piece
        print(f"  {track.path.relative_to(root / 'music')}: written {piece.quadrant} "
              f"{FEEL[piece.quadrant]}, {piece.bpm:g} BPM {piece.tonic} {piece.mode}; "
              f"{track.scoring}", flush=True)
    config = write_beets_config(root, detector=detector)
    env = demo_env(root)
    _say("importing it into a throwaway beets library (as it is: no autotagging, no copies)")
    _beet(config, env, "import", str(root / "music"), quiet=True)
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

    def playing(self) -> str | None:
        """The path (or URL) of what mpv plays now; None when nothing plays."""
        from moodplayer.testing import mpv_command

        path = mpv_command(self.socket, "get_property", "path")
        return path if isinstance(path, str) else None

    def next_track(self) -> None:
        """Press Next in the player, as a user skipping a track would."""
        subprocess.run(["dbus-send", "--session", "--type=method_call",
                        "--dest=org.mpris.MediaPlayer2.mpv", "/org/mpris/MediaPlayer2",
                        "org.mpris.MediaPlayer2.Player.Next"], env=self.env, check=False)

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()


def _package_file(package: str, *parts: str) -> Path | None:
    """A file an installed package ships (None without it), found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def camera_faces() -> list[tuple[Path, str]]:
    """The photos of real faces the camera stand-in shows in turn, with their licences."""
    found = [(_package_file(package, *parts), what) for package, parts, what in FACES]
    return [(path, what) for path, what in found if path is not None]


def _camera_stand_in(root: Path, options: DemoOptions) -> tuple[str, float, list[str]]:
    """The video/folder to use as the camera, how long to watch it and what it shows:
    --source, else a folder of links to ``FACES`` in turn, each held ``FACE_SECONDS`` at
    the agent's frame rate; ('', 0, []) where there are no faces at hand."""
    if options.source:
        return options.source, options.camera_seconds, []
    faces = camera_faces()
    if not faces:
        return "", 0.0, []
    from moodplayer.agent.config import SCHEMA

    folder = root / "camera"
    folder.mkdir(exist_ok=True)
    frames = round(FACE_SECONDS * SCHEMA["fps"].default)  # the demo leaves fps as it is
    shown = []
    for n, (photo, what) in enumerate(faces):
        shown.append(f"face {n + 1} for {FACE_SECONDS:g} s: {photo.name}, {what}")
        for i in range(frames):
            link = folder / f"{n:02d}-{i:03d}{photo.suffix}"
            if not link.is_symlink():
                link.symlink_to(photo)  # a link to the package's own file: no image written
    return str(folder), len(faces) * FACE_SECONDS + 4.0, shown


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


def _agent(env: dict[str, str], config: Path, seconds: float, story: Story,
           *extra: str) -> None:
    """Run the agent for ``seconds``, telling its ``story`` as it goes."""
    command = [_tool("moodplayer"), "-v", "run", "--config", str(config),
               "--duration", f"{seconds:g}", *extra]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as agent:
        story.tell(agent.stdout)
    if agent.returncode != 0:
        raise MoodplayerError(f"the agent stopped with exit status {agent.returncode}")


def _track_names(config: Path) -> dict[str, str]:
    """Path -> "Artist – Title" of every track of the demo library."""
    from moodplayer.agent.config import load_config
    from moodplayer.music.library import load_tracks

    settings = load_config(config)
    tracks = load_tracks(settings.library, settings.directory, use_cache=False)
    return {p: f"{a} – {t}" for p, a, t in zip(tracks.paths, tracks.artists, tracks.titles,
                                                strict=True)}


def run_loop(root: Path, config: Path, options: DemoOptions, no_detector: str = "") -> Path:
    """Stage 2: the agent steering a real headless mpv; returns the report's path.

    ``no_detector`` says why the camera stand-in cannot run (see :func:`fetch_detector`).
    """
    env = demo_env(root)
    first = sorted((root / "music").rglob("*.ogg"))[0]
    names = _track_names(config)
    with PrivateSession(root, env, first) as session:
        _say(f"started a private session bus and a headless mpv (mpv-mpris) on it, "
             f"playing {names.get(str(first), first.name)} as if you had picked it")
        missing = no_detector or _detector_ready(options)
        source, seconds, shown = ("", 0.0, []) if missing else \
            _camera_stand_in(root, options)
        if source:
            _say(f"the agent with a camera stand-in: {source} (real faces, read by the "
                 f"face detector and the expression model) for {seconds:g} s")
            for line in shown:
                print(f"   {line}")
            _agent(env, config, seconds, Story(names), "--grant-consent", "--source",
                   source)
        else:
            _say(f"no camera stand-in: {missing or 'no face images at hand'}")
        steps = [p.partition(":") for p in options.mood_script.split(",")]
        seconds = sum(float(s[2]) for s in steps) + 3
        _say(f"the agent on a SCRIPTED mood sequence ({options.mood_script}): the same "
             "loop, with the mood given instead of read from a face (no photo of a sad "
             "face ships under a licence that lets the demo show it)")
        skipper = _Skipper(session, names, moods=2)  # the second mood: its music plays at once
        try:
            _agent(env, config, seconds, Story(names, then=skipper.heard), "--mood-script",
                   options.mood_script)
        finally:
            skipper.cancel()
    report = root / "report.html"
    subprocess.run([_tool("moodplayer"), "report", "--since", "1h", "-o", str(report)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return report


class _Skipper:
    """Presses Next once, as a user would when the song that plays no longer fits: a second
    after the agent queued music for the ``moods``-th mood of the script, if what plays
    then is not one of those picks (the agent itself never interrupts the playing track;
    the track before may also have ended on its own)."""

    def __init__(self, session: PrivateSession, names: Mapping[str, str], moods: int) -> None:
        self.session, self.moods = session, moods
        self._names = {track_id(path): name for path, name in names.items()}
        self._seen = 0
        self._queued: set[str] = set()  # the names queued for that mood
        self._timer: threading.Timer | None = None

    def heard(self, line: str) -> None:
        """Follow the story: count the moods; press Next once the new picks are queued."""
        if line.startswith(MOOD_CHANGE):
            self._seen += 1
        elif line.startswith(QUEUED) and self._seen == self.moods:
            self._queued.add(line[len(QUEUED):].partition(": ")[0])
            if self._timer is None:
                self._timer = threading.Timer(1.0, self._skip)
                self._timer.start()

    def _skip(self) -> None:
        path = self.session.playing()
        name = self._names.get(track_id(path), path) if path else None
        if name in self._queued:
            _say(f"demo: not pressing Next: {name}, one of the new picks, already plays")
            return
        _say("demo: pressing Next in mpv, as you would when the song that plays no longer "
             "fits")
        self.session.next_track()

    def cancel(self) -> None:
        """Forget a press still to come."""
        if self._timer is not None:
            self._timer.cancel()


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
