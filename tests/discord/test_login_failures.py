"""Discord login failures are one clear line each: unreachable API, rejected token (main.py prints them).

The path through main.py is in tests/ops/test_unreachable_platform.py (Telegram's side, same handler).
"""

from __future__ import annotations

import socket

import discord
import pytest
import yarl

from bots.base import PlatformUnreachable
from core.config import ConfigError
from tests.discord.conftest import make_adapter
from tests.discord.stub_app import StubApp


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def discord_api_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{port}/")
    )


async def test_discord_api_unreachable_is_platform_unreachable(discord_api_unreachable):
    adapter = make_adapter(StubApp())
    with pytest.raises(PlatformUnreachable) as caught:
        await adapter.run()
    message = str(caught.value)
    assert message.startswith("discord: cannot reach Discord's API (") and "fake-token" not in message
    with pytest.raises(PlatformUnreachable):
        await make_adapter(StubApp()).open_for_sending()  # `main.py digest` from cron says the same


async def test_discord_rejected_token_is_a_config_error(fake):
    adapter = make_adapter(StubApp())
    adapter.config = adapter.config.model_copy(update={"token": "wrong-discord-token"})
    with pytest.raises(ConfigError) as caught:
        await adapter.run()
    assert str(caught.value) == "discord.token was rejected by Discord: check DISCORD_BOT_TOKEN"
    assert "wrong-discord-token" not in str(caught.value)
