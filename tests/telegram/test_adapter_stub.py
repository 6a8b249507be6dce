"""The adapter through the real PTB Application against the fake Bot API, with a stub core."""

from __future__ import annotations

import logging

import pytest

from tests.telegram.conftest import GROUP_ID, TOKEN, Harness, start_adapter, texts
from tests.telegram.fake_bot_api import MAX_CAPTION, utf16_len
from tests.telegram.stub_app import StubApp


@pytest.fixture
async def tg(fake):
    app = StubApp()
    adapter = await start_adapter(app, fake, moderators=[1001])
    harness = Harness(fake, adapter)
    harness.app = app
    yield harness
    await adapter.stop()


async def test_start_registers_commands_and_greets(tg):
    assert tg.fake.calls_to("getMe") and tg.fake.calls_to("deleteWebhook")
    assert [c["command"] for c in tg.fake.commands] == ["start", "share", "stats"]  # moderator-only hidden
    sent = await tg.say("/start")
    assert texts(sent) == "Welcome! payload=-"
    event = tg.app.events[-1]
    assert (event.kind, event.command, event.is_moderator, event.chat.is_private) == (
        "command",
        "start",
        True,
        True,
    )


async def test_deep_link_payload_goes_to_core_and_bad_payload_is_dropped(tg):
    assert texts(await tg.say("/start share_TCS-2024")) == "Welcome! payload=share_TCS-2024"
    assert texts(await tg.say("/start " + "a" * 65)) == "Welcome! payload=-"
    assert texts(await tg.say("/start bad<payload>")) == "Welcome! payload=-"


async def test_button_press_is_answered_and_keyboard_retired(tg):
    sent = await tg.say("/share")
    assert tg.buttons(1001) == ["TCS", "Infosys"]
    prompt = sent[-1]
    reply = await tg.press("TCS")
    assert texts(reply) == "You picked TCS."
    assert reply[0]["entities"][0]["type"] == "bold"
    assert len(tg.fake.calls_to("answerCallbackQuery")) == 1
    stored = tg.fake.messages[(1001, prompt["message_id"])]
    assert "reply_markup" not in stored
    assert stored["text"].endswith("✓ TCS")


async def test_stale_button_gets_expired_and_is_still_acknowledged(tg):
    await tg.say("/share")
    reply = await tg.press("Infosys")
    assert "expired" in texts(reply)
    assert len(tg.fake.calls_to("answerCallbackQuery")) == 1


async def test_html_special_characters_and_emoji_are_escaped_and_shown_exactly(tg):
    answer = 'Tom & Jerry <b>not bold</b> "quoted" 5 > 3 😀👩‍💻 **'
    sent = await tg.say(answer)
    assert texts(sent) == f"You said: {answer}"
    assert tg.app.events[-1].text == answer


async def test_long_reply_is_split_on_line_boundaries(tg):
    sent = await tg.say("/long")
    assert len(sent) >= 4
    assert all(utf16_len(m["text"]) <= 4096 for m in sent)
    lines = "\n".join(m["text"] for m in sent).split("\n")
    assert lines == [f"line {i:04d} " + "x" * 60 for i in range(200)]


async def test_photo_caption_overflow_goes_into_a_following_message(tg):
    sent = await tg.say("/photo")
    assert "photo" in sent[0] and len(sent[0]["caption"]) <= MAX_CAPTION
    assert sent[0]["caption"].startswith("Caption start")
    assert sent[-1]["text"].endswith("END")
    shown = " ".join(m.get("caption") or m.get("text") for m in sent).split()
    assert shown.count("word") == 400


async def test_album_of_three_charts(tg):
    sent = await tg.say("/album")
    assert len(tg.fake.calls_to("sendMediaGroup")) == 1
    assert [m["caption"] for m in sent] == ["chart 0", "chart 1", "chart 2"]


async def test_oversized_callback_token_is_dropped_not_crashing(tg, caplog):
    await tg.say("/badbutton")
    assert tg.buttons(1001) == ["Good"]
    assert "dropping button 'Bad'" in caplog.text


