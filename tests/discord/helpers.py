"""Helpers for Discord tests on the real core: a bootstrapped app and readable views of what the bot sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from core.app import App, bootstrap
from tests.discord.fake_discord import FakeInteraction
from tests.support.config import test_config


async def open_app(tmp_path, *, scorer: Any = None, clock: Any = None, **settings: Any) -> App:
    """The real core on a fresh SQLite file under tmp_path; `settings` are config sections."""
    config = test_config(tmp_path, **settings)
    kwargs: dict[str, Any] = {"scorer": scorer}
    if clock is not None:
        kwargs["clock"] = clock
    return await bootstrap(config, db_url=f"sqlite+aiosqlite:///{tmp_path}/discord.db", **kwargs)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Poll an async check (e.g. a database query) until it is truthy; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await check()):
        if loop.time() > deadline:
            raise AssertionError("the expected state never came")
        await asyncio.sleep(0.02)
    return result


def text(interaction: FakeInteraction) -> str:
    """Everything the member saw in answer to one interaction."""
    return "\n".join(m["content"] for m in interaction.messages)


def attachment_names(message: dict[str, Any]) -> list[str]:
    return [a["filename"] for a in message.get("attachments", [])]
