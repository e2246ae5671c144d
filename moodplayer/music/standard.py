"""essentia's standard-mode algorithms, each class made when it is first used.

``import essentia.standard`` makes a Python class for every one of essentia's 253
algorithms, and to make one it builds and configures an instance: 0.5 s of CPU in every
process that imports it, each analysis worker included, for the twenty the analysis uses
(docs/benchmarks/music-throughput.md). ``essentia_standard()`` imports the same module
with only the class its own Python algorithms need at import (``FrameCutter``) and
makes every other class on first access, with essentia's own factory: what any caller
gets from ``essentia.standard.X`` is the class it always was. essentia's info and
warning logging is off.
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType

#: The classes essentia.standard itself reads while it is imported (its FrameGenerator).
_AT_IMPORT = ("FrameCutter",)


@functools.lru_cache(maxsize=1)
def essentia_standard() -> ModuleType:
    """The ``essentia.standard`` module, its algorithm classes made on first access."""
    import essentia
    from essentia import _essentia

    essentia.log.infoActive = False
    essentia.log.warningActive = False
    if "essentia.standard" in sys.modules:  # imported whole already
        return sys.modules["essentia.standard"]
    every = _essentia.keys
    names = frozenset(every())
    _essentia.keys = lambda: list(_AT_IMPORT)  # what the import makes classes for
    try:
        import essentia.standard as standard
    finally:
        _essentia.keys = every
    standard.algorithmNames = every  # the module's own list of the algorithms' names

    def make(name: str) -> type:
        if name not in names:
            raise AttributeError(f"module 'essentia.standard' has no attribute {name!r}")
        return standard._create_essentia_class(name)  # also sets it on the module

    standard.__getattr__ = make  # a module's __getattr__ answers what it lacks (PEP 562)
    return standard
