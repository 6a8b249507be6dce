"""The real core's sharing dialog through the real PTB Application and the fake Bot API (polling)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.app import bootstrap
from core.config import parse_config
from storage.models import Company, DialogState, Experience
from tests.support.drivers import assert_stored_step_by_step, play
from tests.support.share_script import AFTER_COMPANY, COMPANY, STEP_PREPARATION, UP_TO_COMPANY
from tests.telegram.conftest import GROUP_ID, Harness, TelegramDriver, start_adapter, texts

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
USER = 1001


async def make_app(tmp_path):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db", clock=lambda: NOW)
    return app


@pytest.fixture
async def core(tmp_path):
    app = await make_app(tmp_path)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


@pytest.fixture
async def tg(core, fake):
    adapter = await start_adapter(core, fake)
    yield Harness(fake, adapter)
    await adapter.stop()


async def stored(app, model):
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model))).all())


async def first_half(tg: Harness) -> None:
    """/share up to the company question: the shared step-by-step script (tests/support/share_script.py)."""
    await play(TelegramDriver(tg), UP_TO_COMPANY)
    assert tg.fake.sent[-1]["chat"]["id"] == USER  # every question in the private chat


async def second_half(tg: Harness) -> str:
    """From the company to the review screen, by the shared script."""
    driver = TelegramDriver(tg)
    await play(driver, [COMPANY])
    return await play(driver, AFTER_COMPANY)


async def test_complete_share_dialog_stores_pending_experience(tg, core):
    await first_half(tg)
    review = await second_half(tg)
    assert "✅ Submit" in tg.buttons(USER)
    assert STEP_PREPARATION in review  # HTML-escaped on the way, shown exactly
    done = await tg.press("✅ Submit")
    assert "pending moderation" in texts(done)
    await assert_stored_step_by_step(core, "telegram")
    # every button press was acknowledged, and every pressed keyboard retired
    presses = [c for c in tg.fake.calls if c.method == "answerCallbackQuery"]
    assert len(presses) == 17
    pressed_messages = {
        (int(c.params["chat_id"]), int(c.params["message_id"]))
        for c in tg.fake.calls
        if c.method in ("editMessageText", "editMessageReplyMarkup") and c.status == 200
    }
    assert len(pressed_messages) == 17
    assert all("reply_markup" not in tg.fake.messages[key] for key in pressed_messages)
    # the registered command list is the core's
    assert {"start", "help", "share", "cancel", "back", "myposts"} <= {c["command"] for c in tg.fake.commands}


async def test_restart_in_the_middle_of_the_dialog(tmp_path, fake):
    app = await make_app(tmp_path)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    adapter = await start_adapter(app, fake)
    tg = Harness(fake, adapter)
    await first_half(tg)
    await tg.say("tcs")
    year_prompt = tg.last_with_button("2023", USER)
    await adapter.stop()
    await app.close()

    app = await make_app(tmp_path)
    adapter = await start_adapter(app, fake)
    tg = Harness(fake, adapter)
    try:
        after = await tg.press("2023", message=year_prompt)  # a keyboard sent before the restart still works
        assert "SDE" in tg.buttons(USER), texts(after)
        review = await second_half_after_year(tg)
        assert "TCS" in texts(review)
        assert "pending moderation" in texts(await tg.press("✅ Submit"))
        [experience] = await stored(app, Experience)
        assert (experience.interview_year, experience.passout_year, experience.roll_number) == (
            2023,
            2024,
            "21CSE1234",
        )
    finally:
        await adapter.stop()
        await app.close()


async def second_half_after_year(tg: Harness) -> list[dict]:
    await tg.press("SDE")
    await tg.say("Builds backend services in Java")
    await tg.press("On-campus")
    await tg.press("Coding")
    await tg.say("skip")
    await tg.say("Reverse a linked list")
    await tg.press("✅ Done with questions")
    await tg.press("2")
    await tg.press("✅ Done with rounds")
    await tg.say("Practised linked lists and trees for two weeks.")
    await tg.say("Stay calm and explain your approach before coding.")
    await tg.press("Selected")
    await tg.press("3")
    await tg.press("5 great")
    return await tg.press("No, show my name")


async def test_stale_button_says_expired(tg):
    await tg.say("/share")
    await tg.say("Asha")
    await tg.say("skip")
    branch_prompt = tg.last_with_button("CSE", USER)
    await tg.press("CSE")
    before = len(tg.fake.calls_to("answerCallbackQuery"))
    stale = await tg.press("ECE", message=branch_prompt)  # the old keyboard, pressed again
    assert "expired" in texts(stale).lower()
    assert len(tg.fake.calls_to("answerCallbackQuery")) == before + 1


async def test_group_chat_moves_share_to_private_chat(tg, core):
    group = tg.group_chat()
    user = tg.user(2002, "Ravi")
    assert await tg.say("anyone interviewed at TCS?", user=user, chat=group) == []
    sent = await tg.say("/share@insights_test_bot", user=user, chat=group)
    [button] = [b for row in sent[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == "https://t.me/insights_test_bot?start=share"
    assert await stored(core, DialogState) == []  # no dialog was started in the group
    private = await tg.say("/start share", user=user)  # what Telegram sends after the deep link
    assert private[-1]["chat"]["id"] == 2002
    [state] = await stored(core, DialogState)
    assert (state.chat_id, state.user_id, state.flow) == ("2002", "2002", "share")
    greeting = await tg.say("/start@insights_test_bot", user=user, chat=group)
    assert greeting[0]["chat"]["id"] == GROUP_ID
    invite = await tg.press("📝 Share my experience", user=user, message=tg.last_with_button("📝", GROUP_ID))
    assert invite[0]["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("?start=share")
    assert len(await stored(core, DialogState)) == 1  # still only the private one
    help_in_group = await tg.say("/help@insights_test_bot", user=user, chat=group)
    assert help_in_group[0]["chat"]["id"] == GROUP_ID and "/share" in help_in_group[0]["text"]


async def test_start_greets_with_buttons(tg):
    sent = await tg.say("/start")
    assert "Interview Insights" in texts(sent)
    # preparing comes first, sharing right after (issue 12: /start helps both audiences)
    assert tg.buttons(USER)[:3] == ["🏢 Top companies", "🎤 Mock interview", "📝 Share my experience"]
    first = await tg.press("📝 Share my experience")
    assert first and tg.fake.calls_to("answerCallbackQuery")


async def test_file_over_20_mb_with_real_core(tg):
    tg.fake.add_file("big", size=21 * 1024 * 1024)
    sent = await tg.send_media(
        document={
            "file_id": "big",
            "file_unique_id": "b",
            "file_name": "talk.mp4",
            "file_size": 21 * 1024 * 1024,
        }
    )
    assert "20 MB" in texts(sent)
    assert tg.fake.calls_to("getFile") == []
