"""Test clips with known ground truth, built with PyAV (H.264 MP4) from real faces shipped in wheels."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import matplotlib
import numpy as np

SIZE = 320
FPS = 15
BACKGROUND = (96, 110, 120)
AUDIO_RATE = 16_000

Frame = Callable[[float, int], np.ndarray]


def grace() -> np.ndarray:
    """Grace Hopper (neutral, glasses), head and shoulders, BGR."""
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return cv2.imread(str(path))[40:470, 40:470]


def astronaut() -> np.ndarray:
    """Eileen Collins (smiling), cropped to head and shoulders, BGR."""
    from skimage import data

    return cv2.cvtColor(data.astronaut()[20:300, 90:370], cv2.COLOR_RGB2BGR)


def background() -> np.ndarray:
    """A plain wall with a soft gradient (no face-like texture)."""
    ramp = np.linspace(0.85, 1.1, SIZE)[None, :, None]
    return np.clip(np.full((SIZE, SIZE, 3), BACKGROUND, np.float64) * ramp, 0, 255).astype(np.uint8)


def place(face: np.ndarray, scale: float = 0.95, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """The face image scaled to `scale` of the frame, shifted by (dx, dy) pixels, over the wall."""
    out = background()
    side = max(2, round(SIZE * scale))
    img = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    x0 = (SIZE - side) / 2 + dx
    y0 = (SIZE - side) / 2 + dy
    m = np.float32([[1, 0, x0], [0, 1, y0]])
    return cv2.warpAffine(img, m, (SIZE, SIZE), dst=out, borderMode=cv2.BORDER_TRANSPARENT)


def turn(img: np.ndarray, degrees: float) -> np.ndarray:
    """The picture wrapped round a vertical cylinder and turned by `degrees` (a head turned aside)."""
    h, w = img.shape[:2]
    cx, r = w / 2, w * 0.42
    xs = np.arange(w, dtype=np.float32)
    u = (xs - cx) / r
    phi = np.arcsin(np.clip(u, -1, 1)) - np.radians(degrees)
    valid = (np.abs(u) <= 1) & (np.abs(phi) < np.pi / 2)
    sx = np.where(valid, cx + r * np.sin(phi), -1).astype(np.float32)
    mapx = np.tile(sx, (h, 1))
    mapy = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w))
    return cv2.remap(
        img, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=BACKGROUND
    )


def write_clip(
    path: Path,
    frame: Frame,
    duration_s: float,
    *,
    fps: int = FPS,
    size: int = SIZE,
    sound: np.ndarray | None = None,
    container: str = "mp4",
    codec: str = "libx264",
) -> Path:
    """Encode frame(t, i) for duration_s at fps (H.264 MP4 by default), with an optional AAC mono track."""
    with av.open(str(path), "w", format=container) as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width = vs.height = size
        vs.pix_fmt = "yuv420p"
        if codec == "libx264":
            vs.options = {"preset": "ultrafast", "crf": "20"}
        astream = None
        if sound is not None:
            astream = out.add_stream(
                "aac" if container == "mp4" else "libopus", rate=AUDIO_RATE if container == "mp4" else 48_000
            )
            astream.layout = "mono"
        for i in range(round(duration_s * fps)):
            img = frame(i / fps, i)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[:, :, ::-1]), format="rgb24")
            for packet in vs.encode(vf):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        if astream is not None:
            _write_audio(out, astream, sound)
    return path


def _write_audio(out, astream, sound: np.ndarray) -> None:
    """Encode float samples in [-1, 1] at 16 kHz into the audio stream (resampled as needed)."""
    rate = astream.rate
    if rate != AUDIO_RATE:
        n = int(len(sound) * rate / AUDIO_RATE)
        sound = np.interp(np.linspace(0, len(sound) - 1, n), np.arange(len(sound)), sound).astype(np.float32)
    resampler = av.AudioResampler(format=astream.format.name, layout="mono", rate=rate)
    chunk = 1024
    for start in range(0, len(sound), chunk):
        block = sound[start : start + chunk][None, :].astype(np.float32)
        af = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
        af.sample_rate = rate
        af.pts = start
        af.time_base = Fraction(1, rate)
        for rf in resampler.resample(af):
            for packet in astream.encode(rf):
                out.mux(packet)
    for packet in astream.encode(None):
        out.mux(packet)


def write_audio_only(path: Path, sound: np.ndarray) -> Path:
    """An AAC-in-MP4 file with sound and no picture (a voice memo renamed .mp4)."""
    with av.open(str(path), "w", format="mp4") as out:
        astream = out.add_stream("aac", rate=AUDIO_RATE)
        astream.layout = "mono"
        _write_audio(out, astream, sound)
    return path
