"""Files that ship inside moodplayer: the project's models, their cards, the manifest.

They live in the package ``moodplayer.models`` (the top-level ``models/`` folder of the
source tree, mapped into the package by pyproject.toml) and are found with
:mod:`importlib.resources`, so a checkout, an editable install and an installed wheel
behave alike. Callers ask by file name; where the file lives is this module's business.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The package that holds the shipped models.
MODELS_PACKAGE = "moodplayer.models"


def models_dir() -> Path:
    """The folder of the shipped models, as a filesystem path (onnxruntime opens paths)."""
    return Path(str(files(MODELS_PACKAGE)))


def model_file(name: str) -> Path:
    """Return the path of the shipped file ``name`` (e.g. ``moodplayer-fer.onnx``).

    The path is returned whether or not the file exists; loaders say what is missing.
    """
    return models_dir() / name
