"""Last.fm taste signals, against a fake Last.fm on 127.0.0.1 answering in its own XML."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import pytest

from moodplayer.music.lastfm import LastFmSettings
from moodplayer.recommend import FeedbackStore, Recommender
from moodplayer.recommend.lastfm_signals import LastfmSignals

from .conftest import music_of


@dataclass
class FakeLastfm:
    """What the fake service answers; ``requests`` records the methods asked."""

    top_artists: list[str] = field(default_factory=list)
    top_tags: list[str] = field(default_factory=list)
    similar: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    fail: bool = False
    requests: list[str] = field(default_factory=list)
    url: str = ""


def _ok(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<lfm status="ok">{body}</lfm>'


def _answer(state: FakeLastfm, form: dict[str, str]) -> str:
    method = form.get("method", "").lower()
    if state.fail:
        return ('<?xml version="1.0" encoding="utf-8"?>\n<lfm status="failed">'
                '<error code="11">Service Offline</error></lfm>')
    if method == "user.gettopartists":
        rows = "".join(f'<artist rank="{i + 1}"><name>{escape(a)}</name>'
                       f"<playcount>{100 - i}</playcount><mbid></mbid>"
                       f"<url>https://www.last.fm/music/{escape(a)}</url></artist>"
                       for i, a in enumerate(state.top_artists))
        return _ok(f'<topartists user="{escape(form["user"])}" type="overall">{rows}'
                   f"</topartists>")
    if method == "user.gettoptags":
        rows = "".join(f"<tag><name>{escape(t)}</name><count>{50 - i}</count>"
                       f"<url>https://www.last.fm/tag/{escape(t)}</url></tag>"
                       for i, t in enumerate(state.top_tags))
        return _ok(f'<toptags user="{escape(form["user"])}">{rows}</toptags>')
    if method == "artist.getsimilar":
        rows = "".join(f"<artist><name>{escape(a)}</name><mbid></mbid><match>{m}</match>"
                       f"<url>https://www.last.fm/music/{escape(a)}</url></artist>"
                       for a, m in state.similar.get(form["artist"], []))
        return _ok(f'<similarartists artist="{escape(form["artist"])}">{rows}'
                   f"</similarartists>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<lfm status="failed">'
            '<error code="3">Invalid Method</error></lfm>')


@pytest.fixture
def fake_lastfm() -> Iterator[FakeLastfm]:
    """A running fake Last.fm web service at ``state.url``."""
    state = FakeLastfm()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            state.requests.append(form.get("method", ""))
            data = _answer(state, form).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/2.0/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def signals(fake: FakeLastfm) -> LastfmSignals:
    settings = LastFmSettings(api_key="test-key", server=fake.url, retries=0, backoff=0.0)
    return LastfmSignals(settings, "ann")


def top_pick(library, tmp_path, lastfm=None):
    with FeedbackStore(tmp_path / "fb.sqlite3") as store:
        rec = Recommender(library, store, directory=music_of(library), user="ann",
                          learning=False, lastfm=lastfm)
        return rec.suggest("happy", n=1)[0]


def test_top_artist_on_lastfm_lifts_their_tracks(library, tmp_path, fake_lastfm):
    before = top_pick(library, tmp_path)
    assert before.artist != "Bright Lights"
    fake_lastfm.top_artists = ["Bright Lights", "Someone Else"]
    fake_lastfm.top_tags = ["upbeat"]
    pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.artist == "Bright Lights"
    assert "one of your top artists on Last.fm" in pick.reason


def test_similar_artists_count_and_answers_are_cached(library, tmp_path, fake_lastfm):
    fake_lastfm.top_artists = ["Unheard Band"]
    fake_lastfm.similar = {"Unheard Band": [("Bright Lights", 0.9), ("Nobody", 0.5)]}
    pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.artist == "Bright Lights"
    assert "like artists you play on Last.fm" in pick.reason
    asked = len(fake_lastfm.requests)
    assert "artist.getSimilar" in fake_lastfm.requests
    top_pick(library, tmp_path, signals(fake_lastfm))
    assert len(fake_lastfm.requests) == asked  # a fresh process reads the cache


def test_lastfm_failure_ranks_without_it(library, tmp_path, fake_lastfm, caplog):
    fake_lastfm.fail = True
    with caplog.at_level(logging.WARNING):
        pick = top_pick(library, tmp_path, signals(fake_lastfm))
    assert pick.title == top_pick(library, tmp_path).title
    assert "Last.fm taste of ann unavailable" in caplog.text
