"""Share in one message on Discord (real discord.py against the fake gateway): a pasted write-up in a DM,
and a long paste that Discord turned into a message.txt attachment."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.app import App, bootstrap
from core.config import parse_config
from storage.models import Company, Experience, Question, Round
from tests.discord.conftest import ASHA, DM_ASHA, Bot
from tests.discord.fake_discord import FakeFile, buttons
from tests.support import share_script as script


@pytest.fixture
async def app(tmp_path):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    await app.services.companies.refresh()
    yield app
    await app.close()


async def stored(app: App, model: Any) -> list[Any]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


class DirectMessages:
    """Asha in her DM with the bot: types messages and presses buttons on the newest answer; counts both."""

    def __init__(self, bot: Bot) -> None:
        self.bot, self.fake = bot, bot.fake
        self.actions = 0
        self.answered: list[dict[str, Any]] = []  # the messages of the newest answer, searched first

    def _bot_messages(self) -> list[dict[str, Any]]:
        return self.fake.bot_messages(DM_ASHA)

    async def say(self, content: str, files: tuple[FakeFile, ...] = ()) -> str:
        self.actions += 1
        before = len(self._bot_messages())
        await self.fake.say(ASHA, DM_ASHA, content, files)
        await self.fake.wait_for(lambda: len(self._bot_messages()) > before)
        await self.bot.adapter.drain()
        self.answered = self._bot_messages()[before:]
        return "\n".join(m["content"] for m in self.answered)

    async def press(self, label: str) -> str:
        self.actions += 1
        for message in reversed(self.answered):
            if any(text.startswith(label) for text, _ in buttons(message)):
                pressed = await self.bot.click(ASHA, message, label)
                self.answered = pressed.messages
                return "\n".join(m["content"] for m in pressed.messages)
        raise AssertionError(f"no {label!r} button in the DM")


async def finish(dm: DirectMessages) -> None:
    await dm.say(script.ABOUT)
    await dm.press("Yes, post anonymously")
    review = await dm.press("4")
    assert "Personal data in your write-up" in review and "6. Company: TCS" in review
    assert "pending moderation" in await dm.press("🙈 Mask and submit")


async def check_stored(app: App) -> None:
    [row] = await stored(app, Experience)
    assert (row.status, row.platform, row.role, row.outcome, row.interview_year) == (
        "pending",
        "discord",
        script.ROLE,
        script.OUTCOME,
        script.INTERVIEW_YEAR,
    )
    assert script.EMAIL not in row.preparation
    assert [r.kind for r in await stored(app, Round)] == script.ROUND_KINDS
    questions = [q.text for q in await stored(app, Question)]
    assert all(q in questions for q in script.SOME_QUESTIONS)


async def test_pasted_writeup_takes_six_messages_or_presses(bots, app):
    dm = DirectMessages(await bots(app))
    assert "Paste your whole write-up" in await dm.say("/share")
    filled = await dm.say(script.WRITEUP)
    assert "company: TCS" in filled and "About you" in filled
    await finish(dm)
    assert dm.actions <= script.MAX_MESSAGES
    await check_stored(app)


async def test_message_txt_attachment_is_the_writeup(bots, app):
    dm = DirectMessages(await bots(app))
    await dm.say("/share")
    paste = FakeFile("message.txt", script.WRITEUP.encode(), content_type="text/plain")
    filled = await dm.say("", files=(paste,))
    assert "company: TCS" in filled
    await finish(dm)
    await check_stored(app)


async def test_message_txt_outside_a_dialog_is_offered(bots, app):
    dm = DirectMessages(await bots(app))
    paste = FakeFile("message.txt", script.WRITEUP.encode(), content_type="text/plain")
    offered = await dm.say("", files=(paste,))
    assert "Share this as your interview experience?" in offered
    assert "company: TCS" in await dm.press("✅ Yes, share it")
