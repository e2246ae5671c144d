"""musicnn's taggers as the emotion model hears them: the front end musicnn was trained
on, the shipped ONNX files and their cards, bad files, and tags that hear real music."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from moodplayer.exceptions import AnalysisError
from moodplayer.music import musicnn
from moodplayer.music.dataset import load_labels
from moodplayer.music.decode import SAMPLE_RATE, decode_excerpt
from moodplayer.resources import model_file


def _tone(hz: float, seconds: float = 2.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * musicnn.TAG_RATE)) / musicnn.TAG_RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _band_centres() -> np.ndarray:
    filters = musicnn.mel_filters()
    bins = np.linspace(0, musicnn.TAG_RATE / 2, filters.shape[1])
    return bins[filters.argmax(axis=1)]


def test_a_tone_lands_in_the_mel_band_of_its_pitch():
    centres = _band_centres()
    for hz in (220.0, 1000.0, 4000.0):
        mel = musicnn.log_mel(_tone(hz))
        assert mel.shape[1] == musicnn.N_MELS
        loudest = int(np.median(mel.argmax(axis=1)))
        assert abs(centres[loudest] - hz) <= 0.12 * hz


def test_bands_are_spaced_linearly_below_1khz_and_logarithmically_above():
    centres = _band_centres()
    assert np.all(np.diff(centres) >= 0)
    low, high = centres[centres < 900], centres[centres > 2000]
    assert np.ptp(np.diff(low)) < 0.5 * np.mean(np.diff(low))  # even steps in Hz
    assert np.diff(high)[-1] > 2 * np.diff(high)[0]  # widening steps


def test_louder_is_higher_and_silence_is_zero():
    assert np.all(musicnn.log_mel(np.zeros(16000, np.float32)) == 0)
    quiet = musicnn.log_mel(_tone(440, level=0.05)).max()
    loud = musicnn.log_mel(_tone(440, level=0.5)).max()
    assert loud > quiet > 0


def test_the_loudest_whole_patches_are_kept_in_time_order():
    levels = [1.0, 7.0, 2.0, 9.0, 3.0, 0.0, 8.0, 4.0, 6.0, 5.0]
    mel = np.repeat(np.array(levels, np.float32), musicnn.PATCH_FRAMES)[:, None].repeat(96, 1)
    tail = np.full((50, 96), 100.0, np.float32)  # loudest of all, but not a whole patch
    batch = musicnn.patches(np.vstack([mel, tail]), 4)
    assert batch.shape == (4, musicnn.PATCH_FRAMES, musicnn.N_MELS)
    assert batch[:, 0, 0].tolist() == [7.0, 9.0, 8.0, 6.0]


def test_audio_shorter_than_a_patch_is_repeated_to_fill_one():
    mel = np.arange(50, dtype=np.float32)[:, None].repeat(96, 1)
    short = musicnn.patches(mel, 4)
    assert short.shape == (1, musicnn.PATCH_FRAMES, musicnn.N_MELS)
    assert short[0, 50, 0] == 0 and short[0, 49, 0] == 49


@pytest.mark.parametrize("network", musicnn.NETWORKS, ids=lambda n: n.name)
def test_each_shipped_network_matches_its_card(network):
    raw = model_file(network.file).read_bytes()
    card = json.loads(model_file(network.file.replace(".onnx", ".card.json")).read_text())
    assert card["size_bytes"] == len(raw)
    assert card["sha256"] == hashlib.sha256(raw).hexdigest()
    assert card["licence"].startswith("ISC")
    assert max(card["conversion"]["max_abs_difference_from_tensorflow"].values()) < 1e-3
    assert len(network.tags) == 50


def test_tags_and_embeddings_are_finite_and_named():
    rng = np.random.default_rng(0)
    noise = (0.1 * rng.standard_normal(12 * SAMPLE_RATE)).astype(np.float32)
    tags, embeddings = musicnn.listen(noise)
    assert tags.shape == (len(musicnn.TAG_FEATURES),) and np.all(np.isfinite(tags))
    assert embeddings.shape == (len(musicnn.EMBEDDING_FEATURES),)
    assert np.all(np.isfinite(embeddings)) and np.ptp(embeddings) > 0
    names = musicnn.TAG_FEATURES + musicnn.EMBEDDING_FEATURES
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("damage", ["missing", "not onnx"])
def test_a_missing_or_corrupt_network_is_one_line_naming_the_file(tmp_path, monkeypatch,
                                                                    damage):
    bad = tmp_path / "musicnn-msd.onnx"
    if damage == "not onnx":
        bad.write_bytes(b"\x00not a model" * 100)
    monkeypatch.setattr(musicnn, "model_file", lambda name: tmp_path / name)
    musicnn._session.cache_clear()
    try:
        with pytest.raises(AnalysisError, match=str(bad)) as err:
            musicnn.check()
    finally:
        musicnn._session.cache_clear()
    assert "\n" not in str(err.value)


def test_the_taggers_hear_loud_music_as_loud_and_calm_music_as_quiet(shared_dir):
    """Eight clips each of the excited-unpleasant (Q2: metal, punk) and calm-pleasant (Q4)
    quadrants of the shared 4Q set, the first of each in labels.csv."""
    data = shared_dir / "data" / "mer4q"
    if not (data / "labels.csv").is_file():
        pytest.skip(f"{data} is absent")
    col = {name: i for i, name in enumerate(musicnn.TAG_FEATURES)}
    mean = {}
    for q in ("Q2", "Q4"):
        clips = [c for c in load_labels(data) if c.quadrant == q][:8]
        mean[q] = np.mean([musicnn.listen(decode_excerpt(data / c.file).samples)[0]
                           for c in clips], axis=0)
    assert mean["Q2"][col["mtt_loud"]] > mean["Q4"][col["mtt_loud"]]
    assert mean["Q2"][col["msd_metal"]] > mean["Q4"][col["msd_metal"]]
    assert mean["Q4"][col["mtt_quiet"]] > mean["Q2"][col["mtt_quiet"]]
    assert mean["Q4"][col["msd_mellow"]] > mean["Q2"][col["msd_mellow"]]
