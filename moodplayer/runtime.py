"""onnxruntime for every model moodplayer runs: telemetry off, CPU, explicit threads.

The official onnxruntime builds (1.32 on Linux included) start Microsoft's 1DS
telemetry the moment the module is imported: they write a persistent device id and an
event database under ``$XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime/`` and,
about nine seconds later, look up and contact ``mobile.events.data.microsoft.com``.
``onnxruntime.disable_telemetry_events()`` comes too late to stop that; the only
switch the runtime honours is the environment variable ``ORT_DISABLE_TELEMETRY``, read
once, when onnxruntime is first imported (its Privacy.md: "no uploader, events,
persistent device identifier ... for the process lifetime").

So this module sets that variable when it is imported, and every session moodplayer
creates is made here: the expression model and the face detector (``moodplayer.vision``)
and the musicnn taggers (``moodplayer.music.musicnn``). A test fails if a module outside
this one and ``moodplayer.vision`` (which imports this module first, and insightface,
which imports onnxruntime, only in ``vision.insight``) imports either.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from moodplayer.exceptions import MoodplayerError

#: The environment that turns onnxruntime's telemetry off, read at its first import.
TELEMETRY_OFF = {"ORT_DISABLE_TELEMETRY": "1"}

_imported_before = ("onnxruntime" in sys.modules
                    and os.environ.get("ORT_DISABLE_TELEMETRY") != "1")
os.environ.update(TELEMETRY_OFF)

log = logging.getLogger(__name__)

#: Execution providers used unless a caller asks for others.
CPU: tuple[str, ...] = ("CPUExecutionProvider",)


def onnxruntime() -> ModuleType:
    """The onnxruntime module, imported with its telemetry off.

    If something imported onnxruntime before moodplayer could turn its telemetry off,
    the runtime's own switch is flipped as well and a warning says so once.
    """
    global _imported_before
    import onnxruntime as ort

    if _imported_before:
        _imported_before = False
        ort.disable_telemetry_events()
        log.warning("onnxruntime was imported before moodplayer could turn its telemetry "
                    "off; set ORT_DISABLE_TELEMETRY=1 in the environment to stop it fully")
    return ort


def session_options(threads: int = 1) -> Any:
    """Session options for one model: ``threads`` intra-op threads, quiet logging."""
    ort = onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options


def check_model_file(path: Path, what: str, error: type[MoodplayerError]) -> None:
    """Raise ``error`` naming ``path`` if the ``what`` model file is missing or empty."""
    if not path.is_file():
        raise error(f"{path}: {what} model file not found")
    if path.stat().st_size == 0:
        raise error(f"{path}: {what} model file is empty")


def unloadable(path: Path, exc: Exception, error: type[MoodplayerError]) -> MoodplayerError:
    """``error`` saying, in one line, that ``path`` is not a loadable ONNX model and why."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return error(f"{path}: not a loadable ONNX model ({reason})")


def inference_session(path: Path, what: str, error: type[MoodplayerError], threads: int = 1,
                      providers: Sequence[str] = CPU) -> Any:
    """An ``onnxruntime.InferenceSession`` for the ``what`` model at ``path``.

    Raises ``error`` (the caller's layer) with one line naming the file when it is
    missing, empty or not a model onnxruntime can load.
    """
    check_model_file(path, what, error)
    ort = onnxruntime()
    try:
        return ort.InferenceSession(str(path), session_options(threads),
                                    providers=list(providers))
    except Exception as exc:  # onnxruntime raises its own exception types
        raise unloadable(path, exc, error) from exc
