"""Field faults on Discord (issue 13 items 11 and 12) through real discord.py and the fake Discord."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bots.discord.translate import option_name
from storage.models import Company, Post, Thread
from tests.discord.conftest import CHANNEL_A
from tests.discord.fake_discord import EPHEMERAL, FakeUser
from tests.discord.helpers import open_app, text

ASK = option_name("<company> <question>")
REPLY = option_name("<id> [text]")
REFUSED = "only moderators can use that command"


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, moderation={"reputation_threshold": 0})  # posts are public at once
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


async def rows(app, model):
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model))).all())


@pytest.mark.parametrize("defer_after", [2.0, 0.0])  # answered at once, or after a "thinking…" deferral
async def test_anonymous_ask_and_reply_are_confirmed_privately(bots, fake, app, defer_after):
    bot = await bots(app, defer_after=defer_after)
    meera = FakeUser(id=111_000_000_000_000_101, name="Meera")
    asked = await bot.slash(meera, CHANNEL_A, "ask", **{ASK: "anon TCS How long is the bond?"})
    assert "Started discussion #1 (TCS) anonymously" in text(asked)
    assert asked.messages and all(m["flags"] & EPHEMERAL for m in asked.messages)
    for body in asked.callbacks:  # the first response decides who sees "Meera used /ask"
        assert body.get("data", {}).get("flags", 0) & EPHEMERAL, body

    replied = await bot.slash(meera, CHANNEL_A, "reply", **{REPLY: "1 Thanks, that helped anon"})
    assert "Replied in #1 (reply 2) anonymously" in text(replied)
    assert all(m["flags"] & EPHEMERAL for m in replied.messages)

    [thread] = await rows(app, Thread)
    assert thread.title == "How long is the bond?"  # "anon" is never part of the title
    posts = await rows(app, Post)
    assert [(p.body, p.anonymous) for p in posts] == [
        ("How long is the bond?", True),
        ("Thanks, that helped", True),
    ]


async def test_a_named_ask_stays_public(bots, fake, app):
    bot = await bots(app)
    meera = FakeUser(id=111_000_000_000_000_101, name="Meera")
    asked = await bot.slash(meera, CHANNEL_A, "ask", **{ASK: "TCS Is the feedback form anonymous"})
    assert "Started discussion #1 (TCS) as Meera" in text(asked)
    [thread] = await rows(app, Thread)
    assert thread.title == "Is the feedback form anonymous"  # a trailing "anonymous" is a word, not a request


async def test_a_moderator_seen_in_the_guild_can_review_from_dms_until_the_role_is_removed(bots, fake, app):
    bot = await bots(app)
    meera = FakeUser(id=111_000_000_000_000_102, name="Meera", roles=("Moderator",))
    dm = 555_000_000_000_000_102
    fake.dm_channels[meera.id] = dm
    stranger = FakeUser(id=111_000_000_000_000_103, name="Sam", roles=("Moderator",))
    fake.dm_channels[stranger.id] = 555_000_000_000_000_103

    assert REFUSED in text(await bot.slash(stranger, 555_000_000_000_000_103, "review"))  # never seen

    await bot.slash(meera, CHANNEL_A, "help")  # typed once in the guild, with the role
    assert "queue is empty" in text(await bot.slash(meera, dm, "review"))

    meera.roles = ()  # the role is removed; she is seen in the guild without it
    await bot.slash(meera, CHANNEL_A, "help")
    assert REFUSED in text(await bot.slash(meera, dm, "review"))
