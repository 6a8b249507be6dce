"""Sound track of a video answer -> speaking time, long pauses and pace (PyAV + webrtcvad)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import av
import numpy as np
import webrtcvad

logger = logging.getLogger(__name__)

RATE = 16_000
FRAME_MS = 30
FRAME_LEN = RATE * FRAME_MS // 1000
#: webrtcvad aggressiveness (0-3); 2 ignores steady room noise but keeps soft speech.
VAD_MODE = 2
#: Frames quieter than this (dBFS) are silence whatever the VAD says (it fires on hiss).
MIN_SPEECH_DBFS = -50.0
#: Silences shorter than this inside speech are breaths between words, not pauses.
BRIDGE_GAP_S = 0.3
#: Speech runs shorter than this are clicks or noise.
MIN_SEGMENT_S = 0.12
#: A silence of at least this long between two stretches of speech is a "long pause".
LONG_PAUSE_S = 2.0
#: Syllable nuclei: envelope peaks at least this far apart and this many dB above the valleys.
SYLLABLE_MIN_GAP_S = 0.1
SYLLABLE_PROMINENCE_DB = 4.0


@dataclass(frozen=True)
class SpeechStats:
    """Voice activity summary of a sound track."""

    speech_seconds: float
    long_pauses: int
    longest_pause_s: float
    pace_spm: float | None  # estimated syllables per minute of speaking; None with < 2 s of speech
    segments: tuple[tuple[float, float], ...]


def load_pcm(path: str | os.PathLike) -> np.ndarray | None:
    """First audio stream as 16 kHz mono int16 samples, or None when there is none or it is unreadable."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            chunks = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        logger.info("audio decode failed: %s", exc)
        return None
    return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)


def voiced_frames(pcm: np.ndarray) -> np.ndarray:
    """Boolean per 30-ms frame: webrtcvad says speech and the frame is loud enough."""
    n = len(pcm) // FRAME_LEN
    if n == 0:
        return np.zeros(0, bool)
    frames = pcm[: n * FRAME_LEN].reshape(n, FRAME_LEN)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-9
    loud = 20 * np.log10(rms / 32768.0) >= MIN_SPEECH_DBFS
    vad = webrtcvad.Vad(VAD_MODE)
    return np.array(
        [bool(loud[i]) and vad.is_speech(frames[i].tobytes(), RATE) for i in range(n)], dtype=bool
    )


def segments_from_frames(voiced: np.ndarray, frame_s: float = FRAME_MS / 1000) -> list[tuple[float, float]]:
    """Runs of voiced frames -> (start, end) seconds, bridging short gaps and dropping blips."""
    segs: list[list[float]] = []
    for i, v in enumerate(voiced):
        if not v:
            continue
        start, end = i * frame_s, (i + 1) * frame_s
        if segs and start - segs[-1][1] < BRIDGE_GAP_S:
            segs[-1][1] = end
        else:
            segs.append([start, end])
    return [(a, b) for a, b in segs if b - a >= MIN_SEGMENT_S]


def count_syllables(pcm: np.ndarray, segments: list[tuple[float, float]]) -> int:
    """Syllable nuclei: prominent peaks of the 10-ms energy envelope inside speech."""
    hop = RATE // 100
    n = len(pcm) // hop
    if n < 3:
        return 0
    x = pcm[: n * hop].astype(np.float64).reshape(n, hop)
    env = 10 * np.log10(np.mean(x**2, axis=1) + 1.0)
    env = np.convolve(env, np.ones(5) / 5, mode="same")  # 50-ms smoothing
    min_gap = int(SYLLABLE_MIN_GAP_S * 100)
    count = 0
    for a, b in segments:
        seg = env[int(a * 100) : int(b * 100) + 1]
        last_peak = -min_gap
        valley = seg[0] if len(seg) else 0.0
        for i in range(1, len(seg) - 1):
            valley = min(valley, seg[i])
            is_peak = seg[i] >= seg[i - 1] and seg[i] > seg[i + 1]
            if is_peak and seg[i] - valley >= SYLLABLE_PROMINENCE_DB and i - last_peak >= min_gap:
                count += 1
                last_peak = i
                valley = seg[i]
    return count


def stats_from_pcm(pcm: np.ndarray) -> SpeechStats:
    """Speaking time, long pauses and pace of 16 kHz mono samples."""
    segments = segments_from_frames(voiced_frames(pcm))
    speech = sum(b - a for a, b in segments)
    gaps = [b[0] - a[1] for a, b in zip(segments, segments[1:], strict=False)]
    long_gaps = [g for g in gaps if g >= LONG_PAUSE_S]
    pace = count_syllables(pcm, segments) / (speech / 60) if speech >= 2.0 else None
    return SpeechStats(
        speech_seconds=float(speech),
        long_pauses=len(long_gaps),
        longest_pause_s=float(max(gaps, default=0.0)),
        pace_spm=float(pace) if pace is not None else None,
        segments=tuple((float(a), float(b)) for a, b in segments),
    )


def analyse(path: str | os.PathLike) -> SpeechStats | None:
    """Speech statistics of a file's sound track; None when it has no readable sound."""
    pcm = load_pcm(path)
    if pcm is None:
        return None
    return stats_from_pcm(pcm)