async def test_group_chat_personal_command_gets_deep_link_and_chatter_is_ignored(tg):
    group = tg.group_chat()
    user = tg.user(2002, "Ravi")
    assert await tg.say("just chatting about TCS", user=user, chat=group) == []
    assert await tg.say("/share@some_other_bot", user=user, chat=group) == []
    sent = await tg.say("/share@insights_test_bot", user=user, chat=group)
    assert len(sent) == 1 and sent[0]["chat"]["id"] == GROUP_ID
    (button,) = [b for row in sent[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == "https://t.me/insights_test_bot?start=share"
    sent = await tg.say("/submit", user=user, chat=group)  # an alias of a personal command
    assert sent[0]["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("start=submit")
    assert [e.command for e in tg.app.events] == []  # nothing reached the core
    sent = await tg.say("/stats@insights_test_bot TCS", user=user, chat=group)
    assert texts(sent) == "Unknown command /stats."
    assert tg.app.events[-1].args == "TCS" and tg.app.events[-1].chat.is_private is False


async def test_private_reply_from_group_goes_to_private_chat(tg):
    user = tg.user(2002, "Ravi")
    sent = await tg.say("/private", user=user, chat=tg.group_chat())
    assert [(m["chat"]["id"], m["text"]) for m in sent] == [(2002, "Only for you.")]


async def test_core_error_tells_user_and_bot_keeps_working(tg):
    sent = await tg.say("/boom")
    assert texts(sent) == "Something went wrong, please try again."
    assert texts(await tg.say("still there?")) == "You said: still there?"


async def test_notifier_pushes_later_replies(tg):
    sent = await tg.say("/notify")
    assert texts(sent) == "Pushed later."


async def test_small_file_is_fetched_only_when_core_asks(tg):
    tg.fake.add_file("doc1", b"%PDF-1.4 hello")
    sent = await tg.send_media(
        document={"file_id": "doc1", "file_unique_id": "d1", "file_name": "cv.pdf", "file_size": 14},
        caption="my CV",
    )
    assert texts(sent) == "Got document cv.pdf of 14 bytes."
    assert tg.app.fetched == [b"%PDF-1.4 hello"]
    assert len(tg.fake.calls_to("getFile")) == 1 and len(tg.fake.calls_to("download")) == 1
    assert tg.app.events[-1].text == "my CV"


async def test_file_over_20_mb_gets_clear_message_without_get_file(tg):
    tg.fake.add_file("vid1", size=25 * 1024 * 1024)
    sent = await tg.send_media(
        video={
            "file_id": "vid1",
            "file_unique_id": "v1",
            "width": 640,
            "height": 480,
            "duration": 90,
            "file_size": 25 * 1024 * 1024,
        },
    )
    assert "20 MB" in texts(sent) and "25.0 MB" in texts(sent)
    assert tg.fake.calls_to("getFile") == []
    assert not [
        e for e in tg.app.events if e.kind == "upload"
    ]  # one clear message, not a second from the core


async def test_unsupported_content_gets_friendly_message(tg):
    sent = await tg.send_media(location={"latitude": 1.0, "longitude": 2.0})
    assert "can't read that kind of message" in texts(sent) and "/help" in texts(sent)


async def test_slow_core_shows_typing_until_it_answers(tg):
    tg.adapter.typing_after = 0.0
    sent = await tg.say("/slow")
    assert texts(sent) == "Done thinking."
    [action] = tg.fake.calls_to("sendChatAction")
    assert (action.params["chat_id"], action.params["action"]) == (1001, "typing")
    tg.adapter.typing_after = 60.0
    assert texts(await tg.say("/start")) == "Welcome! payload=-"
    assert len(tg.fake.calls_to("sendChatAction")) == 1  # an answer within the delay shows no typing


async def test_429_storm_is_waited_out(tg):
    tg.fake.fail_next(2, status=429, retry_after=1, methods={"sendMessage"})
    sent = await tg.say("hello")
    assert texts(sent) == "You said: hello"
    statuses = [c.status for c in tg.fake.calls_to("sendMessage")]
    assert statuses == [429, 429, 200]


async def test_server_error_is_retried_with_backoff(tg):
    tg.fake.fail_next(1, status=500, retry_after=None, methods={"sendMessage"})
    sent = await tg.say("hello")
    assert texts(sent) == "You said: hello"
    assert [c.status for c in tg.fake.calls_to("sendMessage")] == [500, 200]


async def test_token_never_appears_in_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # another test may have quietened httpx (main.py does)
    app = StubApp()
    adapter = await start_adapter(app, fake)
    harness = Harness(fake, adapter)
    await harness.say("/boom")
    await harness.say("hello")
    await adapter.stop()
    assert "update 1 failed: RuntimeError: core exploded" in caplog.text
    assert "HTTP Request: POST" in caplog.text  # httpx logged request URLs (they contain the token)
    assert "getUpdates" in caplog.text
    assert TOKEN not in caplog.text
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


async def test_rejected_token_is_a_clear_error_without_the_token(fake):
    from bots.telegram.adapter import TelegramAdapter
    from core.config import ConfigError, ModerationConfig
    from tests.telegram.conftest import telegram_config

    config = telegram_config(fake).model_copy(update={"token": "999:wrong-token-value"})
    adapter = TelegramAdapter(StubApp(), config, ModerationConfig())
    with pytest.raises(ConfigError) as caught:
        await adapter.start()
    assert "TELEGRAM_BOT_TOKEN" in str(caught.value) and "wrong-token-value" not in str(caught.value)
    await adapter.stop()  # harmless after a failed start


async def test_moderators_get_their_commands_in_their_own_chat(tg):
    scoped = [c for c in tg.fake.calls_to("setMyCommands") if "scope" in c.params]
    assert [c.params["scope"] for c in scoped] == [{"type": "chat", "chat_id": 1001}]
    assert "approve" in [c["command"] for c in scoped[0].params["commands"]]
