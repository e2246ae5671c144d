"""The model's descriptors: complete, finite, and dissonance that tells chords apart."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moodplayer.music.decode import SAMPLE_RATE
from moodplayer.music.descriptors import DESCRIPTORS, describe

SECONDS = 12


def _chord(freqs: list[float], noise: float, seed: int = 0) -> np.ndarray:
    """Harmonic tones (three partials each) over a faint white-noise floor, as in a mix."""
    t = np.arange(SECONDS * SAMPLE_RATE) / SAMPLE_RATE
    tones = sum(sum(np.sin(2 * np.pi * k * f * t) / k**2 for k in (1, 2, 3)) for f in freqs)
    floor = np.random.default_rng(seed).standard_normal(len(t)) * noise
    return (0.1 * tones + floor).astype(np.float32)


def test_every_descriptor_is_there_and_finite():
    found = describe(_chord([261.63, 329.63, 392.0], 0.003))
    assert list(found) == list(DESCRIPTORS)
    assert all(math.isfinite(v) for v in found.values())


@pytest.mark.parametrize("noise", [0.0, 0.003, 0.01])
def test_dissonance_tells_a_cluster_from_a_triad_over_a_noise_floor(noise):
    """Version 1 averaged over up to 100 weak peaks: over a faint floor every frame read
    ~0.5 (gap 0.043 at noise 0.003, 0.015 at 0.01). The strongest peaks keep them apart."""
    triad = describe(_chord([261.63, 329.63, 392.0], noise))["dissonance_mean"]
    cluster = describe(_chord([261.63, 277.18, 293.66, 311.13], noise))["dissonance_mean"]
    assert cluster - triad > 0.1


def test_major_triads_read_as_major():
    major = describe(_chord([261.63, 329.63, 392.0], 0.003))
    minor = describe(_chord([261.63, 311.13, 392.0], 0.003))
    assert major["major_triad_share"] > minor["major_triad_share"]
    assert major["mode_clarity"] > minor["mode_clarity"]


def test_band_levels_follow_where_the_energy_is_and_how_it_moves():
    """A steady bass tone fills the lowest band; gating it on and off every quarter second
    shows up as change and range of that band's level, not as a louder top band."""
    t = np.arange(SECONDS * SAMPLE_RATE) / SAMPLE_RATE
    floor = np.random.default_rng(1).standard_normal(len(t)) * 0.001
    bass = 0.3 * np.sin(2 * np.pi * 60.0 * t)
    steady = describe((bass + floor).astype(np.float32))
    gated = describe((bass * (np.sin(2 * np.pi * 2.0 * t) > 0) + floor).astype(np.float32))
    assert steady["energy0_mean"] > steady["energy5_mean"] + 30
    assert gated["energy0_change"] > steady["energy0_change"] + 3
    assert gated["energy0_range"] > steady["energy0_range"] + 20
    assert abs(gated["energy5_mean"] - steady["energy5_mean"]) < 3


def test_a_track_reads_the_same_whatever_was_described_before():
    """Version 2 kept essentia's Flux state between calls: the first frame of a track was
    compared with the last of the previous one, so flux and pulse clarity depended on the
    order a worker happened to see the tracks in."""
    triad = _chord([261.63, 329.63, 392.0], 0.003)
    first = describe(triad)
    describe(0.3 * np.random.default_rng(5).standard_normal(len(triad)).astype(np.float32))
    assert describe(triad) == first
