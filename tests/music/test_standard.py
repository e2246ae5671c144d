"""essentia.standard with its algorithm classes made on first use (moodplayer.music.standard)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from moodplayer.music.standard import essentia_standard


def test_an_algorithm_is_made_on_first_use_and_computes():
    es = essentia_standard()
    rms = es.RMS()
    assert rms(np.full(1024, 0.5, dtype=np.float32)) == pytest.approx(0.5)
    assert isinstance(rms, es.RMS)


def test_an_unknown_algorithm_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchAlgorithm"):
        essentia_standard().NoSuchAlgorithm  # noqa: B018


def test_the_import_makes_few_classes_and_a_later_plain_import_gets_every_one():
    """In a fresh process: the lazy import makes only what essentia's own Python
    algorithms need, and code that imports essentia.standard itself afterwards still
    finds every algorithm, and essentia's Python ones."""
    code = (
        "from moodplayer.music.standard import essentia_standard\n"
        "es = essentia_standard()\n"
        "made = [n for n in vars(es) if n[:1].isupper() and hasattr(vars(es)[n], 'compute')]\n"
        "print(len(made))\n"
        "from essentia.standard import MonoLoader, FrameGenerator\n"
        "import essentia.standard\n"
        "print(essentia.standard is es, len(list(es.algorithmNames())))\n"
        "print(es.KeyExtractor.__struct__['name'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    made, same, key = done.stdout.splitlines()[:3]
    assert int(made) == 1  # FrameCutter, for essentia's FrameGenerator
    plain_import_is_it, names = same.split()
    assert plain_import_is_it == "True"
    assert int(names) > 200
    assert key == "KeyExtractor"
