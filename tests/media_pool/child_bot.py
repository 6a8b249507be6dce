"""A stand-in bot for test_pool: starts a WorkerPool(2), runs jobs, prints its process tree, waits.

Run as `python -m tests.media_pool.child_bot`; prints one JSON line {"pid", "workers"} to stdout once
both workers have run a job, then sleeps until killed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys

from media.pool import WorkerPool
from tests.media_pool import jobs


async def main() -> None:
    pool = WorkerPool(2)
    pool.start()
    ran = await asyncio.gather(*(pool.run(functools.partial(jobs.slow_pid, 0.5)) for _ in range(2)))
    print(json.dumps({"workers": pool.pids(), "ran": sorted(ran)}), flush=True)
    print("worker log lines would go here", file=sys.stderr, flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main())
