"""Queue depth on /metrics with the default in-process pools (SQLite): a mock answer being scored shows
as one pending scoring until its scorecard is out, then 0; a depth source that fails leaves its series
out of that scrape and counts the failure, and the scrape still answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

import main
from core.metrics import NullMetrics, PrometheusMetrics, install, metrics
from core.ops.depth import Depths
from core.ops.http import OpsServer
from tests.console.driver import Console
from tests.mock.test_mock_console import RESULT, clip, open_app, png  # noqa: F401  (clip: fixture)
from tests.ops.test_ops_http import sample


class GatedScorer:
    """Scores once `gate` is set, so a test can look at the queue while a scoring waits."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started = asyncio.Event()

    async def score(self, path: Path, max_duration_s: float, timeout_s: float):
        self.started.set()
        await self.gate.wait()
        return RESULT, png()

    def close(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def scrape(port: int) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        return await response.text()


@pytest.fixture
def restore_recorder() -> Iterator[None]:
    """main.start_ops installs a process-wide recorder: put the no-op back after the test."""
    yield
    install(NullMetrics())


DEPTH = "interview_insights_task_queue_depth"


async def test_a_scoring_in_flight_is_one_pending_scoring_until_its_scorecard_is_out(
    tmp_path,
    clip,  # noqa: F811
    restore_recorder,
) -> None:
    scorer = GatedScorer()
    app, outbox = await open_app(tmp_path, scorer)
    port = free_port()
    ops = await main.start_ops(app, app.config, (), port=port)
    assert ops is not None and isinstance(metrics(), PrometheusMetrics)
    try:
        body = await scrape(port)
        assert sample(body, DEPTH, queue="scoring", state="pending") == 0
        assert sample(body, DEPTH, queue="charts", state="pending") == 0
        assert sample(body, DEPTH, queue="scoring", state="waiting") is None  # no durable queue on SQLite

        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        assert "Scoring your answer" in await student.say(str(clip))
        await asyncio.wait_for(scorer.started.wait(), 5)
        assert sample(await scrape(port), DEPTH, queue="scoring", state="pending") == 1

        scorer.gate.set()
        await app.mock.drain()
        assert any("Your scorecard" in text for text in outbox.to("console-user"))
        body = await scrape(port)
        assert sample(body, DEPTH, queue="scoring", state="pending") == 0
        assert sample(body, "interview_insights_scoring_seconds_count") == 1
    finally:
        await ops.stop()
        await app.close()


class Unreachable:
    async def depths(self) -> Depths:
        raise ConnectionError("PostgreSQL is restarting")


async def test_a_depth_that_cannot_be_read_is_left_out_and_counted() -> None:
    recorder = PrometheusMetrics(process=False)
    recorder.watch_depth(Unreachable())

    async def revision() -> str:
        return "0014"

    server = OpsServer(ping=revision, adapters=lambda: ["queue-worker"], metrics=recorder)
    port = await server.start()
    try:
        body = await scrape(port)
        assert DEPTH + "{" not in body
        assert sample(body, "interview_insights_task_queue_depth_errors_total") == 1
    finally:
        await server.stop()
