"""Tag probabilities of a track from musicnn's pretrained networks, run with onnxruntime.

musicnn (Pons & Serra, 2019; ISC licence; weights inside its PyPI wheel) learned to tag
music from millions of listeners' tags: the Million Song Dataset's 50 commonest Last.fm
tags (``MSD``: genres, eras, and words such as sad, happy, mellow, chill, party) and
MagnaTagATune's 50 (``MTT``: fast, slow, loud, quiet, soft, ambient, ...). What those
tags say about a track is what the emotion model reads besides the essentia descriptors.
``bench/musicnn_to_onnx.py`` converted both networks to ONNX (``models/musicnn-*.onnx``,
see their cards).

``listen(samples)`` takes the analysis' cue excerpt (mono float32 at ``SAMPLE_RATE``),
resamples it to 16 kHz, computes the log-mel spectrogram musicnn was trained on
(librosa's defaults: 512-point periodic Hann window, hop 256, 96 Slaney mel bands, power
2, ``log10(1 + 10000 x)``), cuts it into non-overlapping 3 s patches, keeps the
``PATCHES`` loudest and returns, per network, the mean logit of each tag's probability
over them and the mean of the 200 units of its penultimate layer (the ``embedding``
output: what the network knows about the sound before it names tags). The loudest
passages are where a track shows its energy: the four loudest of ten rank the 4Q clips'
arousal better than four spread evenly, or all ten (docs/benchmarks/music-emotion.md).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from moodplayer import runtime
from moodplayer.exceptions import AnalysisError
from moodplayer.music.decode import SAMPLE_RATE
from moodplayer.resources import model_file

#: What musicnn's front end expects.
TAG_RATE = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
#: Frames of one patch (3 s at 16 kHz, hop 256), what the networks take at once.
PATCH_FRAMES = 187
#: Patches run per track, the loudest of the cue excerpt's (fewer on shorter audio): each
#: costs ~30 ms a network (docs/benchmarks/music-throughput.md).
PATCHES = 4
#: The periodic Hann window librosa's STFT uses.
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)

MSD_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s",
    "chill", "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country",
    "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "Progressive rock",
    "60s", "rnb", "indie pop", "sad", "House", "happy")
MTT_TAGS: tuple[str, ...] = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock",
    "fast", "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian",
    "opera", "male", "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet",
    "flute", "woman", "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man",
    "classic", "choir", "voice", "new age", "dance", "male voice", "female vocal", "beats",
    "harp", "cello", "no voice", "weird", "country", "metal", "female voice", "choral")


@dataclass(frozen=True)
class Network:
    """One converted musicnn network: its model file and the tags it outputs, in order."""

    name: str  # feature prefix
    file: str  # in models/
    tags: tuple[str, ...]


NETWORKS: tuple[Network, ...] = (Network("msd", "musicnn-msd.onnx", MSD_TAGS),
                                  Network("mtt", "musicnn-mtt.onnx", MTT_TAGS))


def _slug(tag: str) -> str:
    return tag.lower().replace(" ", "_").replace("-", "_")


#: Feature names, ``<network>_<tag>``, in the order ``listen`` returns them.
TAG_FEATURES: tuple[str, ...] = tuple(f"{n.name}_{_slug(t)}" for n in NETWORKS for t in n.tags)
#: Units of each network's penultimate layer (its ``embedding`` output).
EMBEDDING_UNITS = 200
#: Feature names, ``<network>_e<unit>``, in the order ``listen`` returns the embeddings.
EMBEDDING_FEATURES: tuple[str, ...] = tuple(f"{n.name}_e{i:03d}" for n in NETWORKS
                                            for i in range(EMBEDDING_UNITS))


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, ``htk=False``): linear below 1 kHz, log above."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp((math.log(6.4) / 27.0) * (mel - 15.0)),
                    mel * (200.0 / 3))


@functools.lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """The (N_MELS, N_FFT // 2 + 1) Slaney-normalised mel filterbank librosa builds."""
    bins = np.linspace(0.0, TAG_RATE / 2, N_FFT // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(TAG_RATE / 2), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def log_mel(samples16k: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) log-compressed mel spectrogram of 16 kHz mono audio, as musicnn's."""
    padded = np.pad(np.asarray(samples16k, dtype=np.float32), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return np.log10(1.0 + 10000.0 * (power.astype(np.float32) @ mel_filters().T))


def split_patches(mel: np.ndarray) -> np.ndarray:
    """Every whole non-overlapping (PATCH_FRAMES, N_MELS) patch of ``mel``, in time order,
    as one float32 batch; a spectrogram shorter than one patch is repeated to fill one."""
    if len(mel) < PATCH_FRAMES:
        mel = np.resize(mel, (PATCH_FRAMES, mel.shape[1]))
    whole = len(mel) // PATCH_FRAMES
    return mel[:whole * PATCH_FRAMES].reshape(whole, PATCH_FRAMES, mel.shape[1]).astype(
        np.float32)


def levels(batch: np.ndarray) -> np.ndarray:
    """How loud each patch of ``batch`` is: its mean log-mel."""
    return batch.mean(axis=(1, 2))


def loudest(level: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest of the patch levels ``level``, in time order."""
    return np.sort(np.argsort(-level, kind="stable")[:count])


def patches(mel: np.ndarray, count: int = PATCHES) -> np.ndarray:
    """The ``count`` loudest of ``split_patches(mel)``, in time order."""
    batch = split_patches(mel)
    return batch[loudest(levels(batch), count)]


_OUTPUTS = ("tags", "embedding")


@functools.lru_cache(maxsize=len(NETWORKS))
def _session(file: str) -> Any:
    path = model_file(file)
    session = runtime.inference_session(path, "musicnn", AnalysisError)
    if [o.name for o in session.get_outputs()][:2] != list(_OUTPUTS):
        raise AnalysisError(f"{path}: not a musicnn model (no 'tags' and 'embedding' outputs)")
    return session


def check() -> None:
    """Load both networks now; AnalysisError naming the file if one is missing or unusable."""
    for network in NETWORKS:
        _session(network.file)


def spectrogram(samples: np.ndarray) -> np.ndarray:
    """``log_mel`` of mono float32 samples at ``SAMPLE_RATE``, resampled to 16 kHz first."""
    from scipy.signal import resample_poly

    g = math.gcd(TAG_RATE, SAMPLE_RATE)
    return log_mel(resample_poly(samples, TAG_RATE // g, SAMPLE_RATE // g).astype(np.float32))


def patch_outputs(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per patch of ``batch``: the logit of each tag's probability (patches,
    len(TAG_FEATURES)) and the penultimate units (patches, len(EMBEDDING_FEATURES)),
    both float64."""
    logits, embeddings = [], []
    for network in NETWORKS:
        session = _session(network.file)
        # One patch a run: batching them grows onnxruntime's arena by ~100 MB a patch
        # for no speed (docs/benchmarks/music-throughput.md).
        runs = [session.run(list(_OUTPUTS), {"melspec": batch[i:i + 1]})
                for i in range(len(batch))]
        probs = np.concatenate([r[0] for r in runs]).astype(np.float64)
        p = np.clip(probs, 1e-4, 1 - 1e-4)
        logits.append(np.log(p / (1 - p)))
        embeddings.append(np.concatenate([r[1] for r in runs]).astype(np.float64))
    return np.concatenate(logits, axis=1), np.concatenate(embeddings, axis=1)


def listen(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``TAG_FEATURES`` and ``EMBEDDING_FEATURES`` of mono float32 samples at
    ``SAMPLE_RATE``: the mean tag logits and penultimate units over the ``PATCHES``
    loudest patches (float64)."""
    logits, embeddings = patch_outputs(patches(spectrogram(samples)))
    return logits.mean(axis=0), embeddings.mean(axis=0)
