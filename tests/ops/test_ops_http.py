"""The operator's endpoint: /health follows the database, /metrics counts what the real App handled."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.app import App
from core.events import ChatRef
from core.metrics import PrometheusMetrics, install
from core.ops.http import OpsServer
from core.replies import Reply
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as console_config


@pytest.fixture
def recorder() -> Iterator[PrometheusMetrics]:
    """A fresh registry installed as the process's recorder for one test, then the no-op again."""
    fresh = PrometheusMetrics(process=False)
    previous = install(fresh)
    yield fresh
    install(previous)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    """The real App on a SQLite file in its own folder (removing the folder cuts the database off)."""
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'db' / 'bot.db'}", insights={"chart_workers": 0}
    )
    yield app
    await app.close()


@pytest.fixture
async def server(app: App, recorder: PrometheusMetrics) -> AsyncIterator[OpsServer]:
    ops = OpsServer(ping=app.database.current_revision, adapters=lambda: ["console"], metrics=recorder)
    await ops.start()
    yield ops
    await ops.stop()


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one series in a /metrics body (label order in the text does not matter), or None."""
    for family in text_string_to_metric_families(body):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return None


async def get(server: OpsServer, path: str) -> tuple[int, str, str]:
    """GET a path over a real socket: status, Content-Type, body."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


async def test_health_is_ok_while_the_database_answers_and_503_when_it_is_gone(
    app: App, server: OpsServer, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{server.port}/health") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok", "adapters": ["console"]}
        await app.database.dispose()
        shutil.rmtree(tmp_path / "db")  # the file and its folder are gone: no connection can open
        async with session.get(f"http://127.0.0.1:{server.port}/health") as response:
            assert response.status == 503
            assert await response.json() == {
                "status": "unavailable",
                "database": "unreachable: OperationalError",
                "adapters": ["console"],
            }


async def test_metrics_count_a_console_help_and_its_reply_latency(
    app: App, server: OpsServer, tmp_path: Path
) -> None:
    console = Console(app, console_config(tmp_path))
    assert "/share" in await console.say("/help")
    status, content_type, body = await get(server, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=")
    assert sample(body, "interview_insights_updates_total", platform="console", kind="command") == 1.0
    assert sample(body, "interview_insights_updates_total", platform="console", kind="text") is None
    assert sample(body, "interview_insights_reply_latency_seconds_count", platform="console") == 1.0
    assert sample(body, "interview_insights_send_errors_total", platform="console", error="Exception") is None


class Broken:
    """A platform whose sends fail, like a Telegram API outage."""

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        raise ConnectionError("api.telegram.org unreachable")


async def test_a_failing_push_is_counted_by_platform_and_error(app: App, server: OpsServer) -> None:
    app.register_notifier("telegram", Broken())
    # counted, then kept in the durable outbox for one retry (so notify reports it as owed, not lost)
    assert await app.notify(ChatRef("telegram", "42"), Reply(text="Your experience was approved")) is True
    assert await app.notify(ChatRef("console", "console-user"), Reply(text="hi")) is False  # nobody runs
    _status, _type, body = await get(server, "/metrics")
    errors = "interview_insights_send_errors_total"
    assert sample(body, errors, platform="telegram", error="ConnectionError") == 1.0
    assert not [
        line for line in body.splitlines() if line.startswith(errors) and 'platform="console"' in line
    ]
