"""Fixtures: the fake Discord on 127.0.0.1 (discord.py pointed at it) and a harness playing members."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from bots.discord.adapter import DiscordAdapter
from core.config import DiscordConfig, ModerationConfig
from tests.discord.fake_discord import FakeDiscord, FakeGuild, FakeInteraction, FakeUser, buttons, custom_ids

ASHA = FakeUser(id=111_000_000_000_000_001, name="Asha")
RAVI = FakeUser(id=111_000_000_000_000_002, name="Ravi", roles=("Moderator",))
GUILD_A = FakeGuild(
    id=4194304 * 1_000_001,
    name="CSE Placements",
    channels={4194304 * 1_000_001 + 10: "interviews"},
    members=[ASHA, RAVI],
    forums={4194304 * 1_000_001 + 20: "discussions"},
)
GUILD_B = FakeGuild(
    id=4194304 * 1_000_002,
    name="ECE Placements",
    channels={4194304 * 1_000_002 + 10: "general"},
    roles=("Admin", "Moderator"),
    members=[ASHA, RAVI],
)
CHANNEL_A = next(iter(GUILD_A.channels))
CHANNEL_B = next(iter(GUILD_B.channels))
FORUM_A = next(iter(GUILD_A.forums))
DM_ASHA = 555_000_000_000_000_001


class Bot:
    """A running DiscordAdapter plus helpers that act as members and wait until the bot has answered."""

    def __init__(self, fake: FakeDiscord, adapter: DiscordAdapter, task: asyncio.Task[None]) -> None:
        self.fake, self.adapter, self.task = fake, adapter, task

    async def settle(self, interaction: FakeInteraction) -> FakeInteraction:
        """Wait until the interaction was acknowledged and the adapter is idle again."""
        await self.fake.wait_for(lambda: interaction.acknowledged)
        await asyncio.wait_for(self.adapter.drain(), 10)
        return interaction

    async def slash(self, user: FakeUser, channel: int, name: str, /, **options: Any) -> FakeInteraction:
        return await self.settle(await self.fake.slash(user, channel, name, options or None))

    async def click(self, user: FakeUser, message: dict[str, Any], label: str) -> FakeInteraction:
        """Press the button whose label starts with `label`."""
        for text, custom_id in buttons(message):
            if text.startswith(label) and custom_id in custom_ids(message):
                return await self.settle(await self.fake.click(user, message, custom_id))
        raise AssertionError(f"no button {label!r} among {buttons(message)}")

    async def fill(self, user: FakeUser, message: dict[str, Any], **values: str) -> FakeInteraction:
        """Press the message's ✏️ button, then submit the modal it opens with `values`."""
        opened = await self.click(user, message, "✏️")
        assert opened.callback_types == [9], f"expected a modal, got {opened.callback_types}"
        if not values:
            values = {opened.modal["components"][0]["components"][0]["custom_id"]: ""}
        return await self.settle(await self.fake.submit(user, opened, values))

    async def stop(self) -> None:
        await self.adapter.stop()
        await asyncio.wait_for(self.task, 10)


def make_adapter(app: Any, *, defer_after: float = 2.0, **discord_config: Any) -> DiscordAdapter:
    config = DiscordConfig(token="fake-token", **discord_config)
    moderation = ModerationConfig(discord_roles=["Moderator", "Admin"])
    options = {"guild_ready_timeout": 0.05}
    return DiscordAdapter(app, config, moderation, defer_after=defer_after, client_options=options)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord; at teardown no request may break the OpenAPI spec or miss a route."""
    server = await FakeDiscord([GUILD_A, GUILD_B]).start()
    server.dm_channels[ASHA.id] = DM_ASHA  # the DM channel the bot opens with Asha is the one she writes in
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.close()
    assert server.violations == [], "\n".join(server.violations)
    assert server.unhandled == []


@pytest.fixture
async def bots(fake: FakeDiscord) -> AsyncIterator[Any]:
    """start(app, **adapter options) -> a ready Bot; every bot still running is stopped at teardown."""
    started: list[Bot] = []

    async def start(app: Any, **kwargs: Any) -> Bot:
        adapter = make_adapter(app, **kwargs)
        task = asyncio.create_task(adapter.run())
        ready = asyncio.create_task(adapter.wait_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()
            raise AssertionError("the Discord client did not become ready")
        bot = Bot(fake, adapter, task)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if not bot.task.done():
            await bot.stop()
