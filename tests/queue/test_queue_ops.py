"""Operating the durable queue on PostgreSQL with real `python main.py worker` processes.

/metrics on the bot shows the jobs waiting per queue, a worker's own /health and /metrics (its
`--http-port`) show the scoring it runs, and every depth is 0 once the worker ran them; a scoring job
that fails for good fails its attempt and tells the student once, and an attempt left "scoring" with
no job is swept when a worker starts: no row is left stuck.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

import main
from core.clock import utcnow
from core.features.company.charts import ChartJob, render_job
from core.metrics import NullMetrics, install
from core.ops.scoring import SCORE_RETRIES, SCORING_FAILED
from core.ports import TASK_OUTBOX, TASK_RENDER_CHART
from media import chart_jobs
from storage.models import MockAttempt
from storage.queue import dump_job
from tests.media_video import clips as C
from tests.ops.test_ops_http import sample
from tests.ops.test_queue_depth import free_port
from tests.queue.blocking import RESULT, go_marker, started_marker
from tests.queue.harness import (
    Workers,
    attempts,
    close_bot,
    open_bot,
    send_answer,
    settings,
    wait_until,
    write_config,
)

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]

DEPTH = "interview_insights_task_queue_depth"


class HttpWorkers(Workers):
    """Workers started with `--http-port`."""

    def start_on(self, port: int, *imports: str) -> subprocess.Popen:
        return self.start(*imports, extra=["--http-port", str(port)])


@pytest.fixture
def group(tmp_path: Path, database_url: str) -> Iterator[HttpWorkers]:
    made = HttpWorkers(tmp_path, database_url, write_config(tmp_path, settings(tmp_path)))
    yield made
    made.close()
    install(NullMetrics())  # main.start_ops installed a process-wide recorder


async def get(port: int, path: str) -> tuple[int, Any]:
    """(status, JSON or text body), or (0, None) while nothing listens yet."""
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as reply:
            body = await reply.json() if path == "/health" else await reply.text()
            return reply.status, body
    except aiohttp.ClientConnectionError:
        return 0, None


async def depth(port: int, queue: str, state: str) -> float | None:
    status, body = await get(port, "/metrics")
    assert status == 200
    return sample(body, DEPTH, queue=queue, state=state)


async def test_depth_per_queue_on_bot_and_worker_endpoints_then_0_once_the_worker_ran_them(
    tmp_path, database_url, group
):
    app, queue, _outbox = await open_bot(tmp_path, database_url, settings(tmp_path))
    bot_port = free_port()
    ops = await main.start_ops(app, app.config, (), port=bot_port)
    assert ops is not None
    try:
        clip = C.write_clip(tmp_path / "answer.mp4", lambda t, i: C.place(C.grace()), 3.0)
        assert "Scoring your answer" in await send_answer(app, clip)
        [stored] = list((tmp_path / "mock" / "incoming").iterdir())
        bars = functools.partial(chart_jobs.topics_bar, "Acme", {"dp": 4, "graphs": 2}, 5)
        chart = dump_job(functools.partial(render_job, ChartJob("topics", bars)))
        await queue.defer(TASK_RENDER_CHART, {"key": "depth-test", "job": chart})
        await queue.defer(TASK_OUTBOX, {"timestamp": 0})

        # No worker yet: each job waits in its queue; the other queues are reported at 0.
        expected = {"scoring": 1, "charts": 1, "outbox": 1, "digest": 0, "sweep": 0}
        for name, jobs in expected.items():
            assert await depth(bot_port, name, "waiting") == jobs, name
            assert await depth(bot_port, name, "running") == 0, name

        worker_port = free_port()
        group.start_on(worker_port, "tests.queue.blocking")
        await wait_until(lambda: started_marker(stored).exists(), 60, "the worker to start scoring", group)
        assert await get(worker_port, "/health") == (
            200,
            {"status": "ok", "database": "ok", "adapters": ["queue-worker"]},
        )
        # The worker's own endpoint sees the same shared queue: its scoring is running now.
        assert await depth(worker_port, "scoring", "running") == 1
        assert await depth(worker_port, "scoring", "waiting") == 0

        go_marker(stored).write_text("go")

        async def drained() -> bool:
            return all(
                [
                    await depth(bot_port, name, state) == 0
                    for name in expected
                    for state in ("waiting", "running")
                ]
            )

        await wait_until(drained, 60, "every queue to drain", group)
        [attempt] = await attempts(app)
        assert (attempt.status, attempt.overall) == ("done", RESULT["overall"])
        _status, body = await get(worker_port, "/metrics")
        assert sample(body, "interview_insights_scoring_seconds_count") == 1  # timed in the worker
    finally:
        await ops.stop()
        await close_bot(app, queue)


async def test_a_scoring_failing_for_good_and_a_jobless_stuck_attempt_both_end_failed_and_told(
    tmp_path, database_url, group
):
    app, queue, _outbox = await open_bot(tmp_path, database_url, settings(tmp_path))
    try:
        clip = C.write_clip(tmp_path / "answer.mp4", lambda t, i: C.place(C.grace()), 3.0)
        assert "Scoring your answer" in await send_answer(app, clip)
        [stored] = list((tmp_path / "mock" / "incoming").iterdir())
        go_marker(stored).write_text("go")  # the scorer answers at once; storing the result fails
        [failing] = await attempts(app)
        # An attempt whose job is gone (its final failure was lost with its worker), two hours old.
        async with app.database.sessions.begin() as session:
            lost = MockAttempt(
                user_id=failing.user_id, status="scoring", created_at=utcnow() - timedelta(hours=2)
            )
            session.add(lost)
            await session.flush()
            lost_id = lost.id

        group.start_on(free_port(), "tests.queue.db_gone")

        async def ended() -> bool:
            return all(a.status != "scoring" for a in await attempts(app))

        await wait_until(ended, 90, "both attempts to end", group)
        rows = {a.id: (a.status, a.error) for a in await attempts(app)}
        assert rows == {failing.id: ("failed", SCORING_FAILED), lost_id: ("failed", SCORING_FAILED)}
        async with app.database.sessions() as session:
            [(status, runs)] = (
                await session.execute(
                    text(
                        "SELECT status::text, attempts FROM procrastinate_jobs"
                        " WHERE task_name = 'mock.score_attempt'"
                    )
                )
            ).all()
        assert (status, runs) == ("failed", 1 + SCORE_RETRIES)  # retried, then given up
        await wait_until(lambda: group.output(0).count(SCORING_FAILED) >= 2, 10, "both messages", group)
        assert group.output(0).count(SCORING_FAILED) == 2  # each student message once
        assert not stored.exists()  # the upload is deleted, as after any failed scoring
    finally:
        await close_bot(app, queue)
