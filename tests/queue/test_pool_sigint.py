"""Ctrl-C on a terminal running `python main.py worker` (or a bot) sends SIGINT to the whole foreground
process group: the parent stops gracefully and finishes its running jobs, so its chart and scoring
processes (media/pool.py) must not die of it. They ignore SIGINT: a job after the signal runs in the
same process, the pool is not replaced ("a worker died ...") and a second Ctrl-C cannot break it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from media.pool import WorkerPool


async def test_pool_processes_survive_the_terminals_sigint(caplog):
    pool = WorkerPool(1)
    try:
        await pool.ready()
        [child] = pool.pids()
        with caplog.at_level(logging.WARNING, logger="media.pool"):
            for _ctrl_c in range(2):
                os.kill(child, signal.SIGINT)
                await asyncio.sleep(0.5)  # let a signal that would kill it land before the job is sent
                assert await pool.run(os.getpid, timeout=60) == child
        assert "a worker died" not in caplog.text
    finally:
        await pool.close()
