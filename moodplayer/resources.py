"""Files that ship inside moodplayer: the project's models, their cards, the manifest.

Everything a default needs is found here, so an installed wheel works the same as a
checkout. Callers ask by file name; where the file lives is this module's business.
"""

from __future__ import annotations

from pathlib import Path

#: The shipped models folder. In a checkout it is the top-level ``models/``.
# TODO(packaging): resolve through importlib.resources once models/ is package data.
_MODELS = Path(__file__).resolve().parents[1] / "models"


def model_file(name: str) -> Path:
    """Return the path of the shipped file ``name`` (e.g. ``moodplayer-fer.onnx``).

    The path is returned whether or not the file exists; loaders say what is missing.
    """
    return _MODELS / name
