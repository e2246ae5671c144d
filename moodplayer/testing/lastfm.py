"""A fake Last.fm web service on 127.0.0.1 answering in Last.fm's own XML.

pylast (and so ``moodplayer.music.lastfm``) pointed at ``FakeLastFm.url`` talks to it as
to the real service; no request ever leaves the machine. The fake answers the methods
moodplayer asks: ``track.getTopTags``, ``artist.getTopTags``, ``user.getTopArtists``,
``user.getTopTags`` and ``artist.getSimilar``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

#: Last.fm's error code for "Service Offline".
SERVICE_OFFLINE = 11


def _ok(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="ok">{body}</lfm>'


def _error(code: int, message: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="failed">'
            f'<error code="{code}">{escape(message)}</error></lfm>')


def _toptags(attrs: str, tags: list[tuple[str, int]]) -> str:
    rows = "".join(f"<tag><count>{count}</count><name>{escape(name)}</name>"
                   f"<url>https://www.last.fm/tag/{escape(name)}</url></tag>"
                   for name, count in tags)
    return _ok(f"<toptags {attrs}>{rows}</toptags>")


def _artists(artists: list[str]) -> str:
    return "".join(f'<artist rank="{i + 1}"><name>{escape(a)}</name>'
                   f"<playcount>{100 - i}</playcount><mbid></mbid>"
                   f"<url>https://www.last.fm/music/{escape(a)}</url></artist>"
                   for i, a in enumerate(artists))


def _similar(artists: list[tuple[str, float]]) -> str:
    return "".join(f"<artist><name>{escape(a)}</name><mbid></mbid><match>{m}</match>"
                   f"<url>https://www.last.fm/music/{escape(a)}</url></artist>"
                   for a, m in artists)


@dataclass
class FakeLastFm:
    """What the fake service knows and does; change it while it runs, read ``requests``.

    Tags and artists are keyed in lower case (the service matches names regardless of
    case); ``user`` answers are the same for every user name.
    """

    #: (artist, track) -> [(tag, count)] for ``track.getTopTags`` (else "Track not found").
    track_tags: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    #: artist -> [(tag, count)] for ``artist.getTopTags``.
    artist_tags: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: The user's top artists (``user.getTopArtists``), most played first.
    top_artists: list[str] = field(default_factory=list)
    #: The user's top tags (``user.getTopTags``), strongest first.
    top_tags: list[str] = field(default_factory=list)
    #: artist (as asked) -> [(similar artist, match 0..1)] for ``artist.getSimilar``.
    similar: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    #: Answer every request with this Last.fm error code (e.g. ``SERVICE_OFFLINE``).
    error_code: int | None = None
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: Every request's form fields, in order.
    requests: list[dict[str, str]] = field(default_factory=list)
    #: The API root to give pylast (``http://127.0.0.1:PORT/2.0/``), set by ``start``.
    url: str = ""

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()

    def methods(self) -> list[str]:
        """The API method of every request so far, in order."""
        return [r.get("method", "") for r in self.requests]

    def answer(self, form: dict[str, str]) -> str:
        """The XML Last.fm would send for a request with ``form``."""
        method = form.get("method", "").lower()
        artist = form.get("artist", "")
        if self.error_code is not None:
            return _error(self.error_code, "Service Offline")
        if method == "track.gettoptags":
            key = (artist.lower(), form.get("track", "").lower())
            if key not in self.track_tags:
                return _error(6, "Track not found")
            return _toptags(f'artist="{escape(key[0])}" track="{escape(key[1])}"',
                            self.track_tags[key])
        if method == "artist.gettoptags":
            return _toptags(f'artist="{escape(artist.lower())}"',
                            self.artist_tags.get(artist.lower(), []))
        if method == "user.gettopartists":
            return _ok(f'<topartists user="{escape(form["user"])}" type="overall">'
                       f"{_artists(self.top_artists)}</topartists>")
        if method == "user.gettoptags":
            rows = "".join(f"<tag><name>{escape(t)}</name><count>{50 - i}</count>"
                           f"<url>https://www.last.fm/tag/{escape(t)}</url></tag>"
                           for i, t in enumerate(self.top_tags))
            return _ok(f'<toptags user="{escape(form["user"])}">{rows}</toptags>')
        if method == "artist.getsimilar":
            return _ok(f'<similarartists artist="{escape(artist)}">'
                       f"{_similar(self.similar.get(artist, []))}</similarartists>")
        return _error(3, "Invalid Method")

    def start(self) -> FakeLastFm:
        """Serve on a free port of 127.0.0.1 in a background thread; sets ``url``."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(form)
                if fake.delay:
                    fake._stopping.wait(fake.delay)
                data = fake.answer(form).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/2.0/"
        return self

    def stop(self) -> None:
        """Stop serving (a request still waiting out ``delay`` is answered at once)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeLastFm:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
