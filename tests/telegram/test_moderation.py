"""Moderation round trip and /mydata on Telegram, through real PTB, the fake Bot API and the real core."""

from __future__ import annotations

import json

import pytest

from tests.telegram.conftest import GROUP_ID, Harness, start_adapter, texts
from tests.telegram.core_data import company, experience, make_core
from tests.telegram.test_share_dialog import first_half, second_half

STUDENT, MODERATOR, OTHER_AUTHOR = 1001, 9009, 1004


@pytest.fixture
async def tg(tmp_path, fake):
    app = await make_core(tmp_path, moderation={"telegram_user_ids": [MODERATOR]})
    await company(app, "TCS")
    adapter = await start_adapter(app, fake, moderators=[MODERATOR])
    harness = Harness(fake, adapter)
    harness.app = app
    yield harness
    await adapter.stop()
    await app.close()


def moderator() -> dict:
    return Harness.user(MODERATOR, "Mod Priya")


def newest_text(tg: Harness, chat_id: int) -> str:
    return tg.fake.sent_to(chat_id)[-1].get("text", "")


async def test_moderator_commands_are_listed_only_for_moderators(tg):
    public = {c["command"] for c in tg.fake.commands}
    assert "review" not in public and {"share", "mock", "mydata"} <= public
    [(scope, commands)] = tg.fake.scoped_commands.items()
    assert json.loads(scope) == {"type": "chat", "chat_id": MODERATOR}
    assert "review" in {c["command"] for c in commands} and public <= {c["command"] for c in commands}


async def test_share_alert_review_approve_and_reject_with_reasons(tg):
    await first_half(tg)
    await second_half(tg)
    done = await tg.press("✅ Submit")
    assert "pending moderation" in texts(done)
    alert = newest_text(tg, MODERATOR)  # pushed to the moderator's private chat
    assert "New experience waiting for review: #1 TCS" in alert and "/review 1" in alert

    refused = await tg.say("/review")  # the student is no moderator
    assert "only moderators" in texts(refused)
    assert not any("Review #" in (m.get("text") or "") for m in tg.fake.sent_to(STUDENT))

    card = await tg.say("/review", user=moderator())
    assert "Review #1" in texts(card) and "21CSE1234" in texts(card)  # moderators check the roll number
    second = await experience(tg.app, "TCS", telegram_user=OTHER_AUTHOR, author="Kiran", approve=False)
    third = await experience(tg.app, "TCS", telegram_user=OTHER_AUTHOR, author="Kiran", approve=False)

    approved = await tg.press("✅ Approve", user=moderator())
    assert "Approved #1." in texts(approved)
    assert f"Review #{second}" in texts(approved)  # the next waiting card follows
    assert "#1) is now published" in newest_text(tg, STUDENT)

    asked = await tg.press("❌ Reject", user=moderator())
    assert "Why is it rejected?" in texts(asked)
    assert "Too little detail" in tg.buttons(MODERATOR)
    rejected = await tg.press("Too little detail", user=moderator())
    assert f"Rejected #{second}" in texts(rejected)
    told = newest_text(tg, OTHER_AUTHOR)
    assert f"(#{second}) was not published. Reason: Too little detail." in told

    await tg.say(f"/review {third}", user=moderator())
    await tg.press("❌ Reject", user=moderator())
    typed = await tg.say("Please add the questions you were asked", user=moderator())
    assert f"Rejected #{third}" in texts(typed)
    assert "Reason: Please add the questions you were asked." in newest_text(tg, OTHER_AUTHOR)
    assert "queue is empty" in texts(await tg.say("/review", user=moderator()))
    # every pressed review keyboard was retired, so a decision cannot be pressed twice
    pressed = {
        (int(c.params["chat_id"]), int(c.params["message_id"])) for c in tg.fake.calls_to("editMessageText")
    }
    assert pressed and all("reply_markup" not in tg.fake.messages[key] for key in pressed)


async def test_mydata_arrives_as_a_json_document(tg):
    await experience(tg.app, "TCS", telegram_user=STUDENT, author="Asha Rao", anonymous=True)
    sent = await tg.say("/mydata")
    [document] = [m for m in sent if "document" in m]
    assert document["chat"]["id"] == STUDENT and document["caption"] == "Your data (JSON)"
    [call] = tg.fake.calls_to("sendDocument")
    assert call.file_names["document"] == "my-interview-insights-data.json"
    data = json.loads(call.files["document"].decode("utf-8"))
    assert data["format"] == "interview-insights-mydata"
    assert "21CSE1234" in json.dumps(data)  # their own roll number: it is their data
    assert "Send /forget" in texts(sent)


async def test_mydata_in_a_group_moves_to_the_private_chat(tg):
    sent = await tg.say("/mydata@insights_test_bot", chat=Harness.group_chat())
    [button] = [b for row in sent[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert sent[0]["chat"]["id"] == GROUP_ID and button["url"].endswith("?start=mydata")
    assert tg.fake.calls_to("sendDocument") == []  # nothing personal is sent to the group
    await experience(tg.app, "TCS", telegram_user=STUDENT)
    private = await tg.say("/start mydata")  # what Telegram sends when the student follows the link
    assert [m["chat"]["id"] for m in private if "document" in m] == [STUDENT]
