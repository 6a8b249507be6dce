"""Synthetic speech-like sound (voiced syllables with vowel formants) that webrtcvad accepts."""

from __future__ import annotations

import numpy as np

RATE = 16_000
#: Vowel formants (Hz) cycled through the syllables, like /a/, /i/, /u/, /e/.
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480))


def syllables(duration_s: float, rate_hz: float = 4.0, f0: float = 130.0, seed: int = 0) -> np.ndarray:
    """Voiced syllables at `rate_hz`: harmonics of a wobbling f0 shaped by formants, with on/off envelope."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE)
    t = np.arange(n) / RATE
    pitch = f0 * (1 + 0.08 * np.sin(2 * np.pi * 0.7 * t) + 0.02 * rng.standard_normal(1))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    syl = np.floor(t * rate_hz).astype(int)
    out = np.zeros(n)
    for k in range(1, 30):
        fk = k * pitch
        amp = np.zeros(n)
        for v, formants in enumerate(VOWELS):
            mask = syl % len(VOWELS) == v
            gain = sum(1.0 / (1.0 + ((fk[mask] - f) / 90.0) ** 2) for f in formants)
            amp[mask] = gain / k**0.5
        out += amp * np.sin(k * phase)
    pos = (t * rate_hz) % 1.0  # place inside the syllable
    envelope = np.clip(np.sin(np.pi * np.clip(pos / 0.7, 0, 1)), 0, 1) ** 0.6
    out *= envelope
    out += 0.01 * rng.standard_normal(n)
    return (0.3 * out / np.abs(out).max()).astype(np.float32)


def track(duration_s: float, speech: list[tuple[float, float]], rate_hz: float = 4.0) -> np.ndarray:
    """A track of speech-like syllables in each (start, end) span, room noise elsewhere."""
    rng = np.random.default_rng(1)
    out = (0.002 * rng.standard_normal(int(duration_s * RATE))).astype(np.float32)
    for i, (a, b) in enumerate(speech):
        seg = syllables(b - a, rate_hz=rate_hz, seed=i)
        start = int(a * RATE)
        out[start : start + len(seg)] += seg[: len(out) - start]
    return out
