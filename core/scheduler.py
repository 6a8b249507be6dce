"""APScheduler wiring: the weekly digest job (cron at the configured local time), its retry/resume job,
and the outbox job (every retry_minutes: pushes that failed and digest messages cut off, sent once more).

Both jobs call `DigestSender.tick()`, which is idempotent: the weekly job sends on time, the interval job
(first run shortly after start) resumes a week interrupted by a restart and retries failed chats while
the week's run is open. Jobs are coroutines on the bot's own event loop (AsyncIOScheduler); database
work is async and charts render in worker threads, so a digest never blocks users. Late ticks coalesce
into one run and are still run within `misfire_grace_minutes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.config import DigestConfig
from core.features.digest.send import DigestSender

logger = logging.getLogger(__name__)

WEEKLY_JOB = "digest-weekly"
RETRY_JOB = "digest-retry"
OUTBOX_JOB = "outbox-retry"  # pushes and digest messages that could not be delivered, sent once more
FIRST_CHECK_S = 30.0  # after start, resume an interrupted week once the adapters are connected
STOP_TIMEOUT_S = 15.0


class DigestScheduler:
    """Owns the AsyncIOScheduler; start() inside the running loop, `await stop()` before closing the app."""

    def __init__(self, sender: DigestSender, config: DigestConfig, first_check_s: float = FIRST_CHECK_S):
        self.sender = sender
        self.config = config
        zone = ZoneInfo(config.timezone)
        self.scheduler = AsyncIOScheduler(
            timezone=zone,
            job_defaults={
                "coalesce": True,  # a backlog of missed ticks runs once
                "max_instances": 1,  # never two digest runs at once in this process
                "misfire_grace_time": config.misfire_grace_minutes * 60,
            },
        )
        self.scheduler.add_job(
            self._tick,
            CronTrigger(day_of_week=config.weekday, hour=config.hour, minute=config.minute, timezone=zone),
            id=WEEKLY_JOB,
            name="weekly insight digest",
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(minutes=config.retry_minutes, timezone=zone),
            id=RETRY_JOB,
            name="digest resume and retry",
            replace_existing=True,
            next_run_time=datetime.now(zone) + timedelta(seconds=first_check_s),
        )
        if getattr(sender, "retry_outbox", None) is not None:
            self.scheduler.add_job(
                self._retry_outbox,
                IntervalTrigger(minutes=config.retry_minutes, timezone=zone),
                id=OUTBOX_JOB,
                name="outbox retry",
                replace_existing=True,
                next_run_time=datetime.now(zone) + timedelta(seconds=first_check_s),
            )
        self._running: set[asyncio.Task] = set()

    async def _retry_outbox(self) -> None:
        """Send the outbox's due messages once more; logs instead of raising so the job stays."""
        retry = getattr(self.sender, "retry_outbox", None)
        if retry is None or self.sender.stopping:
            return
        try:
            await retry()
        except Exception:
            logger.exception("outbox retry failed; the next run tries again")

    async def _tick(self) -> None:
        """One scheduled tick; logs instead of raising so the scheduler keeps its jobs."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            report = await self.sender.tick()
            if report.failed:
                logger.warning(
                    "digest: %d chat(s) failed; retrying in %d min", report.failed, self.config.retry_minutes
                )
        except Exception:
            logger.exception("digest tick failed; the next tick tries again")
        finally:
            if task is not None:
                self._running.discard(task)

    def start(self) -> None:
        """Start the jobs on the running event loop."""
        self.sender.stopping = False
        self.scheduler.start()
        job = self.scheduler.get_job(WEEKLY_JOB)
        logger.info("weekly digest scheduled; next at %s", job.next_run_time if job else "?")

    async def stop(self) -> None:
        """Stop scheduling, let a digest in progress finish its current chat, then return."""
        self.sender.stopping = True
        if self.scheduler.running:
            self.scheduler.pause()
        running = list(self._running)
        if running:
            done, pending = await asyncio.wait(running, timeout=STOP_TIMEOUT_S)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*pending, return_exceptions=True)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback: let it run now
