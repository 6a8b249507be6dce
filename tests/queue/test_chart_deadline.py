"""Chart jobs nobody waits for are not drawn: with no worker up, a bot that gives up on a chart (its
`insights.chart_timeout_s`) withdraws the job, and a job past the deadline it carries (its bot gave up,
but the job could not be withdrawn) is skipped by the worker that starts later; a live job is still
drawn. Real `python main.py worker` process on PostgreSQL."""

from __future__ import annotations

import functools
import time

import pytest
from sqlalchemy import text

from core.features.company.charts import ChartJob, render_job
from core.ports import TASK_RENDER_CHART
from media import chart_jobs
from storage.queue import dump_job
from tests.queue.harness import close_bot, open_bot, settings, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]


CHART_JOBS = f"SELECT status::text FROM procrastinate_jobs WHERE task_name = '{TASK_RENDER_CHART}'"


def chart() -> functools.partial:
    bars = functools.partial(chart_jobs.topics_bar, "Acme", {"dp": 4, "graphs": 2}, 5)
    return functools.partial(render_job, ChartJob("topics", bars))


async def rows(app, sql: str) -> list:
    async with app.database.sessions() as session:
        return list((await session.execute(text(sql))).all())


async def test_charts_given_up_on_are_withdrawn_or_skipped_and_live_ones_drawn(
    tmp_path,
    database_url,
    workers,
):
    data = settings(tmp_path)
    app, queue, _outbox = await open_bot(tmp_path, database_url, data)
    try:
        # No worker up: the bot gives up after its timeout, and the job does not stay waiting.
        with pytest.raises(TimeoutError):
            await queue.runner().run(chart(), timeout=0.5)
        assert await rows(app, CHART_JOBS) == []

        # A job whose bot gave up (the withdrawal failed, e.g. the database was down), and a live one.
        job = dump_job(chart())
        await queue.defer(TASK_RENDER_CHART, {"key": "given-up", "job": job, "deadline": time.time() - 1})
        await queue.defer(TASK_RENDER_CHART, {"key": "awaited", "job": job, "deadline": time.time() + 3600})
        group = workers(data)
        group.start()

        async def both_ran() -> bool:
            done = await rows(app, CHART_JOBS)
            return len(done) == 2 and all(status == "succeeded" for (status,) in done)

        await wait_until(both_ran, 90, "the worker to run both chart jobs", group)
        assert await rows(app, "SELECT key FROM queue_results") == [("awaited",)]  # drawn once, for its bot
    finally:
        await close_bot(app, queue)
