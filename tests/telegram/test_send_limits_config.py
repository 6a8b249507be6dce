"""telegram.send_limits: every process sending through one token takes its share of the token's rate.

Telegram counts a bot's messages per token; two digest senders each allowing the full 30/s got 189 429s
in 2,000 messages (bench/digest.py --senders 2). With `processes: N` each allows messages_per_second / N.
"""

from __future__ import annotations

import asyncio

import main
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.ratelimit import SendRateLimiter
from core.config import parse_config
from core.events import ChatRef
from core.replies import Reply
from tests.telegram.conftest import TOKEN
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.stub_app import StubApp


def _config(fake: FakeBotApi, **send_limits: float):
    return parse_config(
        {
            "telegram": {
                "token": TOKEN,
                "base_url": fake.base_url,
                "base_file_url": fake.base_file_url,
                "send_limits": send_limits,
            }
        }
    )


def _limiter(adapter: TelegramAdapter) -> SendRateLimiter:
    assert adapter.application is not None
    limiter = adapter.application.bot.rate_limiter
    assert isinstance(limiter, SendRateLimiter)
    return limiter


def _overall_rate(limiter: SendRateLimiter) -> float:
    """Messages per second the limiter's overall bucket lets through (PTB's AsyncLimiter)."""
    bucket = limiter._base_limiter
    assert bucket is not None
    return bucket.max_rate / bucket.time_period


async def test_the_send_only_adapter_of_main_digest_takes_its_share_of_the_token_rate():
    fake = FakeBotApi(TOKEN, rate_limit=5)  # Telegram, as the token's whole budget: 5 messages/s
    await fake.start()
    app = StubApp()
    closers = await main.open_senders(app, _config(fake, messages_per_second=10, processes=2))
    try:
        adapter = app.notifiers["telegram"]
        assert isinstance(adapter, TelegramAdapter)
        limiter = _limiter(adapter)
        assert limiter.limits.overall_per_second == 5
        assert round(_overall_rate(limiter), 6) == 5
        assert limiter.limits.chat_per_second == 1 and limiter.limits.group_per_minute == 20  # unchanged
        # 20 pushes at once to 20 chats: paced at this process's 5/s, the fake refuses none
        chats = [ChatRef("telegram", str(6000 + n), is_private=True) for n in range(20)]
        await asyncio.gather(*(adapter.send(chat, Reply(text=f"Digest {chat.id}")) for chat in chats))
        assert fake.too_many == 0
        assert all(fake.delivered.get(6000 + n) == 1 for n in range(20))
    finally:
        for close in closers:
            await close()
        await fake.close()
    assert fake.violations == []


async def test_without_the_keys_a_process_allows_telegrams_published_30_per_second():
    fake = FakeBotApi(TOKEN)
    await fake.start()
    app = StubApp()
    closers = await main.open_senders(app, _config(fake))
    try:
        adapter = app.notifiers["telegram"]
        assert isinstance(adapter, TelegramAdapter)
        assert round(_overall_rate(_limiter(adapter)), 6) == 30
    finally:
        for close in closers:
            await close()
        await fake.close()


def test_the_bot_adapter_is_built_with_the_share_too():
    config = parse_config({"telegram": {"token": TOKEN, "send_limits": {"processes": 3}}})
    adapter = main.make_adapter("telegram", StubApp(), config)
    assert isinstance(adapter, TelegramAdapter)
    assert adapter.limits.overall_per_second == 10
    assert round(_overall_rate(SendRateLimiter(adapter.limits)), 6) == 10
