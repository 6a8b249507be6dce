"""Webhook mode: PTB's webhook server behind a secret token, registered with setWebhook on the fake API."""

from __future__ import annotations

import logging
import socket
import time

import aiohttp

from bots.telegram.adapter import TelegramAdapter
from core.config import ModerationConfig, WebhookConfig
from tests.telegram.conftest import FAST, TOKEN, telegram_config, texts
from tests.telegram.stub_app import StubApp

SECRET = "s3cret-Webhook_token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_checks_secret_and_answers(fake, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()
    hook = WebhookConfig(
        url="https://bot.example.org/telegram", listen="127.0.0.1", port=port, secret_token=SECRET
    )
    config = telegram_config(fake, mode="webhook", webhook=hook)
    adapter = TelegramAdapter(StubApp(), config, ModerationConfig(), limits=FAST)
    await adapter.start()
    try:
        [call] = fake.calls_to("setWebhook")
        assert call.params["url"] == "https://bot.example.org/telegram"
        assert call.params["secret_token"] == SECRET
        assert fake.calls_to("getUpdates") == []
        update = {
            "update_id": 77,
            "message": {
                "message_id": 5,
                "date": int(time.time()),
                "from": {"id": 1001, "is_bot": False, "first_name": "Asha"},
                "chat": {"id": 1001, "type": "private", "first_name": "Asha"},
                "text": "via webhook",
            },
        }
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as session:
            async with session.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as bad:
                assert bad.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with session.post(url, json=update, headers=headers) as good:
                assert good.status == 200
        await adapter.wait_processed(77)
        assert texts(fake.sent) == "You said: via webhook"
    finally:
        await adapter.stop()
    assert "setWebhook" in caplog.text  # PTB logged the call (its parameters include the secret)
    assert SECRET not in caplog.text and TOKEN not in caplog.text
