"""A `python main.py worker` process through a PostgreSQL outage: a PRIVATE cluster (tests/reliability's
Cluster, never the shared TEST_POSTGRES_URL server) is stopped with `-m immediate` under a running worker
and started again. The worker neither hangs nor exits: it reconnects by itself, and a chart job deferred
after the restart is drawn by that same process; SIGINT still stops it with exit status 0."""

from __future__ import annotations

import asyncio
import functools
import signal
import subprocess

import pytest

from core.features.company.charts import ChartJob, render_job
from media import chart_jobs
from tests.queue.harness import Workers, close_bot, open_bot, settings, wait_until, write_config
from tests.reliability.test_postgres_restart import Cluster, cluster  # noqa: F401 - the fixture

pytestmark = pytest.mark.postgres


def chart() -> functools.partial:
    bars = functools.partial(chart_jobs.topics_bar, "Acme", {"dp": 4, "graphs": 2}, 5)
    return functools.partial(render_job, ChartJob("topics", bars))


def exit_code(proc: subprocess.Popen) -> int | None:
    """The process's exit status within 30 s, else None (it hung; Workers.close kills it)."""
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        return None


async def test_a_worker_rides_out_a_postgres_restart_and_runs_jobs_deferred_after_it(
    tmp_path,
    cluster: Cluster,  # noqa: F811 - the fixture imported above
):
    url = await asyncio.to_thread(cluster.init)
    data = settings(tmp_path)
    app, queue, _outbox = await open_bot(tmp_path, url, data)
    group = Workers(tmp_path, url, write_config(tmp_path, data))
    try:
        worker = group.start()
        png, _name, _caption = await queue.runner().run(chart(), timeout=120)
        assert png.startswith(b"\x89PNG")  # the worker is up and drawing

        await asyncio.to_thread(cluster.stop)
        # its LISTEN connection and heartbeats (every 0.5 s) fail while the server is down
        await wait_until(lambda: "ConnectorException" in group.errors(0), 60, "the worker to notice", group)
        await asyncio.to_thread(cluster.start)

        again, _name, _caption = await queue.runner().run(chart(), timeout=120)
        assert again == png  # drawn after the restart, by the same worker process
        assert worker.poll() is None
        assert "the queue worker stopped by itself" in group.errors(0)
        assert "restarting the queue worker" in group.errors(0)
    finally:
        for proc in group.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        codes = [await asyncio.to_thread(exit_code, proc) for proc in group.procs]
        group.close()
        await close_bot(app, queue)
    assert codes == [0]  # asked to stop: a clean exit
