"""Shared test fixtures: where ../shared lives, and a guard that nothing touches the network."""

from __future__ import annotations

from pathlib import Path

import pytest

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
