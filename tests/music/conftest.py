"""Fixtures for the music tests: generated audio in every format, bad files, a fake Last.fm.

Audio is rendered with numpy and encoded by the real ffmpeg once per session; files are
short (15 s) so the whole area stays fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import pytest
from beets.test import _common

from moodplayer.music import samples

FORMATS = (".mp3", ".flac", ".ogg", ".m4a", ".opus")
CLIP_SECONDS = 15.0


@dataclass(frozen=True)
class Clip:
    """A rendered file and what it was rendered from."""

    path: Path
    bpm: float
    mode: str
    tonic: str


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    """One tune per format, keys, modes and tempos varied: ``{".mp3": Clip, ...}``."""
    root = tmp_path_factory.mktemp("clips")
    plan = [(128, "major", "D"), (96, "minor", "A"), (140, "minor", "F#"),
            (110, "major", "G"), (120, "minor", "C")]
    out = {}
    for i, (suffix, (bpm, mode, tonic)) in enumerate(zip(FORMATS, plan, strict=True)):
        path = root / f"tune {i} ünïcødé{suffix}"
        samples.render_tune(path, bpm=bpm, mode=mode, tonic=tonic, seconds=CLIP_SECONDS,
                            seed=i, artist=f"Artist {i}", title=f"Title {i}",
                            brightness=0.7)
        out[suffix] = Clip(path, bpm, mode, tonic)
    return out


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory, clips: dict[str, Clip]) -> dict[str, Path]:
    """Files that must fail, by kind: corrupt, truncated, empty, text, silence, short."""
    root = tmp_path_factory.mktemp("bad")
    good = clips[".mp3"].path.read_bytes()
    corrupt = root / "corrupt.mp3"
    corrupt.write_bytes(good[:2000] + bytes(range(256)) * (len(good) // 256))
    truncated = root / "truncated.flac"
    whole = clips[".flac"].path.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])  # a download cut off half-way
    empty = root / "empty.ogg"
    empty.write_bytes(b"")
    text = root / "notes.m4a"
    text.write_text("These are my lyrics, not audio.\n" * 50)
    silence = root / "silence.flac"
    samples.encode(samples.synthesize(seconds=CLIP_SECONDS, gain_db=-14) * 0.0, silence)
    short = root / "short.opus"
    samples.render_tune(short, bpm=120, seconds=4.0)
    return {"corrupt": corrupt, "truncated": truncated, "empty": empty, "text": text,
            "silence": silence, "short": short, "missing": root / "missing.mp3"}


@pytest.fixture
def io(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
       capteesys: pytest.CaptureFixture[str]) -> _common.DummyIO:
    """beets' stdin/stdout helper (beets ships the class, not the fixture)."""
    dummy = _common.DummyIO(monkeypatch, capteesys)
    if request.instance is not None:
        request.instance.io = dummy
    return dummy


@pytest.fixture(autouse=True)
def _reset_beets_logging() -> Iterator[None]:
    """Drop handlers beets adds per run, so none writes to a closed captured stream."""
    yield
    # Only loggers that exist: creating "beets.moodtag" here would make it a plain Logger
    # and break beets' {}-formatting logger class for the plugin.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.split(".")[0] == "beets" and isinstance(logger, logging.Logger):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)


# --- A fake Last.fm web service on 127.0.0.1, answering in Last.fm's own XML. ---


@dataclass
class FakeLastFm:
    """What the fake server knows and does; tests change it and read ``requests``."""

    track_tags: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    artist_tags: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    error_code: int | None = None  # answer every request with this Last.fm error
    delay: float = 0.0  # seconds to wait before answering
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


def _toptags_xml(attrs: str, tags: list[tuple[str, int]]) -> str:
    body = "".join(f"<tag><count>{count}</count><name>{escape(name)}</name>"
                   f"<url>https://www.last.fm/tag/{escape(name)}</url></tag>"
                   for name, count in tags)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="ok">'
            f"<toptags {attrs}>{body}</toptags></lfm>")


def _error_xml(code: int, message: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="failed">'
            f'<error code="{code}">{escape(message)}</error></lfm>')


@pytest.fixture
def fake_lastfm() -> Iterator[FakeLastFm]:
    """A running fake Last.fm at ``state.url`` (http://127.0.0.1:PORT/2.0/)."""
    state = FakeLastFm()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            state.requests.append(form)
            if state.delay:
                stop.wait(state.delay)
            artist = form.get("artist", "").lower()
            if state.error_code is not None:
                status, text = 200, _error_xml(state.error_code, "Service Offline")
            elif form.get("method", "").lower() == "track.gettoptags":
                key = (artist, form.get("track", "").lower())
                if key in state.track_tags:
                    status, text = 200, _toptags_xml(
                        f'artist="{escape(artist)}" track="{escape(key[1])}"',
                        state.track_tags[key])
                else:
                    status, text = 200, _error_xml(6, "Track not found")
            elif form.get("method", "").lower() == "artist.gettoptags":
                status, text = 200, _toptags_xml(f'artist="{escape(artist)}"',
                                                 state.artist_tags.get(artist, []))
            else:
                status, text = 200, _error_xml(3, "Invalid Method")
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/2.0/"
    try:
        yield state
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
