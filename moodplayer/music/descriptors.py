"""Frame-level essentia descriptors summarised per track: what the emotion model reads.

``describe(samples)`` takes mono float32 samples at ``SAMPLE_RATE`` (the analysis' cue
excerpt) and returns ``{name: value}`` for every name in ``DESCRIPTORS``: timbre (MFCC
statistics, spectral shape and contrast), harmony (HPCP key and mode clarity, major/minor
triad share, harmonic change, dissonance), dynamics and rhythm strength. One pass over
non-overlapping 2048-sample frames keeps the cost a fraction of the decode. The
``energy{i}_*`` descriptors follow the level of six frequency bands over time (mean, spread,
frame-to-frame change and 10-90 % range, in dB): how loud the bass, the body and the air
are and how much they move.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from moodplayer.music.decode import SAMPLE_RATE
from moodplayer.music.standard import essentia_standard

FRAME = 2048
#: Frames quieter than this peak amplitude are skipped (digital silence, fades).
_QUIET = 1e-4
#: Spectral peaks kept per frame for the dissonance model: the strongest ones only, so
#: that a dense floor of weak peaks does not pull every frame toward the same value.
DISSONANCE_PEAKS = 12
#: Frames averaged into one chroma block for the harmonic-change measure (~0.5 s).
CHROMA_BLOCK = 11
#: Krumhansl-Kessler key profiles (C major, C minor).
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
#: Triad templates rooted on C (major: C E G; minor: C Eb G).
_MAJ_TRIAD = np.zeros(12)
_MAJ_TRIAD[[0, 4, 7]] = 1.0
_MIN_TRIAD = np.zeros(12)
_MIN_TRIAD[[0, 3, 7]] = 1.0
N_MFCC = 13
N_CONTRAST = 6

DESCRIPTORS: tuple[str, ...] = (
    *(f"mfcc{i}_mean" for i in range(1, N_MFCC)),
    *(f"mfcc{i}_std" for i in range(1, N_MFCC)),
    *(f"contrast{i}_mean" for i in range(N_CONTRAST)),
    *(f"valley{i}_mean" for i in range(N_CONTRAST)),
    *(f"contrast{i}_std" for i in range(N_CONTRAST)),
    "centroid_mean", "centroid_std", "rolloff_mean", "flatness_mean", "flux_mean",
    "flux_std", "pulse_clarity", "rms_std_db", "low_energy", "crest_db",
    "dissonance_mean", "dissonance_std", "dissonance_p10", "dissonance_median",
    "dissonance_p90", "major_fit", "minor_fit", "mode_clarity",
    "tonal_clarity", "chroma_entropy", "major_triad_share", "triad_fit", "harmonic_change",
    "chord_change", "chord_entropy", *(f"chroma_rel{i}" for i in range(12)),
    "pitch_salience_mean", "pitch_salience_std", "zcr_mean", "spread_mean", "skewness_mean",
    "kurtosis_mean", "spectral_entropy", "hfc_mean", "mfcc_change",
    *(f"band{i}_share" for i in range(4)),
    *(f"energy{i}_{stat}" for i in range(6) for stat in ("mean", "std", "change", "range")),
)
#: Edges (Hz) of the four energy bands of ``band*_share``.
BAND_EDGES = (0.0, 150.0, 800.0, 4000.0, SAMPLE_RATE / 2)
#: Edges (Hz) of the six bands whose level over time ``energy*_*`` describe.
ENERGY_EDGES = (0.0, 100.0, 250.0, 800.0, 2000.0, 5000.0, SAMPLE_RATE / 2)


@functools.lru_cache(maxsize=1)
def _algorithms() -> dict[str, object]:
    """essentia algorithm instances, made once per process."""
    es = essentia_standard()
    return {
        "window": es.Windowing(type="hann", size=FRAME),
        "spectrum": es.Spectrum(size=FRAME),
        "mfcc": es.MFCC(inputSize=FRAME // 2 + 1, sampleRate=SAMPLE_RATE,
                        numberCoefficients=N_MFCC),
        "contrast": es.SpectralContrast(frameSize=FRAME, sampleRate=SAMPLE_RATE,
                                        numberBands=N_CONTRAST),
        "centroid": es.Centroid(range=SAMPLE_RATE / 2),
        "rolloff": es.RollOff(sampleRate=SAMPLE_RATE),
        "flatness": es.Flatness(),
        "flux": es.Flux(),
        "peaks": es.SpectralPeaks(orderBy="magnitude", magnitudeThreshold=1e-5,
                                  maxPeaks=60, minFrequency=40, maxFrequency=5000,
                                  sampleRate=SAMPLE_RATE),
        "hpcp": es.HPCP(size=12, referenceFrequency=440.0 * 2 ** (3 / 12),  # bin 0 = C
                        harmonics=4, nonLinear=False, normalized="unitMax",
                        sampleRate=SAMPLE_RATE),
        "dissonance": es.Dissonance(),
        "salience": es.PitchSalience(sampleRate=SAMPLE_RATE),
        "zcr": es.ZeroCrossingRate(),
        "moments": es.CentralMoments(range=SAMPLE_RATE / 2),
        "shape": es.DistributionShape(),
        "hfc": es.HFC(sampleRate=SAMPLE_RATE),
    }


def _dissonance(alg: dict[str, object], freqs: np.ndarray, mags: np.ndarray) -> float | None:
    """Sensory dissonance of the strongest peaks (ordered by frequency, as essentia needs)."""
    if len(freqs) < 2:
        return None
    top = np.argsort(mags)[::-1][:DISSONANCE_PEAKS]
    order = top[np.argsort(freqs[top])]
    return float(alg["dissonance"](np.ascontiguousarray(freqs[order], dtype=np.float32),
                                   np.ascontiguousarray(mags[order], dtype=np.float32)))


def _key_fits(chroma: np.ndarray) -> tuple[float, float]:
    """Best correlation of the mean chroma with any major and any minor key profile."""
    if not np.any(chroma > 0):
        return 0.0, 0.0
    major = max(float(np.corrcoef(chroma, np.roll(_MAJOR, k))[0, 1]) for k in range(12))
    minor = max(float(np.corrcoef(chroma, np.roll(_MINOR, k))[0, 1]) for k in range(12))
    return major, minor


def _relative_chroma(chroma: np.ndarray) -> np.ndarray:
    """The mean chroma (sum 1) rotated so the tonic of its best-fitting key is bin 0."""
    p = chroma / chroma.sum() if chroma.sum() > 0 else np.full(12, 1 / 12)
    fits = [np.corrcoef(p, np.roll(profile, k))[0, 1] if np.ptp(p) > 0 else 0.0
            for profile in (_MAJOR, _MINOR) for k in range(12)]
    return np.roll(p, -(int(np.argmax(fits)) % 12))


def _triads(blocks: np.ndarray) -> tuple[float, float, float, float]:
    """Major-triad share, mean best fit, chord change rate and chord entropy of the blocks."""
    norms = np.linalg.norm(blocks, axis=1, keepdims=True)
    unit = blocks / np.where(norms > 0, norms, 1.0)
    templates = np.stack([np.roll(t, k) for t in (_MAJ_TRIAD, _MIN_TRIAD) for k in range(12)])
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    fit = unit @ templates.T  # (blocks, 24): first 12 major, last 12 minor
    best = fit.argmax(axis=1)
    counts = np.bincount(best, minlength=24) / len(best)
    entropy = float(-np.sum(counts[counts > 0] * np.log2(counts[counts > 0])))
    change = float(np.mean(best[1:] != best[:-1])) if len(best) > 1 else 0.0
    return float(np.mean(best < 12)), float(np.mean(fit.max(axis=1))), change, entropy


def _pulse_clarity(flux: np.ndarray) -> float:
    """Highest normalised autocorrelation of the onset envelope at 40-200 BPM lags."""
    env = flux - flux.mean()
    denom = float(np.dot(env, env))
    if denom <= 0 or len(env) < 64:
        return 0.0
    ac = np.correlate(env, env, mode="full")[len(env) - 1:] / denom
    fps = SAMPLE_RATE / FRAME
    lo, hi = int(fps * 60 / 200), int(fps * 60 / 40) + 1
    return float(np.max(ac[lo:hi])) if hi < len(ac) else 0.0


def describe(samples: np.ndarray) -> dict[str, float]:
    """Every descriptor in ``DESCRIPTORS`` of mono float32 samples at ``SAMPLE_RATE``."""
    alg = _algorithms()
    alg["flux"].reset()  # it remembers the last spectrum: the previous track's otherwise
    n_frames = len(samples) // FRAME
    frames = np.asarray(samples[:n_frames * FRAME], dtype=np.float32).reshape(n_frames, FRAME)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    loud = np.abs(frames).max(axis=1) >= _QUIET
    mfccs, contrasts, valleys, chromas, dissonances = [], [], [], [], []
    centroid, rolloff, flatness, flux, salience, zcr, shapes, hfc = ([] for _ in range(8))
    spectra = []
    for frame in frames[loud]:
        spec = alg["spectrum"](alg["window"](frame))
        spectra.append(spec)
        salience.append(alg["salience"](spec))
        zcr.append(alg["zcr"](frame))
        shapes.append(alg["shape"](alg["moments"](spec)))
        hfc.append(alg["hfc"](spec))
        mfccs.append(alg["mfcc"](spec)[1])
        con, val = alg["contrast"](spec)
        contrasts.append(con)
        valleys.append(val)
        centroid.append(alg["centroid"](spec))
        rolloff.append(alg["rolloff"](spec))
        flatness.append(alg["flatness"](spec))
        flux.append(alg["flux"](spec))
        freqs, mags = alg["peaks"](spec)
        chromas.append(alg["hpcp"](freqs, mags))
        d = _dissonance(alg, np.asarray(freqs), np.asarray(mags))
        if d is not None:
            dissonances.append(d)
    if len(mfccs) < 2 * CHROMA_BLOCK:
        raise ValueError(f"only {len(mfccs)} non-silent frames to describe")
    mfcc = np.array(mfccs)[:, 1:]
    contrast, valley = np.array(contrasts), np.array(valleys)
    chroma = np.array(chromas)
    mean_chroma = chroma.mean(axis=0)
    major, minor = _key_fits(mean_chroma)
    p = mean_chroma / mean_chroma.sum() if mean_chroma.sum() > 0 else np.full(12, 1 / 12)
    n_blocks = len(chroma) // CHROMA_BLOCK
    blocks = chroma[:n_blocks * CHROMA_BLOCK].reshape(n_blocks, CHROMA_BLOCK, 12).mean(axis=1)
    unit = blocks / np.maximum(np.linalg.norm(blocks, axis=1, keepdims=True), 1e-9)
    change = 1.0 - np.sum(unit[1:] * unit[:-1], axis=1)
    major_share, triad_fit, chord_change, chord_entropy = _triads(blocks)
    frame_power = np.square(np.array(spectra), dtype=np.float64)
    power = frame_power.sum(axis=0)
    freqs = np.arange(len(power)) * SAMPLE_RATE / FRAME
    bands = np.array([power[(freqs >= lo) & (freqs < hi)].sum()
                      for lo, hi in itertools.pairwise(BAND_EDGES)])
    bands /= max(bands.sum(), 1e-12)
    spectrum_p = power / max(power.sum(), 1e-12)
    shape = np.array(shapes)
    rms_db = 20 * np.log10(np.maximum(rms[loud], 1e-9))
    flux_a = np.array(flux)
    out = {
        **{f"mfcc{i + 1}_mean": float(v) for i, v in enumerate(mfcc.mean(axis=0))},
        **{f"mfcc{i + 1}_std": float(v) for i, v in enumerate(mfcc.std(axis=0))},
        **{f"contrast{i}_mean": float(v) for i, v in enumerate(contrast.mean(axis=0))},
        **{f"valley{i}_mean": float(v) for i, v in enumerate(valley.mean(axis=0))},
        **{f"contrast{i}_std": float(v) for i, v in enumerate(contrast.std(axis=0))},
        "centroid_mean": float(np.mean(centroid)),
        "centroid_std": float(np.std(centroid)),
        "rolloff_mean": float(np.mean(rolloff)),
        "flatness_mean": float(np.mean(flatness)),
        "flux_mean": float(flux_a.mean()),
        "flux_std": float(flux_a.std()),
        "pulse_clarity": _pulse_clarity(flux_a),
        "rms_std_db": float(rms_db.std()),
        "low_energy": float(np.mean(rms[loud] < rms[loud].mean())),
        "crest_db": float(20 * np.log10(max(np.abs(samples).max(), 1e-9)
                                        / max(float(np.sqrt(np.mean(rms[loud] ** 2))), 1e-9))),
        "dissonance_mean": float(np.mean(dissonances)) if dissonances else 0.0,
        "dissonance_std": float(np.std(dissonances)) if dissonances else 0.0,
        **_spread(dissonances, "dissonance"),
        "major_fit": major,
        "minor_fit": minor,
        "mode_clarity": major - minor,
        "tonal_clarity": max(major, minor),
        "chroma_entropy": float(-np.sum(p * np.log2(np.maximum(p, 1e-12)))),
        "major_triad_share": major_share,
        "triad_fit": triad_fit,
        "harmonic_change": float(change.mean()) if len(change) else 0.0,
        "chord_change": chord_change,
        "chord_entropy": chord_entropy,
        **{f"chroma_rel{i}": float(v) for i, v in enumerate(_relative_chroma(mean_chroma))},
        "pitch_salience_mean": float(np.mean(salience)),
        "pitch_salience_std": float(np.std(salience)),
        "zcr_mean": float(np.mean(zcr)),
        "spread_mean": float(np.mean(shape[:, 0])),
        "skewness_mean": float(np.mean(shape[:, 1])),
        "kurtosis_mean": float(np.mean(np.log1p(np.maximum(shape[:, 2], 0.0)))),
        "spectral_entropy": float(-np.sum(spectrum_p * np.log2(np.maximum(spectrum_p, 1e-20)))),
        "hfc_mean": float(np.log1p(np.mean(hfc))),
        "mfcc_change": float(np.mean(np.abs(np.diff(mfcc, axis=0)))),
        **{f"band{i}_share": float(v) for i, v in enumerate(bands)},
        **_energy_levels(frame_power, freqs),
    }
    return out


def _spread(values: list[float], name: str) -> dict[str, float]:
    """10th, 50th and 90th percentile of ``values`` (0 where there are none)."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90]) if values else (0.0, 0.0, 0.0)
    return {f"{name}_p10": float(p10), f"{name}_median": float(p50), f"{name}_p90": float(p90)}


def _energy_levels(frame_power: np.ndarray, freqs: np.ndarray) -> dict[str, float]:
    """Mean, spread, mean frame-to-frame change and 10-90 % range of each band's level (dB)."""
    out = {}
    for i, (lo, hi) in enumerate(itertools.pairwise(ENERGY_EDGES)):
        level = 10 * np.log10(frame_power[:, (freqs >= lo) & (freqs < hi)].sum(axis=1) + 1e-10)
        p10, p90 = np.percentile(level, [10, 90])
        out |= {f"energy{i}_mean": float(level.mean()), f"energy{i}_std": float(level.std()),
                f"energy{i}_change": float(np.mean(np.abs(np.diff(level)))),
                f"energy{i}_range": float(p90 - p10)}
    return out
