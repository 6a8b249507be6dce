"""Discord shards split over processes: `discord.shard_ids` with `shard_count` make each adapter connect only
its own shards, so the guilds of the other shards are served by the other process, never twice.

Two adapters stand for two processes (each its own discord.py client, as `python main.py --adapter
discord` would build from config); the fake gateway routes each guild to shard (guild_id >> 22) % 4, the
rule Discord uses: guild A lives on shard 1 (process A's), guild B on shard 2 (process B's).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from core.config import ConfigError, parse_config
from tests.discord.conftest import ASHA, CHANNEL_A, CHANNEL_B, GUILD_A, GUILD_B, Bot, make_adapter
from tests.discord.fake_discord import FakeDiscord
from tests.discord.stub_app import StubApp


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The fake Discord with four shards; discord.py pointed at it, no 5 s pause between identifies."""

    async def no_identify_wait(
        self: discord.AutoShardedClient, shard_id: int, *, initial: bool = False
    ) -> None:
        return None

    server = await FakeDiscord([GUILD_A, GUILD_B], shards=4).start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    monkeypatch.setattr(discord.AutoShardedClient, "before_identify_hook", no_identify_wait)
    yield server
    await server.close()
    assert server.violations == [], "\n".join(server.violations)


async def start(fake: FakeDiscord, app: StubApp, shard_ids: list[int]) -> Bot:
    adapter = make_adapter(app, shard_count=4, shard_ids=shard_ids)
    task = asyncio.create_task(adapter.run())
    await asyncio.wait_for(adapter.wait_ready(), 20)
    return Bot(fake, adapter, task)


async def test_each_process_connects_only_its_shards_and_serves_their_guilds(fake: FakeDiscord) -> None:
    app_a, app_b = StubApp(), StubApp()
    bot_a = await start(fake, app_a, [0, 1])
    try:
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 4), (1, 4)]
        bot_b = await start(fake, app_b, [2, 3])
        try:
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 4), (1, 4), (2, 4), (3, 4)]
            assert [g.id for g in bot_a.adapter.client.guilds] == [GUILD_A.id]
            assert [g.id for g in bot_b.adapter.client.guilds] == [GUILD_B.id]
            in_a = await bot_a.slash(ASHA, CHANNEL_A, "help")
            in_b = await bot_b.slash(ASHA, CHANNEL_B, "help")
            assert "Try /share" in in_a.messages[0]["content"] and "Try /share" in in_b.messages[0]["content"]
            # each guild's event reached its own process only
            assert [e.chat.id for e in app_a.events] == [str(CHANNEL_A)]
            assert [e.chat.id for e in app_b.events] == [str(CHANNEL_B)]
        finally:
            await bot_b.stop()
    finally:
        await bot_a.stop()


def test_shard_ids_need_a_shard_count_and_ids_below_it() -> None:
    config = parse_config({"discord": {"shard_count": 4, "shard_ids": [2, 3]}})
    assert (config.discord.shard_count, config.discord.shard_ids) == (4, [2, 3])
    for wrong, message in (
        ({"shard_ids": [0, 1]}, "needs shard_count"),
        ({"shard_count": 0, "shard_ids": [0]}, "needs shard_count"),
        ({"shard_count": 4, "shard_ids": [3, 4]}, "[4] are outside 0..3"),
        ({"shard_count": 4, "shard_ids": [1, 1]}, "each shard of this process once"),
    ):
        with pytest.raises(ConfigError) as raised:
            parse_config({"discord": wrong})
        assert message in str(raised.value), (wrong, str(raised.value))
