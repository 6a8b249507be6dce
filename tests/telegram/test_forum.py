"""Discussions mirrored as forum topics of a supergroup, both ways, through real PTB and the fake Bot API."""

from __future__ import annotations

import pytest

from bots.telegram.adapter import TelegramAdapter
from core.app import App
from core.config import ModerationConfig, TelegramConfig
from core.events import ChatRef, IncomingEvent, UserRef
from tests.telegram.conftest import FAST, Harness, texts
from tests.telegram.core_data import company, make_core

FORUM_ID = -1001234567890
AUTHOR, READER = 1001, 2002


def forum_chat() -> dict:
    return {"id": FORUM_ID, "type": "supergroup", "title": "Placement Forum", "is_forum": True}


@pytest.fixture
async def tg(tmp_path, fake):
    app = await make_core(tmp_path, moderation={"reputation_threshold": 0})  # everyone's threads open at once
    await company(app, "TCS")
    fake.chats[FORUM_ID] = forum_chat()
    config = TelegramConfig(
        token=fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url, forum_chat_id=FORUM_ID
    )
    adapter = TelegramAdapter(app, config, ModerationConfig(), limits=FAST, poll_timeout=1)
    await adapter.start()
    harness = Harness(fake, adapter)
    harness.app = app
    yield harness
    await adapter.stop()
    await app.close()


def in_topic(tg: Harness, thread: int) -> list[dict]:
    return [m for m in tg.fake.sent_to(FORUM_ID) if m.get("message_thread_id") == thread]


async def console(app: App, command: str, args: str) -> str:
    """A student at the terminal runs a command; returns the reply text."""
    event = IncomingEvent(
        UserRef("console", "c-7", "Ravi Console"),
        ChatRef("console", "c-7"),
        "command",
        command=command,
        args=args,
    )
    return "\n".join(reply.text for reply in await app.handle(event))


async def start_thread(tg: Harness) -> int:
    """The author starts a discussion in the private chat; returns the forum topic it opened."""
    await tg.say("/newthread TCS")
    await tg.say("Bond & notice period at TCS?")
    await tg.say("How long is the <bond>? 🤔")
    done = await tg.press("👤 As Asha")
    assert "Started discussion #1" in texts(done)
    [create] = tg.fake.calls_to("createForumTopic")
    assert create.params["name"] == "#1 Bond & notice period at TCS?"
    [(chat_id, thread_id)] = tg.fake.topics
    return thread_id


async def test_thread_opens_a_topic_and_replies_flow_both_ways(tg):
    thread = await start_thread(tg)
    [opening] = in_topic(tg, thread)
    assert opening["is_topic_message"] and "How long is the <bond>? 🤔" in opening["text"]
    assert "Started by Asha" in opening["text"] and "/thread 1" in opening["text"]

    # core -> Telegram: a reply written on the console shows in the topic
    assert "Replied in #1" in await console(tg.app, "reply", "1 Two years, sadly")
    assert in_topic(tg, thread)[-1]["text"] == "Ravi Console:\nTwo years, sadly"

    # Telegram -> core: a member writes inside the topic; nothing is echoed into the group
    before = len(tg.fake.sent_to(FORUM_ID))
    reader = Harness.user(READER, "Meena")
    await tg.say("Same for me, 2 years & a 3-month notice", user=reader, chat=forum_chat(), topic=thread)
    assert len(tg.fake.sent_to(FORUM_ID)) == before
    shown = await console(tg.app, "thread", "1")
    assert "Same for me, 2 years & a 3-month notice" in shown and "Meena" in shown
    told = tg.fake.sent_to(AUTHOR)[-1]["text"]  # the thread's author hears of it privately
    assert "New reply in your discussion #1" in told and "from Meena" in told

    # resolved: a note in the topic, then the topic is closed; later replies still arrive
    assert "Marked #1" in texts(await tg.say("/solve 1"))
    assert in_topic(tg, thread)[-1]["text"] == "✅ This discussion was marked as resolved."
    assert tg.fake.topics[(FORUM_ID, thread)]["closed"] is True
    await console(tg.app, "reply", "1 Update: they cut it to one year")
    assert in_topic(tg, thread)[-1]["text"] == "Ravi Console:\nUpdate: they cut it to one year"
    assert len(tg.fake.calls_to("reopenForumTopic")) == 1  # reopened for the message, then closed again
    assert tg.fake.topics[(FORUM_ID, thread)]["closed"] is True


async def test_chatter_outside_mirrored_topics_gets_no_answer(tg):
    thread = await start_thread(tg)
    reader = Harness.user(READER, "Meena")
    before = len(tg.fake.sent)
    assert await tg.say("anyone from TCS here?", user=reader, chat=forum_chat(), topic=thread + 50) == []
    assert await tg.say("TCS", user=reader, chat=forum_chat()) == []  # the General topic
    assert len(tg.fake.sent) == before
    assert "Meena" not in await console(tg.app, "thread", "1")


async def test_commands_in_a_topic_are_answered_in_that_topic(tg):
    thread = await start_thread(tg)
    reader = Harness.user(READER, "Meena")
    sent = await tg.say("/thread@insights_test_bot 1", user=reader, chat=forum_chat(), topic=thread)
    assert sent and all(m.get("message_thread_id") == thread for m in sent)
    assert "Bond & notice period at TCS?" in texts(sent)
    invite = await tg.say("/mock@insights_test_bot", user=reader, chat=forum_chat(), topic=thread)
    assert invite[0]["message_thread_id"] == thread and "private chat" in invite[0]["text"]


async def test_without_forum_config_nothing_is_mirrored(tmp_path, fake):
    app = await make_core(tmp_path, moderation={"reputation_threshold": 0})
    await company(app, "TCS")
    config = TelegramConfig(token=fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    adapter = TelegramAdapter(app, config, ModerationConfig(), limits=FAST, poll_timeout=1)
    await adapter.start()
    try:
        assert "telegram" not in app.mirrors
        tg = Harness(fake, adapter)
        await tg.say("/newthread TCS")
        await tg.say("Bond at TCS?")
        await tg.say("How long?")
        assert "Started discussion #1" in texts(await tg.press("👤 As Asha"))
        assert fake.calls_to("createForumTopic") == []
    finally:
        await adapter.stop()
        await app.close()
