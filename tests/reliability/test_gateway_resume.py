"""Discord's gateway drops the bot's connection and the bot resumes (issue #14), through real discord.py
against the fake Discord (tests/discord/fake_discord.py models RESUME: the events of the session after
the bot's last sequence number are replayed, then RESUMED). Events sent while it was away are handled
once, none is doubled, the session is resumed (not identified anew), and the dialog goes on."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.models import DialogState
from tests.discord.conftest import ASHA, DM_ASHA, bots, fake
from tests.discord.fake_discord import FakeDiscord
from tests.discord.helpers import open_app

__all__ = ["bots", "fake"]
LINKEDIN = "LinkedIn profile URL"
BRANCH = "Which branch are you from?"


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, insights={"chart_workers": 0})
    yield app
    await app.close()


def shown(fake: FakeDiscord, phrase: str) -> int:
    return sum(phrase in (m.get("content") or "") for m in fake.bot_messages(DM_ASHA))


async def step(app) -> str | None:
    async with app.database.sessions() as session:
        return await session.scalar(select(DialogState.step))


@pytest.mark.parametrize("code", [4000, 1006])  # an unknown error; an abnormal closure (network drop)
async def test_events_sent_while_the_gateway_was_down_are_handled_once_after_the_resume(
    bots, fake, app, code
):
    bot = await bots(app)
    await bot.slash(ASHA, DM_ASHA, "share")
    assert len(fake.identifies) == 1

    await fake.disconnect(0, code=code)
    await fake.say(ASHA, DM_ASHA, "Asha Rao")  # kept by the gateway while the bot is away
    helped = await fake.slash(ASHA, DM_ASHA, "help")

    await fake.wait_for(lambda: fake.resumes, timeout=30)
    await bot.settle(helped)
    await fake.wait_for(lambda: shown(fake, LINKEDIN), timeout=10)
    await asyncio.wait_for(bot.adapter.drain(), 10)
    [resume] = fake.resumes
    assert resume["session_id"] == "session-0" and len(fake.identifies) == 1  # resumed, not a new session
    assert shown(fake, LINKEDIN) == 1  # the typed answer: handled once
    assert helped.callback_types == [4] and "What I can do" in helped.messages[0]["content"]
    assert await step(app) == "linkedin"

    await fake.say(ASHA, DM_ASHA, "https://www.linkedin.com/in/asha-rao")  # after the resume: live again
    await fake.wait_for(lambda: shown(fake, BRANCH), timeout=10)
    await asyncio.wait_for(bot.adapter.drain(), 10)
    assert shown(fake, BRANCH) == 1 and shown(fake, LINKEDIN) == 1
    assert await step(app) == "branch"
