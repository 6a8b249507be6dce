"""Discussions as Discord forum threads through the real core: tags, bridge both ways, archive, /solve."""

from __future__ import annotations

from typing import Any

import pytest

from core.events import ChatRef, IncomingEvent, UserRef
from storage.models import Company, Post
from tests.discord.conftest import ASHA, CHANNEL_A, DM_ASHA, FORUM_A, RAVI
from tests.discord.fake_discord import MANAGE_CHANNELS
from tests.discord.helpers import eventually, open_app, text
from tests.discord.test_share_dialog import stored

MEERA = UserRef("console", "meera", "Meera")


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


async def posts_with(app, body: str) -> list[Post]:
    return [p for p in await stored(app, Post) if p.body == body]


async def console(app, command: str, args: str) -> str:
    """A student on the console runs a command (the other side of the bridge)."""
    event = IncomingEvent(MEERA, ChatRef("console", "meera"), "command", command=command, args=args)
    return "\n".join(r.text for r in await app.handle(event))


async def ask(bot, fake) -> dict[str, Any]:
    """Ravi (a moderator, so nothing waits for review) asks about TCS; returns the forum thread."""
    inter = await bot.slash(RAVI, CHANNEL_A, "ask", company_question="TCS What is asked in the OA round?")
    assert "Started discussion #1" in text(inter)
    [thread] = fake.threads.values()
    return thread


async def test_threads_are_forum_posts_with_created_tags_and_the_bridge_runs_both_ways(bots, fake, app):
    fake.bot_permissions = MANAGE_CHANNELS  # the bot may edit the forum: it creates missing tags
    bot = await bots(app, forum_channel_id=FORUM_A)
    thread = await ask(bot, fake)
    thread_id = int(thread["id"])
    assert thread["parent_id"] == str(FORUM_A) and thread["name"] == "What is asked in the OA round?"
    assert fake.tag_names(thread_id) == ["TCS", "question"]
    [starter] = fake.thread_messages(thread_id)
    assert (
        "What is asked in the OA round?" in starter["content"]
        and "Ravi · discussion #1" in starter["content"]
    )

    assert "Replied in #1" in await console(
        app, "reply", "1 Mostly aptitude, then two *easy* coding questions"
    )
    _starter, mirrored = fake.thread_messages(thread_id)
    assert mirrored["content"] == "**Meera**: Mostly aptitude, then two \\*easy\\* coding questions"

    await fake.say(ASHA, thread_id, "Thanks! Was it on HackerRank?")  # written inside the forum thread
    # a reply in the core thread, from Asha on Discord
    await eventually(lambda: posts_with(app, "Thanks! Was it on HackerRank?"))
    await bot.adapter.drain()
    assert len(fake.thread_messages(thread_id)) == 3  # not echoed back into the thread by the bot
    assert "Thanks! Was it on HackerRank?" in await console(app, "thread", "1")

    solved = await bot.slash(RAVI, CHANNEL_A, "solve", id="1")
    assert "Marked #1" in text(solved)
    assert fake.tag_names(thread_id) == ["TCS", "question", "resolved"]


async def test_an_auto_archived_thread_is_unarchived_before_posting(bots, fake, app):
    bot = await bots(app, forum_channel_id=FORUM_A)
    thread_id = int((await ask(bot, fake))["id"])
    await fake.archive(thread_id)  # Discord archived it after a day without messages
    await console(app, "reply", "1 It was on their own platform.")
    assert fake.threads[thread_id]["thread_metadata"]["archived"] is False
    patched = [
        i for i, (m, p, _) in enumerate(fake.requests) if (m, p) == ("PATCH", f"/channels/{thread_id}")
    ]
    posted = [
        i
        for i, (m, p, _) in enumerate(fake.requests)
        if (m, p) == ("POST", f"/channels/{thread_id}/messages")
    ]
    assert patched and posted and patched[0] < posted[0]
    assert fake.thread_messages(thread_id)[-1]["content"] == "**Meera**: It was on their own platform."


async def test_without_manage_channels_only_existing_tags_are_used(bots, fake, app):
    fake.add_tags(FORUM_A, "TCS", "Resolved")
    bot = await bots(app, forum_channel_id=FORUM_A)
    thread_id = int((await ask(bot, fake))["id"])
    assert fake.tag_names(thread_id) == ["TCS"]  # "question" does not exist and may not be created
    await bot.slash(RAVI, CHANNEL_A, "solve", id="1")
    assert fake.tag_names(thread_id) == ["TCS", "Resolved"]
    assert not any(m == "PATCH" and p == f"/channels/{FORUM_A}" for m, p, _ in fake.requests)


async def test_members_own_forum_posts_and_channel_chatter_are_left_alone(bots, fake, app):
    bot = await bots(app, forum_channel_id=FORUM_A)
    await ask(bot, fake)
    own = await fake.member_thread(ASHA, FORUM_A, "Infosys bond?")  # opened by Asha, not by the bot
    await fake.say(ASHA, own, "TCS")
    await fake.say(ASHA, CHANNEL_A, "TCS")  # chatter in a channel without a dialog
    await fake.say(ASHA, DM_ASHA, "TCS")  # answered: every message before it has reached the adapter
    await fake.wait_for(lambda: fake.bot_messages(DM_ASHA))
    await bot.adapter.drain()
    assert fake.bot_messages(own) == [] and fake.bot_messages(CHANNEL_A) == []
    assert [p.body for p in await stored(app, Post)] == ["What is asked in the OA round?"]
