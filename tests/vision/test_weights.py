"""The model manifest and verified downloads (from a local HTTP server, never the internet)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from moodplayer.exceptions import VisionError
from moodplayer.vision import weights


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder; yields (base url, folder)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


def manifest(path: Path, **entry) -> Path:
    base = {"name": "demo", "kind": "detector", "file": "demo.onnx", "licence": "MIT"}
    path.write_text(json.dumps({"models": [{**base, **entry}]}))
    return path


def test_the_project_manifest_names_url_hash_and_licence():
    entries = weights.load_manifest()
    assert {"scrfd_500m", "yunet"} <= set(entries)
    for e in entries.values():
        assert e.url.startswith("https://") and len(e.sha256) == 64 and e.licence


def test_shared_weights_match_the_manifest(scrfd_path: Path, yunet_path: Path):
    entries = weights.load_manifest()
    assert weights.sha256_of(scrfd_path) == entries["scrfd_500m"].sha256
    assert weights.sha256_of(yunet_path) == entries["yunet"].sha256


def test_a_verified_download_lands_in_the_data_dir(server, tmp_path: Path):
    url, root = server
    payload = b"model bytes" * 1000
    (root / "demo.onnx").write_bytes(payload)
    m = manifest(tmp_path / "m.json", url=f"{url}/demo.onnx",
                 sha256=hashlib.sha256(payload).hexdigest())
    path = weights.download("demo", manifest=m)
    assert path == weights.models_dir() / "demo.onnx"
    assert path.read_bytes() == payload


def test_a_member_of_a_zip_pack_is_extracted_and_verified(server, tmp_path: Path):
    url, root = server
    payload = b"detector" * 500
    with zipfile.ZipFile(root / "pack.zip", "w") as z:
        z.writestr("pack/det.onnx", payload)
        z.writestr("pack/other.onnx", b"other")
    m = manifest(tmp_path / "m.json", url=f"{url}/pack.zip", file="det.onnx",
                 archive_member="pack/det.onnx", sha256=hashlib.sha256(payload).hexdigest())
    path = weights.download("demo", target_dir=tmp_path / "out", manifest=m)
    assert path.read_bytes() == payload
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["det.onnx"]


def test_a_download_with_the_wrong_hash_keeps_nothing(server, tmp_path: Path):
    url, root = server
    (root / "demo.onnx").write_bytes(b"tampered")
    m = manifest(tmp_path / "m.json", url=f"{url}/demo.onnx", sha256="0" * 64)
    with pytest.raises(VisionError, match="does not match"):
        weights.download("demo", target_dir=tmp_path / "out", manifest=m)
    assert list((tmp_path / "out").iterdir()) == []


def test_an_unreachable_url_is_one_clear_error(server, tmp_path: Path):
    url, _ = server
    m = manifest(tmp_path / "m.json", url=f"{url}/missing.onnx", sha256="0" * 64)
    with pytest.raises(VisionError, match="could not download 'demo'"):
        weights.download("demo", target_dir=tmp_path / "out", manifest=m)


def test_a_file_in_the_data_dir_is_found_before_anything_else(scrfd_path: Path):
    target = weights.models_dir() / "det_500m.onnx"
    target.parent.mkdir(parents=True)
    target.write_bytes(scrfd_path.read_bytes())
    assert weights.locate("scrfd_500m") == target
    with pytest.raises(VisionError, match="unknown model"):
        weights.locate("nope")
