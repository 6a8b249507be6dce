"""Cross-platform bridge with fake mirrors: Discord -> core -> Telegram and back, console in the middle."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.events import ChatRef, IncomingEvent, UserRef
from storage.models import Post, Thread, ThreadMirror
from storage.privacy import PrivacyRepo
from tests.community.conftest import Env, FakeMirror

pytestmark = pytest.mark.asyncio


@pytest.fixture
def mirrors(env: Env):
    discord = FakeMirror("discord", "99000")
    telegram = FakeMirror("telegram", "-1001234567890:")
    env.app.register_mirror("discord", discord)
    env.app.register_mirror("telegram", telegram)
    return discord, telegram


def message(platform: str, chat_id: str, user_id: str, name: str, text: str) -> IncomingEvent:
    """A plain message as an adapter sends it from inside a mirrored thread/topic."""
    return IncomingEvent(
        user=UserRef(platform, user_id, name),
        chat=ChatRef(platform, chat_id, is_private=False),
        kind="text",
        text=text,
    )


async def test_new_thread_opens_on_every_mirror_and_stores_ids(env: Env, mirrors):
    discord, telegram = mirrors
    await env.trusted("stu-1", "Asha")
    await env.console("stu-1", "Asha").say("/ask TCS How long is the bond?")
    [on_discord], [on_telegram] = discord.opened, telegram.opened
    assert on_discord == on_telegram
    assert (on_discord.title, on_discord.author, on_discord.company, on_discord.topic) == (
        "How long is the bond?",
        "Asha",
        "TCS",
        "question",
    )
    async with env.app.database.sessions() as session:
        thread_id = await session.scalar(select(Thread.id))
        stored = (
            await session.execute(
                select(ThreadMirror.thread_id, ThreadMirror.platform, ThreadMirror.external_id).order_by(
                    ThreadMirror.platform
                )
            )
        ).all()
        assert [tuple(row) for row in stored] == [
            (thread_id, "discord", "990001"),
            (thread_id, "telegram", "-1001234567890:1"),
        ]


async def test_discord_reply_reaches_telegram_and_console(env: Env, mirrors):
    discord, telegram = mirrors
    await env.trusted("stu-1", "Asha")
    console = env.console("stu-1", "Asha")
    await console.say("/ask TCS How long is the bond?")
    replies = await env.app.handle(message("discord", "990001", "d-77", "Rohan", "Two years in 2025."))
    assert replies == []  # already visible in the Discord thread: nothing echoed back there
    assert telegram.posts == [("-1001234567890:1", "Rohan", "Two years in 2025.")]
    assert discord.posts == []
    out = await console.say("/thread 1")
    assert "Rohan via Discord, 25 Nov:\nTwo years in 2025." in out
    assert any("New reply in your discussion #1" in text for text in env.outbox.to("stu-1"))
    # The console answers: both mirrors get it.
    await console.say("/reply 1 Thanks Rohan!")
    assert ("990001", "Asha", "Thanks Rohan!") in discord.posts
    assert ("-1001234567890:1", "Asha", "Thanks Rohan!") in telegram.posts


async def test_telegram_reply_reaches_discord_and_console(env: Env, mirrors):
    discord, telegram = mirrors
    await env.trusted("d-1", "Rohan", platform="discord")
    started = IncomingEvent(
        user=UserRef("discord", "d-1", "Rohan"),
        chat=ChatRef("discord", "555", is_private=False),
        kind="command",
        command="ask",
        args="Infosys Is the SP role interview harder?",
    )
    assert "Started discussion #1 (Infosys)" in "\n".join(r.text for r in await env.app.handle(started))
    # Started by a command outside the forum: the Discord forum gets the thread too.
    assert [t.id for t in discord.opened] == [1] and [t.id for t in telegram.opened] == [1]
    tg = message("telegram", "-1001234567890:1", "t-5", "Kavya", "Yes, one extra coding round.")
    assert await env.app.handle(tg) == []
    assert discord.posts == [("990001", "Kavya", "Yes, one extra coding round.")]
    assert telegram.posts == []
    out = await env.console("stu-9", "Zoya").say("/thread 1")
    assert "Kavya via Telegram" in out and "Yes, one extra coding round." in out
    async with env.app.database.sessions() as session:
        post = await session.scalar(select(Post).where(Post.body == "Yes, one extra coding round."))
        assert post.platform == "telegram"


async def test_unmirrored_chats_fall_through_to_company_lookup(env: Env, mirrors):
    replies = await env.app.handle(message("discord", "123456", "d-1", "Rohan", "TCS"))
    assert replies and "TCS" in "\n".join(r.text for r in replies)
    async with env.app.database.sessions() as session:
        assert (await session.scalars(select(Post))).all() == []


async def test_anonymous_posts_stay_anonymous_on_mirrors(env: Env, mirrors):
    discord, telegram = mirrors
    await env.trusted("stu-anon", "Priya Secret")
    author = env.console("stu-anon", "Priya Secret")
    await author.say("/ask anon TCS Do they check backlogs?")
    await author.say("/reply 1 anon Also, what about gap years?")
    for mirror in (discord, telegram):
        assert "Priya" not in mirror.everything() and "Anonymous" in mirror.everything()


async def test_pending_thread_is_mirrored_only_after_approval(env: Env, mirrors):
    discord, telegram = mirrors
    await env.console("stu-1", "Asha").say("/ask TCS Is there a dress code?")
    assert discord.opened == [] and telegram.opened == []
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/moderate t1")
    await moderator.pick("✅ Approve")
    assert [t.title for t in discord.opened] == ["Is there a dress code?"]
    assert [t.title for t in telegram.opened] == ["Is there a dress code?"]


async def test_solve_marks_every_mirror_resolved(env: Env, mirrors):
    discord, telegram = mirrors
    await env.trusted("stu-1", "Asha")
    console = env.console("stu-1", "Asha")
    await console.say("/ask TCS Bond?")
    await console.say("/solve 1")
    assert discord.resolved == ["990001"] and telegram.resolved == ["-1001234567890:1"]


async def test_a_failing_mirror_never_breaks_posting(env: Env, mirrors):
    discord, telegram = mirrors

    async def broken(*args):
        raise RuntimeError("Discord is down")

    discord.post = broken
    await env.trusted("stu-1", "Asha")
    console = env.console("stu-1", "Asha")
    await console.say("/ask TCS Bond?")
    assert "Replied in #1" in await console.say("/reply 1 still works")
    assert ("-1001234567890:1", "Asha", "still works") in telegram.posts


async def test_any_registered_platform_mirrors_threads_and_takes_replies(env: Env, mirrors):
    """The core names no platform: a third adapter's mirror gets threads and its replies come back."""
    discord, telegram = mirrors
    matrix = FakeMirror("matrix", "!room")
    env.app.register_mirror("matrix", matrix)
    await env.trusted("stu-1", "Asha")
    await env.console("stu-1", "Asha").say("/ask TCS Is the aptitude round negative-marked?")
    assert [t.title for t in matrix.opened] == ["Is the aptitude round negative-marked?"]
    assert await env.repo.thread_by_external_id("matrix", "!room1") == 1
    reply = message("matrix", "!room1", "m-3", "Ishan", "No negative marking.")
    assert await env.app.handle(reply) == []  # shown in the room already: nothing echoed back
    assert ("990001", "Ishan", "No negative marking.") in discord.posts
    assert ("-1001234567890:1", "Ishan", "No negative marking.") in telegram.posts
    assert matrix.posts == []


async def test_a_platform_without_a_registered_mirror_is_not_read_as_thread_replies(env: Env):
    """A stored mirror id alone does not make a chat a thread: the platform must have a mirror registered."""
    await env.trusted("stu-1", "Asha")
    await env.console("stu-1", "Asha").say("/ask TCS How long is the bond?")
    await env.repo.set_external_id(1, "discord", "990001")  # mirrored earlier, adapter not running now
    replies = await env.app.handle(message("discord", "990001", "d-77", "Rohan", "TCS"))
    assert replies and "TCS" in "\n".join(r.text for r in replies)  # the company lookup answered
    async with env.app.database.sessions() as session:
        assert (await session.scalars(select(Post.body).order_by(Post.id))).all() == ["How long is the bond?"]


async def test_the_authors_data_export_says_where_their_thread_is_mirrored(env: Env, mirrors):
    author = await env.trusted("stu-1", "Asha")
    await env.console("stu-1", "Asha").say("/ask TCS How long is the bond?")
    data = await PrivacyRepo(env.app.database.sessions).user_data(author)
    assert data is not None
    [thread] = data["threads_started"]
    assert thread["mirrors"] == {"discord": "990001", "telegram": "-1001234567890:1"}
