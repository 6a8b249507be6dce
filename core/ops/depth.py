"""How many jobs wait or run in the bot's task queues: the port the /metrics scrape reads.

Two implementations, one per queue backend (config `queue.backend`):
  * `storage.queue.ProcrastinateDepth` (PostgreSQL, `procrastinate`): jobs of the durable queue, shared
    by every bot and worker, counted from procrastinate's jobs table at scrape time; states "waiting"
    (todo) and "running" (doing), for every queue in DURABLE_QUEUES (0 when none);
  * `InProcessDepth` (the default, SQLite): this process's own pools; state "pending" (waiting for a
    pool worker or running in one) for the queues "scoring" (mock-interview videos) and "charts".

A reading is a mapping (queue, state) -> jobs; core/metrics.py exposes it as the gauge
`interview_insights_task_queue_depth{queue, state}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

logger = logging.getLogger(__name__)

#: One reading: (queue, state) -> number of jobs.
Depths = Mapping[tuple[str, str], int]

#: The durable queue's kinds of job, as `queue` label values (storage/queue.py maps task names to them).
DURABLE_QUEUES = ("scoring", "charts", "digest", "outbox", "sweep")
DURABLE_STATES = ("waiting", "running")


class QueueDepthSource(Protocol):
    """Reads the depth of some task queues now; may raise (the scrape then leaves them out)."""

    async def depths(self) -> Depths:
        """(queue, state) -> jobs, read now."""
        ...


class InProcessDepth(QueueDepthSource):
    """This process's pools: `scoring()` and `charts()` return how many jobs are pending in each."""

    def __init__(self, *, scoring: Callable[[], int], charts: Callable[[], int]) -> None:
        self._scoring = scoring
        self._charts = charts

    async def depths(self) -> Depths:
        """{("scoring", "pending"): n, ("charts", "pending"): m}."""
        return {("scoring", "pending"): self._scoring(), ("charts", "pending"): self._charts()}
