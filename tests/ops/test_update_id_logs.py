"""Every log line of a handled event carries its update id, so one student's failure can be traced."""

from __future__ import annotations

import io
import json
import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.app import App
from core.events import ChatRef, IncomingEvent, UserRef
from core.ops.logs import make_handler
from core.router import SOMETHING_WRONG
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as console_config


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The core's log records at DEBUG, as the --log-format json handler writes them."""
    stream = io.StringIO()
    handler = make_handler(stream, json=True)
    core = logging.getLogger("core")
    previous = core.level
    core.addHandler(handler)
    core.setLevel(logging.DEBUG)
    yield stream
    core.removeHandler(handler)
    core.setLevel(previous)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'db' / 'bot.db'}", insights={"chart_workers": 0}
    )
    yield app
    await app.close()


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def telegram_help(update_id: str) -> IncomingEvent:
    user = UserRef("telegram", "7001", "Asha")
    return IncomingEvent(user, ChatRef("telegram", "7001"), "command", "/help", "help", update_id=update_id)


async def test_a_failed_event_logs_its_error_as_json_with_the_platforms_update_id(
    app: App, json_log: io.StringIO, tmp_path: Path
) -> None:
    await app.database.dispose()
    shutil.rmtree(tmp_path / "db")  # the database is gone: resolving the sender fails
    assert [reply.text for reply in await app.handle(telegram_help("tg:7001:55"))] == [SOMETHING_WRONG]
    failures = [r for r in records(json_log) if r["level"] == "ERROR"]
    assert len(failures) == 1
    assert failures[0]["update_id"] == "tg:7001:55"
    assert failures[0]["logger"] == "core.router"
    assert failures[0]["message"] == "failed to handle command event from telegram"
    assert "OperationalError" in failures[0]["exc_info"]


async def test_each_event_has_its_own_id_and_lines_outside_events_have_none(
    app: App, json_log: io.StringIO, tmp_path: Path
) -> None:
    await app.handle(telegram_help("tg:7001:56"))
    console = Console(app, console_config(tmp_path))
    await console.say("/help")
    await console.say("/help")
    logging.getLogger("core.test").info("between events")
    routed = [r for r in records(json_log) if r["logger"] == "core.router"]
    assert [(r["message"], r["update_id"]) for r in routed] == [
        ("command help from telegram", "tg:7001:56"),
        ("command help from console", "console-1"),  # the console has no update ids: a counter
        ("command help from console", "console-2"),
    ]
    last = records(json_log)[-1]
    assert (last["message"], last["update_id"]) == ("between events", None)
