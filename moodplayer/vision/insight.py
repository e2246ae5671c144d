"""insightface on moodplayer's onnxruntime (``moodplayer.runtime``: telemetry off).

insightface imports onnxruntime itself, so it is only ever imported here, after
``moodplayer.runtime`` has turned the telemetry off.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moodplayer.runtime import CPU, onnxruntime, session_options


def insightface_model(path: Path, threads: int = 1, providers: Sequence[str] = CPU) -> Any:
    """``insightface.model_zoo.get_model`` for the file at ``path`` (None if unrecognised)."""
    onnxruntime()
    from insightface.model_zoo import get_model

    return get_model(str(path), providers=list(providers), sess_options=session_options(threads))


def insightface_sample(name: str = "t1.jpg") -> Path | None:
    """A sample photo the insightface wheel ships (None without the wheel or the file).

    Found without importing insightface, which would load onnxruntime.
    """
    spec = importlib.util.find_spec("insightface")
    if spec is None or not spec.submodule_search_locations:
        return None
    photo = Path(next(iter(spec.submodule_search_locations))) / "data" / "images" / name
    return photo if photo.is_file() else None
