"""Benchmark: scoring a 60-s 640x640 30-fps video note vs OpenCV decode-only of the same file.

Run: python bench/video.py [--cores N]   (default: pinned to one core, OpenCV single-threaded)
Goals (issue 6): score <= 3x decode-only, >= 15x faster than real time on one core, peak <= 500 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from media import video, worker  # noqa: E402
from tests.media_video import clips as C  # noqa: E402
from tests.media_video import speechlike  # noqa: E402

CLIP = Path("/tmp/interview_insights_bench_60s_640.mp4")
SECONDS, SIZE, FPS = 60, 640, 30


def build() -> Path:
    """A talking-head note: grace_hopper with small sway, leaving frame 20-23 s, speech with pauses."""
    if CLIP.exists():
        return CLIP
    C.SIZE = SIZE
    face = C.grace()
    frames = [C.place(face, scale=0.8, dx=6 * np.sin(i / 9), dy=4 * np.sin(i / 13)) for i in range(90)]
    wall = C.background()
    spans = [(a, a + 4.0) for a in np.arange(1.0, 58.0, 5.5)]
    sound = speechlike.track(SECONDS, spans)
    tmp = CLIP.with_suffix(".part.mp4")
    C.write_clip(
        tmp, lambda t, i: wall if 20 <= t < 23 else frames[i % 90], SECONDS, fps=FPS, size=SIZE, sound=sound
    )
    tmp.rename(CLIP)
    return CLIP


def decode_only(path: Path) -> tuple[float, int]:
    """Seconds to read() every frame with OpenCV, and the frame count."""
    t0 = time.perf_counter()
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    n = 0
    while True:
        ok, _ = cap.read()
        if not ok:
            break
        n += 1
    cap.release()
    return time.perf_counter() - t0, n


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=1, help="CPU cores to allow (default 1)")
    args = parser.parse_args()
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
    if args.cores == 1:
        cv2.setNumThreads(1)
    path = build()
    worker.init_worker() if args.cores == 1 else video._models()
    print(f"machine: {os.cpu_count()} cpus ({cpu_model()}), python {platform.python_version()}, "
          f"opencv {cv2.__version__}, cores used {args.cores}")  # fmt: skip
    print(f"clip: {path} ({path.stat().st_size / 1e6:.1f} MB, {SECONDS} s, {SIZE}x{SIZE}, {FPS} fps, AAC)")
    decode_only(path)  # warm the file cache
    dec, n = min(decode_only(path) for _ in range(2))
    t0 = time.perf_counter()
    result = worker.score_file(str(path))
    score = time.perf_counter() - t0
    t0 = time.perf_counter()
    video.measure(path)
    score2 = time.perf_counter() - t0
    score = min(score, score2)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = result["metrics"]
    print(f"decode-only (cv2 read of {n} frames): {dec:.2f} s")
    print(f"score (probe + decode + {m['frames_analysed']} analysed frames + audio): {score:.2f} s")
    print(f"score / decode-only: {score / dec:.2f}x   (goal <= 3x)")
    print(f"real-time factor: {SECONDS / score:.1f}x faster than real time   (goal >= 15x)")
    print(f"peak RSS: {peak_mb:.0f} MB   (goal <= 500 MB)")
    print(f"sanity: face_visible {m['face_visible_fraction']:.2f} (truth 0.95), "
          f"speech {m['speech_seconds']:.1f} s (truth 44.0), long pauses {m['long_pauses']}, "
          f"overall {result['overall']}")  # fmt: skip


if __name__ == "__main__":
    main()
