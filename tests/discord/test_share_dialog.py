"""The real core's sharing dialog on Discord: slash command, buttons and modals through discord.py."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from core.app import App, bootstrap
from core.config import parse_config
from storage.models import Company, DialogState, Identity
from tests.discord.conftest import ASHA, CHANNEL_A, Bot
from tests.discord.fake_discord import EPHEMERAL, FakeInteraction, FakeUser, buttons
from tests.support.drivers import assert_stored_step_by_step, play
from tests.support.share_script import AFTER_COMPANY, COMPANY, UP_TO_COMPANY


async def open_app(tmp_path) -> App:
    return await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")


async def stored(app: App, model: Any) -> list[Any]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model))).all())


class Student:
    """A member going through a dialog in one channel: presses buttons and fills modals on the last prompt."""

    def __init__(self, bot: Bot, user: FakeUser = ASHA, channel: int = CHANNEL_A) -> None:
        self.bot, self.user, self.channel = bot, user, channel
        self.last: FakeInteraction | None = None
        self.history: list[FakeInteraction] = []

    def _record(self, interaction: FakeInteraction) -> str:
        self.last = interaction
        self.history.append(interaction)
        return "\n".join(m["content"] for m in interaction.messages)

    def prompt(self, label: str) -> dict[str, Any]:
        """The newest message of the last answer that has a button starting with `label`."""
        assert self.last is not None
        for message in reversed(self.last.messages):
            if any(text.startswith(label) for text, _ in buttons(message)):
                return message
        raise AssertionError(f"no {label!r} button in: {[buttons(m) for m in self.last.messages]}")

    async def command(self, name: str) -> str:
        return self._record(await self.bot.slash(self.user, self.channel, name))

    async def pick(self, label: str) -> str:
        return self._record(await self.bot.click(self.user, self.prompt(label), label))

    async def type(self, text: str) -> str:
        """tests.support.drivers.ScriptDriver: a typed answer goes into the ✏️ modal."""
        return await self.answer(text)

    async def answer(self, text: str) -> str:
        message = self.prompt("✏️")
        opened = await self.bot.click(self.user, message, "✏️")
        field = opened.modal["components"][0]["components"][0]["custom_id"]
        return self._record(
            await self.bot.settle(await self.bot.fake.submit(self.user, opened, {field: text}))
        )


async def answer_everything(student: Student) -> str:
    """The shared step-by-step script (tests/support/share_script.py), answered with slash commands,
    buttons and modals; returns the review screen."""
    await play(student, UP_TO_COMPANY)
    assert "Year of interview" in await play(student, [COMPANY])
    return await play(student, AFTER_COMPANY)


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


async def test_complete_sharing_dialog_through_slash_command_buttons_and_modals(bots, app):
    student = Student(await bots(app))
    review = await answer_everything(student)
    assert "21CSE1234" in review and "TCS" in review
    assert {label for label, _ in buttons(student.prompt("✅ Submit"))} >= {"✅ Submit", "❌ Cancel"}
    done = await student.pick("✅ Submit")
    assert "pending moderation" in done

    await assert_stored_step_by_step(app, "discord")
    [identity] = await stored(app, Identity)
    assert (identity.platform, identity.platform_user_id) == ("discord", str(ASHA.id))
    assert await stored(app, DialogState) == []
    # a personal dialog in a guild channel: every answer only the member could see
    assert all(m["flags"] & EPHEMERAL for i in student.history for m in i.messages)


async def test_restart_mid_dialog_old_buttons_still_work(bots, tmp_path):
    first_app = await open_app(tmp_path)
    first = Student(await bots(first_app))
    await first.command("share")
    name_prompt = first.prompt("✏️")
    await first.bot.stop()
    await first_app.close()

    second_app = await open_app(tmp_path)  # new client, new core, same database
    second = Student(await bots(second_app))
    opened = await second.bot.click(ASHA, name_prompt, "✏️")  # a form button from before the restart
    assert opened.callback_types == [9]
    second._record(await second.bot.settle(await second.bot.fake.submit(ASHA, opened, {"name": "Asha"})))
    await second.pick("Skip")  # LinkedIn
    branch_prompt = second.prompt("CSE")
    await second.bot.stop()
    await second_app.close()

    third_app = await open_app(tmp_path)
    try:
        third = Student(await bots(third_app))
        pressed = await third.bot.click(ASHA, branch_prompt, "CSE")  # an action button from before
        assert "Roll number" in "\n".join(m["content"] for m in pressed.messages)
        [state] = await stored(third_app, DialogState)
        assert (state.step, state.answers["name"], state.answers["branch"]) == ("roll_number", "Asha", "CSE")
    finally:
        await third_app.close()


async def test_stale_button_says_expired_and_keeps_the_dialog(bots, app):
    student = Student(await bots(app))
    await student.command("share")
    await student.answer("Asha")
    await student.pick("Skip")
    branch_prompt = copy.deepcopy(student.prompt("CSE"))  # as a second client still shows it
    await student.pick("CSE")
    again = await student.bot.click(ASHA, branch_prompt, "ECE")  # the old keyboard, pressed again
    text = "\n".join(m["content"] for m in again.messages)
    assert "expired" in text
    [state] = await stored(app, DialogState)
    assert state.step == "roll_number" and state.answers["branch"] == "CSE"


async def test_slash_commands_are_the_cores_commands(bots, app, fake):
    await bots(app)
    synced = {c["name"]: c["description"] for c in fake.commands[None]}
    answer = synced.pop("answer")  # the adapter's own: Discord's way to send a file to /mock
    assert "video" in answer
    assert synced == {info.name: info.description for info in app.commands}
    askme = next(c for c in fake.commands[None] if c["name"] == "askme")
    [option] = askme["options"]
    assert option["name"] == "choice" and [c["value"] for c in option["choices"]] == ["on", "off"]
