"""Moderation and privacy on Discord through the real core: alert, /review, approve/reject, DMs, /mydata."""

from __future__ import annotations

import json

import pytest

from storage.models import Company
from tests.discord.conftest import ASHA, CHANNEL_A, CHANNEL_B, DM_ASHA, RAVI
from tests.discord.fake_discord import EPHEMERAL, buttons
from tests.discord.helpers import open_app, text
from tests.discord.test_share_dialog import Student, answer_everything

MOD_CHANNEL = CHANNEL_B


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, moderation={"discord_channel_id": MOD_CHANNEL})
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


async def share(student: Student) -> None:
    await answer_everything(student)
    assert "pending moderation" in await student.pick("✅ Submit")


async def dm_texts(fake, count: int) -> list[str]:
    messages = await fake.wait_for(
        lambda: len(fake.bot_messages(DM_ASHA)) >= count and fake.bot_messages(DM_ASHA)
    )
    return [m["content"] for m in messages]


async def test_review_round_trip_alert_approve_reject_and_the_author_told_by_dm(bots, fake, app):
    bot = await bots(app)
    student = Student(bot)
    await share(student)
    [alert] = fake.bot_messages(MOD_CHANNEL)  # pushed to config.moderation.discord_channel_id
    assert "New experience waiting for review: #1 TCS" in alert["content"]
    await share(student)
    assert len(fake.bot_messages(MOD_CHANNEL)) == 2

    refused = await bot.slash(ASHA, CHANNEL_A, "review")  # Asha has no moderator role
    [message] = refused.messages
    assert message["content"] == "Sorry, only moderators can use that command."  # the core's router
    assert message["flags"] & EPHEMERAL

    card = await bot.slash(RAVI, MOD_CHANNEL, "review")
    [shown] = card.messages
    assert "Review #1" in shown["content"] and "21CSE1234" in shown["content"]  # roll number: moderators only
    assert shown["flags"] & EPHEMERAL
    rejecting = await bot.click(RAVI, shown, "❌ Reject")
    prompt = next(m for m in rejecting.messages if buttons(m))
    labels = [label for label, _ in buttons(prompt)]
    assert "Too little detail" in labels and "✏️ Answer" in labels  # suggestions, or type one in a modal
    opened = await bot.click(RAVI, prompt, "✏️")
    field = opened.modal["components"][0]["components"][0]["custom_id"]
    done = await bot.settle(
        await fake.submit(RAVI, opened, {field: "Please add the questions you were asked"})
    )
    assert "Rejected #1; the author was told why" in text(done)
    [told] = await dm_texts(fake, 1)
    assert "(#1) was not published. Reason: Please add the questions you were asked" in told

    card = await bot.slash(RAVI, MOD_CHANNEL, "review")
    approved = await bot.click(RAVI, card.messages[0], "✅ Approve")
    assert "Approved #2." in text(approved) and "queue is empty" in text(approved)
    _rejected, published = await dm_texts(fake, 2)
    assert "(#2) is now published" in published
    assert ("POST", "/users/@me/channels", {"recipient_id": ASHA.id}) in fake.requests


async def test_reject_with_a_suggested_reason_button(bots, fake, app):
    bot = await bots(app)
    await share(Student(bot))
    card = await bot.slash(RAVI, MOD_CHANNEL, "review", id="1")
    rejecting = await bot.click(RAVI, card.messages[0], "❌ Reject")
    prompt = next(m for m in rejecting.messages if buttons(m))
    done = await bot.click(RAVI, prompt, "Duplicate of another post")
    assert "Rejected #1" in text(done)
    [told] = await dm_texts(fake, 1)
    assert "Reason: Duplicate of another post" in told


async def test_mydata_is_an_ephemeral_json_file(bots, fake, app):
    bot = await bots(app)
    await share(Student(bot))
    inter = await bot.slash(ASHA, CHANNEL_A, "mydata")
    [message] = inter.messages
    assert message["flags"] & EPHEMERAL and "everything I store about you" in message["content"]
    [attachment] = message["attachments"]
    data = json.loads(fake.files[int(message["id"])][attachment["filename"]])
    assert data["format"] == "interview-insights-mydata"
    assert "21CSE1234" in json.dumps(data) and "Asha Rao" in json.dumps(data)  # her own data, to her alone
