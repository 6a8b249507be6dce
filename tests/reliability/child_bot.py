"""A console bot in its own process, for the SIGKILL tests (tests/reliability/test_sigkill.py).

`python -m tests.reliability.child_bot <db url> <folder>` serves stdin like `main.py --adapter console`,
with the test configuration under <folder>; its scorer runs each video in a real worker process
(media.pool.WorkerPool) that never finishes, so a kill always lands mid-scoring. Prints
{"pid": ..., "workers": [...]} on stderr whenever a scoring starts.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import time
from pathlib import Path

from bots.console.adapter import ConsoleAdapter
from core.app import bootstrap
from media.pool import WorkerPool
from tests.support.config import test_config


class EndlessScorer:
    """Scores in a worker process that sleeps for an hour: the bot is always killed before it ends."""

    def __init__(self) -> None:
        self.pool = WorkerPool(1)

    async def score(self, path: Path, max_duration_s: float, timeout_s: float):
        self.pool.start()
        job = self.pool.run(functools.partial(time.sleep, 3600), timeout=3600)
        task = asyncio.ensure_future(job)
        await asyncio.sleep(0.2)  # the worker has the job
        print(json.dumps({"pid": os.getpid(), "workers": self.pool.pids()}), file=sys.stderr, flush=True)
        return await task

    def close(self) -> None:
        self.pool.close_nowait()


async def main(db_url: str, folder: str) -> None:
    config = test_config(Path(folder), insights={"chart_workers": 0})  # quick to start and to kill
    app = await bootstrap(config, db_url=db_url, scorer=EndlessScorer())
    try:
        await ConsoleAdapter(app, config).run()
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
