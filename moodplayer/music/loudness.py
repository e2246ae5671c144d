"""Loudness of mono audio after ITU-R BS.1770-4 / EBU R128, in numpy and scipy.

About ten times cheaper than essentia's LoudnessEBUR128 (which needs a stereo copy of
the signal); the test suite checks the two agree. scipy.signal is imported on the first
call, not with this module: importing it takes about 0.6 s, and every ``beet`` command
imports this module through the plugin's options (docs/benchmarks/music-throughput.md).
"""

from __future__ import annotations

import math

import numpy as np

_ABSOLUTE_GATE = -70.0  # LUFS


def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting biquads (high shelf, then high pass) for ``rate`` Hz."""
    # Coefficients derived for any sample rate as in libebur128 / pyloudnorm.
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0,
                       (vh - vb * k / q + k * k) / a0]),
             np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]))
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = (np.array([1.0, -2.0, 1.0]),
                np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]))
    return [shelf, highpass]


def _block_power(power_sum: np.ndarray, size: int, step: int) -> np.ndarray:
    starts = np.arange(0, len(power_sum) - size, step)
    return (power_sum[starts + size] - power_sum[starts]) / size


def _lufs(power: np.ndarray) -> np.ndarray:
    return -0.691 + 10 * np.log10(np.maximum(power, 1e-20))


def loudness(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """Integrated loudness (LUFS) and loudness range (LU) of mono ``samples``.

    Gating follows EBU R128: 400 ms blocks for integrated loudness (absolute gate
    -70 LUFS, relative gate -10 LU), 3 s blocks for the range (relative gate -20 LU,
    10th to 95th percentile). Returns (-70.0, 0.0) for silence or audio under 400 ms.
    """
    from scipy.signal import lfilter

    y = np.asarray(samples, dtype=np.float64)
    for b, a in _k_weighting(rate):
        y = lfilter(b, a, y)
    power_sum = np.concatenate(([0.0], np.cumsum(y * y)))
    blocks = _block_power(power_sum, int(0.4 * rate), int(0.1 * rate))
    blocks = blocks[_lufs(blocks) > _ABSOLUTE_GATE]
    if blocks.size == 0:
        return _ABSOLUTE_GATE, 0.0
    relative = _lufs(np.mean(blocks)) - 10.0
    integrated = float(_lufs(np.mean(blocks[_lufs(blocks) > relative])))
    short = _lufs(_block_power(power_sum, 3 * rate, int(0.1 * rate)))
    short = short[short > _ABSOLUTE_GATE]
    if short.size == 0:
        return integrated, 0.0
    short = short[short > _lufs(np.mean(10 ** ((short + 0.691) / 10))) - 20.0]
    low, high = np.percentile(short, [10, 95])
    return integrated, float(high - low)
