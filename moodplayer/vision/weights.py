"""Model files: the manifest (name, url, sha256, licence), finding them, verified download.

Nothing is downloaded unless asked (:func:`download`, ``moodplayer fetch-model``).
A missing file raises :class:`VisionError` saying where it was looked for and how to
get it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from moodplayer import paths
from moodplayer.exceptions import VisionError
from moodplayer.resources import model_file

log = logging.getLogger(__name__)

#: The download manifest, shipped with the package's models.
MANIFEST = model_file("manifest.json")


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One downloadable model file as the manifest describes it."""

    name: str
    kind: str
    file: str
    sha256: str
    url: str
    licence: str
    archive_member: str = ""
    note: str = ""


def models_dir() -> Path:
    """Where downloaded model files live: ``data_dir()/models`` (not created)."""
    return paths.data_dir() / "models"


def load_manifest(path: Path | None = None) -> dict[str, ModelEntry]:
    """The manifest's entries by name (default: the shipped one); VisionError if it is
    missing or malformed."""
    path = path or MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = [ModelEntry(**item) for item in raw["models"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VisionError(f"{path}: not a readable model manifest ({exc})") from exc
    return {e.name: e for e in entries}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def candidates(entry: ModelEntry) -> list[Path]:
    """Where ``entry``'s file is looked for, in order."""
    found = [models_dir() / entry.file]
    if entry.name == "scrfd_500m":
        found.append(Path.home() / ".insightface" / "models" / "buffalo_sc" / entry.file)
    return found


def locate(name: str, configured: str | Path | None = None) -> Path:
    """The file for model ``name`` (or the ``configured`` path, which wins).

    Raises VisionError naming every place looked at and the command that fetches it.
    """
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise VisionError(f"{path}: model file not found (configured path)")
        return path
    entries = load_manifest()
    if name not in entries:
        raise VisionError(f"unknown model {name!r}: expected one of {', '.join(entries)} "
                          "or a path to a model file")
    entry = entries[name]
    for path in candidates(entry):
        if path.is_file():
            return path
    looked = ", ".join(str(p) for p in candidates(entry))
    raise VisionError(f"model {name!r} not found (looked in {looked}); get it with "
                      f"`moodplayer fetch-model {name}` (from {entry.url}, licence: "
                      f"{entry.licence}) or set its path in the configuration")


def _why(exc: Exception, url: str) -> str:
    """A failed download's reason in a few words (the network's, where it is that)."""
    import requests

    host = urlsplit(url).hostname
    if isinstance(exc, requests.Timeout):
        return f"{host} did not answer in time"
    if isinstance(exc, requests.ConnectionError):
        return f"cannot reach {host} (no network here, or it is blocked)"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"{host} answered HTTP {exc.response.status_code}"
    return str(exc)


def download(name: str, target_dir: Path | None = None, manifest: Path | None = None) -> Path:
    """Download model ``name`` into ``target_dir`` (default :func:`models_dir`), verified.

    The file is checked against the manifest's sha256 before it is put in place; on a
    mismatch nothing is kept and VisionError says so. A failed download raises VisionError
    naming the URL and the reason in one line.
    """
    import pooch

    pooch.get_logger().setLevel(logging.WARNING)  # we say what was saved, and where
    entries = load_manifest(manifest)
    if name not in entries:
        raise VisionError(f"unknown model {name!r}: expected one of {', '.join(entries)}")
    entry = entries[name]
    target_dir = paths.private_dir(target_dir or models_dir())
    with tempfile.TemporaryDirectory(dir=target_dir) as tmp:
        try:
            if entry.archive_member:
                members = pooch.retrieve(
                    entry.url, known_hash=None, path=tmp, progressbar=False,
                    processor=pooch.Unzip(members=[entry.archive_member]))
                fetched = Path(next(m for m in members if m.endswith(entry.archive_member)))
            else:
                fetched = Path(pooch.retrieve(entry.url, known_hash=None, fname=entry.file,
                                              path=tmp, progressbar=False))
        except Exception as exc:  # pooch passes on requests' and its processors' errors
            raise VisionError(f"could not download {name!r} from {entry.url}: "
                              f"{_why(exc, entry.url)}") from exc
        digest = sha256_of(fetched)
        if digest != entry.sha256:
            raise VisionError(f"{entry.url}: sha256 {digest} does not match the manifest's "
                              f"{entry.sha256}; nothing was kept")
        final = target_dir / entry.file
        fetched.chmod(paths.FILE_MODE)
        shutil.move(fetched, final)
    log.info("%s saved to %s (licence: %s)", name, final, entry.licence)
    return final
