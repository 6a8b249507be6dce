"""Field faults on Telegram (issue 13 items 1-3) through the real PTB Application and the fake Bot API."""

from __future__ import annotations

import pytest

from core.app import bootstrap
from core.config import parse_config
from tests.telegram.conftest import GROUP_ID, Harness, start_adapter, texts

USER = 1001


@pytest.fixture
async def tg(tmp_path, fake):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    adapter = await start_adapter(app, fake)
    yield Harness(fake, adapter)
    await adapter.stop()
    await app.close()


async def test_a_lone_surrogate_and_escape_codes_are_cleaned_before_the_core(tg):
    # JSON may carry "\ud800" (not a character): it reached the core, then failed when encoded
    said = texts(await tg.say("/search caf\ud800e\x1b[31m python"))
    assert "went wrong" not in said.lower()
    assert "\ud800" not in said and "\x1b" not in said
    assert "What I can do" in texts(await tg.say("/help"))


HUGE = "9" * 20


@pytest.mark.parametrize("typed", ["/thread ²", f"/thread {HUGE}", f"/helpful {HUGE}"])
async def test_ids_that_do_not_fit_get_not_found(tg, typed):
    said = texts(await tg.say(typed))
    assert "There is no" in said and "went wrong" not in said.lower()


async def test_a_reply_telegram_refuses_is_logged_and_the_next_message_is_served(tg, caplog):
    tg.fake.fail_next(1, status=400, retry_after=None, methods={"sendMessage"})
    refused = texts(await tg.say("/help"))
    assert "What I can do" not in refused and "went wrong" in refused.lower()  # told, not silent
    assert any("could not deliver a reply" in r.message for r in caplog.records)
    assert "What I can do" in texts(await tg.say("/help"))


async def test_anonymous_posting_from_a_group_moves_to_the_private_chat(tg):
    sent = await tg.say("/ask anon TCS How long is the bond?", chat=tg.group_chat())
    [invitation] = sent
    assert invitation["chat"]["id"] == GROUP_ID and "To post anonymously" in invitation["text"]
    [[button]] = invitation["reply_markup"]["inline_keyboard"]
    assert button["url"].endswith("?start=ask")
    # the deep link opens the private chat with /start ask: it runs /ask there
    assert "Ask like this" in texts(await tg.say("/start ask"))
