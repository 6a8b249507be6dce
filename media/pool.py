"""A process pool for video scoring, so decoding and models never block the event loop."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from media import worker

logger = logging.getLogger(__name__)


class ScoringPool:
    """Scores video files in worker processes (started lazily, models loaded once per worker)."""

    def __init__(self, workers: int = 1) -> None:
        self._workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")  # no fork of a process running an event loop
            self._executor = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=worker.init_worker
            )
        return self._executor

    async def score(self, path: Path, max_duration_s: float, timeout_s: float) -> tuple[dict, bytes]:
        """(result dict, scorecard PNG); raises media.video.VideoError or TimeoutError."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool(), _score_with_chart, str(path), max_duration_s)
        return await asyncio.wait_for(future, timeout_s)

    def close(self) -> None:
        """Stop the workers (pending jobs are cancelled)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _score_with_chart(path: str, max_duration_s: float) -> tuple[dict, bytes]:
    return worker.score_file_with_chart(path, max_duration_s=max_duration_s)
