"""A dialog answered by plain messages in a guild channel, through the real core over the fake Discord.

In a guild the adapter passes a member's plain message to the core only while that member has a dialog
in that channel (`AppPort.in_dialog`); everyone else's chatter never reaches the core and leaves no log
above DEBUG. The dialog's questions are private, so they arrive in the member's DMs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.app import App
from storage.models import Company, DialogState, Experience
from tests.discord.conftest import ASHA, CHANNEL_A, DM_ASHA, RAVI, Bot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.test_share_dialog import Student, open_app, stored

# Every answer of the sharing dialog after the name, typed as the member would (labels or values).
TYPED_ANSWERS = [
    "skip",  # LinkedIn
    "CSE",
    "21cse1234",
    "2024",
    "tcs",
    "2023",
    "SDE",
    "Builds backend services in Java",
    "On-campus",
    "Online assessment",
    "90",
    "1. Two Sum\n2. Explain normalization in DBMS",
    "done",
    "3",
    "done",  # no more rounds
    "Solved 200 LeetCode problems and revised DBMS and OS notes.",
    "Think aloud; interviewers care about your approach more than the final code.",
    "Selected",
    "3",
    "5",
    "No, show my name",
]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    """The real core on a fresh SQLite file, with TCS as a known company."""
    app = await open_app(tmp_path)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


async def type_in_channel(fake: FakeDiscord, bot: Bot, text: str) -> list[str]:
    """Asha types `text` in the guild channel; return what the bot then sent to her DMs."""
    before = len(fake.bot_messages(DM_ASHA))
    await fake.say(ASHA, CHANNEL_A, text)
    await fake.wait_for(lambda: len(fake.bot_messages(DM_ASHA)) > before)
    await bot.adapter.drain()
    return [m["content"] for m in fake.bot_messages(DM_ASHA)[before:]]


async def test_plain_answers_in_the_guild_channel_reach_the_dialog_and_chatter_is_ignored(
    bots, fake, app, caplog: pytest.LogCaptureFixture
):
    bot = await bots(app)
    student = Student(bot)
    assert "type your name" in await student.command("share")

    after_name = await type_in_channel(fake, bot, "Asha Rao")
    assert "2/16 · LinkedIn" in "\n".join(after_name)  # the next question, privately
    [state] = await stored(app, DialogState)
    assert state.answers["name"] == "Asha Rao"

    caplog.clear()
    caplog.set_level(logging.DEBUG)
    await fake.say(RAVI, CHANNEL_A, "anyone done the TCS online assessment yet?")
    await bot.adapter.drain()
    noisy = [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and (r.name.startswith("bots.discord") or r.name.startswith("core"))
    ]
    assert noisy == [], [(r.name, r.getMessage()) for r in noisy]
    assert fake.bot_messages(CHANNEL_A) == []  # nobody answered Ravi in the channel
    [state] = await stored(app, DialogState)  # and the core never saw him: only Asha's dialog exists
    assert state.step == "linkedin"

    for answer in TYPED_ANSWERS:
        shown = await type_in_channel(fake, bot, answer)
        assert not any(line.startswith("⚠️") for line in shown), (answer, shown)
    review = "\n".join(shown)
    assert "Asha Rao" in review and "21CSE1234" in review
    done = await type_in_channel(fake, bot, "Submit")
    assert "pending moderation" in "\n".join(done)

    [experience] = await stored(app, Experience)
    assert (experience.author_name, experience.roll_number, experience.platform) == (
        "Asha Rao",
        "21CSE1234",
        "discord",
    )
    assert await stored(app, DialogState) == []
    assert fake.bot_messages(CHANNEL_A) == []  # every question and the review went to DMs only
