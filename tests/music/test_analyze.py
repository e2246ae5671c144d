"""essentia analysis of real encoded files: key, mode, tempo, cues; silence and short tracks."""

from __future__ import annotations

import numpy as np
import pytest

from moodplayer.exceptions import ConfigError
from moodplayer.music.analyze import (
    SHORTEST,
    AnalysisSettings,
    NotAnalysableError,
    analyze_file,
    fold_bpm,
)
from tests.music.conftest import FORMATS


@pytest.fixture(scope="module")
def analyses(clips):
    return {suffix: analyze_file(clip.path) for suffix, clip in clips.items()}


@pytest.mark.parametrize("suffix", FORMATS)
def test_recovers_key_mode_and_tempo(clips, analyses, suffix):
    clip, result = clips[suffix], analyses[suffix]
    assert (result.key, result.mode) == (clip.tonic, clip.mode)
    assert result.bpm == pytest.approx(clip.bpm, rel=0.04)
    assert result.initial_key == clip.tonic + ("m" if clip.mode == "minor" else "")


@pytest.mark.parametrize("suffix", FORMATS)
def test_cues_are_in_their_ranges(analyses, suffix):
    result = analyses[suffix]
    assert 0.0 < result.key_strength <= 1.0
    assert 0.0 <= result.bpm_confidence <= 1.0
    assert -40.0 < result.loudness < 0.0
    assert 0.0 < result.energy <= 1.0
    assert result.onset_rate > 0.5
    assert 200.0 < result.brightness < 16000.0
    assert 0.0 < result.dissonance < 1.0


def test_silence_is_not_analysable_with_reason(bad_files):
    with pytest.raises(NotAnalysableError, match=r"silence\.flac: silent") as caught:
        analyze_file(bad_files["silence"])
    assert caught.value.kind == "silent"


def test_short_track_is_not_analysable_with_reason(bad_files):
    with pytest.raises(NotAnalysableError,
                       match=r"short\.opus: too short to analyse \(2\.0 s") as caught:
        analyze_file(bad_files["short"])
    assert caught.value.kind == "too_short"


def test_short_track_accepted_when_minimum_lowered(bad_files):
    result = analyze_file(bad_files["short"], AnalysisSettings(min_duration=SHORTEST))
    assert result.duration == pytest.approx(2.0, abs=0.1)


def test_no_minimum_still_refuses_what_cannot_be_described(tmp_path):
    from moodplayer.music import samples

    blip = samples.render_tune(tmp_path / "blip.flac", seconds=SHORTEST / 2)
    with pytest.raises(NotAnalysableError, match=rf"need at least {SHORTEST:g} s"):
        analyze_file(blip, AnalysisSettings(min_duration=0))


@pytest.mark.parametrize(
    ("bpm", "folded"), [(60.0, 120.0), (30.0, 120.0), (200.0, 100.0), (120.0, 120.0), (0, 0)])
def test_fold_bpm_into_range(bpm, folded):
    assert fold_bpm(bpm, 70.0, 180.0) == folded


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        pytest.param(AnalysisSettings(key_profile="major-ish"), "key_profile", id="profile"),
        pytest.param(AnalysisSettings(rhythm_method="guess"), "rhythm_method", id="method"),
        pytest.param(AnalysisSettings(min_bpm=100, max_bpm=150), "min_bpm", id="bpm-range"),
        pytest.param(AnalysisSettings(excerpt=2), "excerpt", id="excerpt"),
    ],
)
def test_bad_settings_are_named(settings, named):
    with pytest.raises(ConfigError, match=named):
        settings.validated()


def test_multifeature_method_gives_confidence(clips):
    result = analyze_file(clips[".flac"].path, AnalysisSettings(rhythm_method="multifeature"))
    assert result.bpm == pytest.approx(clips[".flac"].bpm, rel=0.04)
    assert result.bpm_confidence > 0.3


@pytest.mark.parametrize("suffix", [".mp3", ".opus"])
def test_loudness_agrees_with_essentias_ebu_r128(clips, suffix):
    import essentia.standard as es

    from moodplayer.music.decode import SAMPLE_RATE, decode_excerpt
    from moodplayer.music.loudness import loudness

    x = decode_excerpt(clips[suffix].path).samples
    integrated, lra = loudness(x, SAMPLE_RATE)
    _m, _s, ref, ref_lra = es.LoudnessEBUR128(sampleRate=SAMPLE_RATE)(es.StereoMuxer()(x, x))
    assert integrated == pytest.approx(ref - 3.01, abs=0.3)  # dual mono is 3 dB louder
    assert lra == pytest.approx(ref_lra, abs=0.3)


def test_louder_render_measures_louder(tmp_path):
    from moodplayer.music import samples

    soft = analyze_file(samples.render_tune(tmp_path / "soft.flac", seconds=12, gain_db=-24))
    loud = analyze_file(samples.render_tune(tmp_path / "loud.flac", seconds=12, gain_db=-12))
    assert loud.loudness - soft.loudness == pytest.approx(12.0, abs=1.5)
    assert loud.energy > soft.energy


def _clicks(rate: float, seconds: float) -> np.ndarray:
    """``seconds`` of short decaying noise bursts, ``rate`` a second (mono float32)."""
    from moodplayer.music.decode import SAMPLE_RATE

    out = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    burst = (np.random.default_rng(0).normal(0, 0.5, 2000)
             * np.exp(-np.arange(2000) / 300)).astype(np.float32)
    for start in np.arange(0, seconds - 0.1, 1 / rate):
        at = int(start * SAMPLE_RATE)
        out[at:at + len(burst)] += burst
    return out


def test_onset_rate_is_counted_on_the_middle_of_the_cue():
    from moodplayer.music.analyze import CUE_SECONDS, ONSET_SECONDS, analyze_samples
    from moodplayer.music.decode import SAMPLE_RATE

    outer = (CUE_SECONDS - ONSET_SECONDS) / 2
    samples = np.concatenate([_clicks(6.0, outer), _clicks(2.0, ONSET_SECONDS),
                              _clicks(6.0, outer)])
    result = analyze_samples(samples, len(samples) / SAMPLE_RATE)
    assert result.onset_rate == pytest.approx(2.0, abs=0.4)
