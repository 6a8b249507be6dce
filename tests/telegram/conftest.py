"""Fixtures: the fake Bot API on 127.0.0.1 and a harness that talks to the real PTB Application."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.telegram.adapter import TelegramAdapter
from bots.telegram.limits import SendLimits
from core.config import ModerationConfig, TelegramConfig
from tests.telegram.fake_bot_api import BOT_USER, FakeBotApi

TOKEN = "123456:TEST-secret-token-AbCdEf_987654321"
FAST = SendLimits(
    overall_per_second=1000,
    chat_per_second=1000,
    chat_burst=100,
    group_per_minute=1000,
    max_retries_429=5,
    network_retries=3,
    backoff_seconds=0.01,
    backoff_max_seconds=0.05,
)
GROUP_ID = -100777


class Harness:
    """Plays users: pushes updates to the fake server and waits until the adapter has handled them."""

    def __init__(self, fake: FakeBotApi, adapter: TelegramAdapter) -> None:
        self.fake, self.adapter = fake, adapter
        self._ids = itertools.count(1)

    @staticmethod
    def user(user_id: int = 1001, name: str = "Asha") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name}

    @staticmethod
    def private_chat(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    @staticmethod
    def group_chat() -> dict[str, Any]:
        return {"id": GROUP_ID, "type": "supergroup", "title": "Placement Prep"}

    async def _push(self, update: dict[str, Any], chat_id: int) -> list[dict[str, Any]]:
        before = len(self.fake.sent)
        update_id = await self.fake.push_update(update)
        await self.adapter.wait_processed(update_id)
        return self.fake.sent[before:]

    def _message(self, user, chat, **content) -> dict[str, Any]:
        return {
            "message_id": self.fake.new_message_id(),
            "from": user,
            "chat": chat or self.private_chat(user),
            "date": int(time.time()),
            **content,
        }

    async def say(self, text: str, user=None, chat=None, topic: int | None = None) -> list[dict[str, Any]]:
        """A user types `text` (inside forum topic `topic`, if given); returns what the bot sent meanwhile."""
        user = user or self.user()
        message = self._message(user, chat, text=text)
        if topic is not None:
            message.update(message_thread_id=topic, is_topic_message=True)
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._push({"message": message}, message["chat"]["id"])

    async def send_media(self, user=None, chat=None, **content) -> list[dict[str, Any]]:
        user = user or self.user()
        message = self._message(user, chat, **content)
        return await self._push({"message": message}, message["chat"]["id"])

    async def inline(self, query: str, user=None, chat_type: str = "sender") -> dict[str, Any] | None:
        """The user types `@bot <query>` in some chat; returns the bot's answerInlineQuery params."""
        before = len(self.fake.inline_answers)
        inline_query = {
            "id": f"iq{next(self._ids)}",
            "from": user or self.user(),
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        }
        update_id = await self.fake.push_update({"inline_query": inline_query})
        await self.adapter.wait_processed(update_id)
        answers = self.fake.inline_answers[before:]
        assert len(answers) <= 1
        return answers[0] if answers else None

    @staticmethod
    def _button(message: dict[str, Any], label: str) -> dict[str, Any] | None:
        """The button labelled exactly `label`, else the first whose label starts with it."""
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        exact = [b for b in buttons if b["text"] == label]
        return (exact or [b for b in buttons if b["text"].startswith(label)] or [None])[0]

    def last_with_button(self, label: str, chat_id: int) -> dict[str, Any]:
        for message in reversed(self.fake.sent_to(chat_id)):
            if self._button(message, label):
                return copy.deepcopy(message)  # as the user's client shows it now
        raise AssertionError(
            f"no message in chat {chat_id} offers a button {label!r}: {self.buttons(chat_id)}"
        )

    def buttons(self, chat_id: int) -> list[str]:
        """Labels of the buttons on the latest bot message with a keyboard in the chat."""
        for message in reversed(self.fake.sent_to(chat_id)):
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            if rows:
                return [button["text"] for row in rows for button in row]
        return []

    async def press(self, label: str, user=None, message=None) -> list[dict[str, Any]]:
        """The user presses the button labelled `label` (on `message`, default: the latest offering it)."""
        user = user or self.user()
        message = message or self.last_with_button(label, user["id"])
        button = self._button(message, label)
        assert button is not None, f"no button {label!r} on message {message.get('text')!r}"
        data = button["callback_data"]
        query = {
            "id": f"cq{next(self._ids)}",
            "from": user,
            "chat_instance": "ci",
            "message": dict(message),
            "data": data,
        }
        return await self._push({"callback_query": query}, message["chat"]["id"])


def texts(messages: list[dict[str, Any]]) -> str:
    """Everything the user sees in these messages (text and captions), as one string."""
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)


class TelegramDriver:
    """tests.support.drivers.ScriptDriver over the Harness: type messages, press inline buttons."""

    def __init__(self, tg: Harness) -> None:
        self.tg = tg

    async def command(self, name: str) -> str:
        return texts(await self.tg.say(f"/{name}"))

    async def type(self, text: str) -> str:
        return texts(await self.tg.say(text))

    async def pick(self, label: str) -> str:
        return texts(await self.tg.press(label))


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.close()
    assert server.violations == [], server.violations


def telegram_config(fake: FakeBotApi, **overrides: Any) -> TelegramConfig:
    return TelegramConfig(token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url, **overrides)


async def start_adapter(app, fake: FakeBotApi, moderators=(), limits: SendLimits = FAST) -> TelegramAdapter:
    adapter = TelegramAdapter(
        app,
        telegram_config(fake),
        ModerationConfig(telegram_user_ids=list(moderators)),
        limits=limits,
        poll_timeout=1,
    )
    await adapter.start()
    return adapter


__all__ = ["BOT_USER", "GROUP_ID", "Harness", "TOKEN", "start_adapter", "texts"]
