"""What each durable task does in a `python main.py worker`: the same use cases the in-process path calls.

storage/queue.py registers the tasks (TASK_* in core/ports.py) and calls `handlers(app)[name]` with the
job's arguments; the app is a normal `core.app.App` bootstrapped in the worker, so scoring uses its
scoring pool, charts its chart pool, and pushes go through the notifiers the worker opened for sending.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.events import ChatRef
from core.features.company.charts import shared_runner
from core.ops.scoring import GIVE_UP_SCORING, TASK_SWEEP_SCORING
from core.ports import TASK_DIGEST, TASK_OUTBOX, TASK_RENDER_CHART, TASK_SCORE_ATTEMPT

if TYPE_CHECKING:
    from core.app import App
    from core.features.mock.service import Scorer

logger = logging.getLogger(__name__)

_SCORER: list[Callable[[], Scorer]] = []


def use_scorer(factory: Callable[[], Scorer] | None) -> None:
    """Make `worker_scorer` build scorers with `factory` (a module given to `main.py worker --import`,
    e.g. a test double that blocks); None restores the default."""
    _SCORER.clear()
    if factory is not None:
        _SCORER.append(factory)


def worker_scorer() -> Scorer | None:
    """The scorer a worker's app uses: the `use_scorer` factory's, or None (bootstrap's ScoringPool)."""
    return _SCORER[0]() if _SCORER else None


def handlers(app: App) -> dict[str, Callable[..., Awaitable[Any]]]:
    """The task name -> coroutine function map for a worker whose core is `app`."""
    config = app.config

    async def score(job: Mapping[str, Any]) -> None:
        chat = ChatRef(str(job["platform"]), str(job["chat"]), is_private=bool(job["private"]))
        await app.mock.score_attempt(
            int(job["attempt"]), Path(str(job["path"])), chat, bool(job["keep"]), str(job["question"])
        )

    async def give_up(job: Mapping[str, Any]) -> None:
        chat = ChatRef(str(job["platform"]), str(job["chat"]), is_private=bool(job["private"]))
        await app.mock.give_up(int(job["attempt"]), Path(str(job["path"])), chat)

    async def sweep(live: Collection[int]) -> None:
        told = await app.mock.sweep_stuck(app.notifiers.notify, live=live)
        if told:
            logger.info("stuck mock attempts failed; %d student chat(s) told", told)

    async def render(job: Callable[[], Any]) -> Any:
        runner = shared_runner(config.insights.chart_workers)
        return await runner.run(job, timeout=config.insights.chart_timeout_s)

    async def digest() -> None:
        report = await app.digest.sender.tick()
        if report.closed:
            logger.info("digest tick: this week's run is closed")
        else:
            logger.info(
                "digest tick: %d sent, %d failed, %d already sent, %d waiting for their platform",
                report.sent,
                report.failed,
                report.skipped,
                report.unavailable,
            )

    async def outbox() -> None:
        await app.notifiers.retry_outbox()

    return {
        TASK_SCORE_ATTEMPT: score,
        GIVE_UP_SCORING: give_up,
        TASK_SWEEP_SCORING: sweep,
        TASK_RENDER_CHART: render,
        TASK_DIGEST: digest,
        TASK_OUTBOX: outbox,
    }
