"""A scorer for `python main.py worker --import tests.queue.blocking`: it blocks on a marker file.

`score(path)` writes `<path>.started` holding the worker's pid, waits until `<path>.go` exists, then
returns a fixed scorecard. A test can therefore kill a worker while it is certainly mid-job.
"""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import Any

from PIL import Image as PILImage

from core import queue_tasks

RESULT: dict[str, Any] = {
    "overall": 71,
    "scores": {"face_visible": 95, "eye_contact": 60, "lighting": 40},
    "tips": {"face_visible": "Good.", "eye_contact": "Look at the lens.", "lighting": "Face a window."},
    "labels": {
        "face_visible": "Face in view",
        "eye_contact": "Looking at the camera",
        "lighting": "Lighting",
    },
    "metrics": {"duration_s": 3.0, "face_visible_fraction": 0.95},
}


def started_marker(video: Path) -> Path:
    """Written (with the worker's pid) when a worker starts scoring `video`."""
    return video.with_name(video.name + ".started")


def go_marker(video: Path) -> Path:
    """Scoring of `video` finishes once this file exists."""
    return video.with_name(video.name + ".go")


class BlockingScorer:
    """The Scorer port: blocks until the go marker exists, then returns RESULT and a small PNG."""

    async def score(self, path: Path, max_duration_s: float, timeout_s: float) -> tuple[dict, bytes]:
        started_marker(path).write_text(str(os.getpid()), encoding="utf-8")
        while not go_marker(path).exists():
            await asyncio.sleep(0.05)
        buffer = io.BytesIO()
        PILImage.new("RGB", (40, 30), "white").save(buffer, format="PNG")
        return RESULT, buffer.getvalue()

    def close(self) -> None:
        pass


queue_tasks.use_scorer(BlockingScorer)
