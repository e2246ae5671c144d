"""Shared test fixtures: where ../shared lives, isolated XDG dirs, and the real parts of
``moodplayer.testing`` (a private session bus, started processes, a fake Last.fm)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moodplayer.testing import FakeLastFm, PrivateBus, Processes, UnavailableError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests needing it skip with a reason if absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (data and weights are not part of the project)")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own XDG dirs, so nothing lands in the real home."""
    root = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(root / var.lower()))


@pytest.fixture(autouse=True)
def _fresh_beets_model_caches():
    """Clear beets' per-class caches (field types, queries) between tests.

    beets computes ``Item._types`` once per process from the plugins loaded at the
    time; a test that touches the library before ``moodtag`` is loaded would otherwise
    leave later tests without the plugin's typed fields. beets' own test suite clears the
    same cache in its (unshipped) conftest.
    """
    from beets.util import cached_classproperty

    cached_classproperty.cache.clear()
    yield
    cached_classproperty.cache.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """A real part this machine cannot run (``UnavailableError``), started by a fixture or
    by the test itself, skips the test, naming the part."""
    try:
        return (yield)
    except UnavailableError as exc:
        pytest.skip(str(exc))


pytest_runtest_call = pytest_runtest_setup


@pytest.fixture
def private_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateBus]:
    """A private session bus (socket ``tmp_path/bus``, so it can restart at the same
    address), the only session bus the code under test can see."""
    with PrivateBus(tmp_path / "bus") as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        yield bus


@pytest.fixture
def procs() -> Iterator[Processes]:
    """Start processes that are always killed afterwards."""
    with Processes() as started:
        yield started


@pytest.fixture
def fake_lastfm() -> Iterator[FakeLastFm]:
    """A running fake Last.fm at ``fake_lastfm.url`` (http://127.0.0.1:PORT/2.0/)."""
    with FakeLastFm() as fake:
        yield fake
