"""Helpers for Discord tests on the real core: a bootstrapped app and readable views of what the bot sent."""

from __future__ import annotations

from typing import Any

from core.app import App, bootstrap
from core.config import parse_config
from tests.discord.fake_discord import FakeInteraction


async def open_app(tmp_path, *, scorer: Any = None, clock: Any = None, **settings: Any) -> App:
    """The real core on a fresh SQLite file under tmp_path; `settings` are config sections."""
    config = parse_config({"mock": {"video_dir": str(tmp_path / "mock")}, **settings})
    kwargs: dict[str, Any] = {"scorer": scorer}
    if clock is not None:
        kwargs["clock"] = clock
    return await bootstrap(config, db_url=f"sqlite+aiosqlite:///{tmp_path}/discord.db", **kwargs)


def text(interaction: FakeInteraction) -> str:
    """Everything the member saw in answer to one interaction."""
    return "\n".join(m["content"] for m in interaction.messages)


def attachment_names(message: dict[str, Any]) -> list[str]:
    return [a["filename"] for a in message.get("attachments", [])]
