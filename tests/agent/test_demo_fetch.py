"""The demo fetches the face detector's weights only with consent, verified, and says in one
line why it has none (a local HTTP server stands in for the internet)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from moodplayer.agent.demo import DETECTOR, DemoOptions, fetch_detector
from moodplayer.vision import weights

PAYLOAD = b"detector weights" * 1000


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A manifest whose detector entry points at a server on 127.0.0.1; yields its folder."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "det.onnx").write_bytes(PAYLOAD)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _manifest(tmp_path, monkeypatch, f"http://127.0.0.1:{httpd.server_address[1]}/det.onnx")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.insightface weights
    yield root
    httpd.shutdown()
    httpd.server_close()


def _manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    entry = {"name": DETECTOR, "kind": "detector", "file": "det.onnx", "url": url,
             "sha256": hashlib.sha256(PAYLOAD).hexdigest(), "licence": "test licence"}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"models": [entry]}))
    monkeypatch.setattr(weights, "MANIFEST", path)


def test_with_consent_the_weights_are_fetched_verified_and_used(site) -> None:
    options, why = fetch_detector(DemoOptions(fetch_detector=True))
    assert why == ""
    assert options.detector == weights.models_dir() / "det.onnx"
    assert options.detector.read_bytes() == PAYLOAD


def test_without_a_terminal_nothing_is_fetched_and_the_flag_is_named(site) -> None:
    options, why = fetch_detector(DemoOptions())  # pytest's stdin is not a terminal
    assert options.detector is None
    assert not weights.models_dir().exists()
    assert "--fetch-detector" in why and "test licence" in why and "\n" not in why


def test_a_declined_fetch_downloads_nothing(site) -> None:
    options, why = fetch_detector(DemoOptions(fetch_detector=False))
    assert options.detector is None and not weights.models_dir().exists()
    assert "--fetch-detector" in why


def test_no_network_is_said_in_one_line(site, tmp_path, monkeypatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/det.onnx"
    _manifest(tmp_path, monkeypatch, url)
    options, why = fetch_detector(DemoOptions(fetch_detector=True))
    assert options.detector is None
    assert why == (f"could not download '{DETECTOR}' from {url}: cannot reach 127.0.0.1 "
                   "(no network here, or it is blocked)")


def test_weights_already_there_are_used_without_asking(site, tmp_path) -> None:
    own = tmp_path / "own.onnx"
    own.write_bytes(b"x")
    options, why = fetch_detector(DemoOptions(detector=own, fetch_detector=False))
    assert (options.detector, why) == (own, "")
