"""The bad-input corpus (tests/reliability/corpus.py) through the real python-telegram-bot Application
against the offline Bot API fake: every case outside a dialog and inside the sharing dialog (videos also
at the /mock answer step). After each one: a friendly reply, no request the real API would refuse, no
live markup or link made of the student's text, /help still answers, and the database is consistent."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bots.telegram.adapter import SLOW_DOWN
from tests.console.driver import FakeClock, make_app
from tests.reliability.corpus import (
    EVIL,
    MARKER,
    Case,
    assert_consistent,
    assert_flood_consistent,
    assert_friendly,
    case,
    cases,
    flood_texts,
    snapshot,
)
from tests.reliability.test_corpus_console import NeverScorer
from tests.telegram.conftest import TOKEN, Harness, start_adapter, texts
from tests.telegram.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.asyncio(loop_scope="module")
USERS = itertools.count(5001)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tg(tmp_path_factory) -> AsyncIterator[Harness]:
    root = tmp_path_factory.mktemp("corpus-telegram")
    fake = FakeBotApi(TOKEN)
    await fake.start()
    app = await make_app(root, f"sqlite+aiosqlite:///{root / 't.db'}", FakeClock(), scorer=NeverScorer())
    adapter = await start_adapter(app, fake)
    try:
        yield Harness(fake, adapter)
    finally:
        await adapter.stop()
        await app.close()
        await fake.close()


async def enter(tg: Harness, user: dict[str, Any], mode: str) -> None:
    if mode == "sharing":
        assert "share your interview experience" in texts(await tg.say("/share", user=user))
    elif mode == "mock":
        await tg.say("/mock", user=user)
        assert "Question:" in texts(await tg.press("✅ I agree (delete", user=user))


async def send(tg: Harness, user: dict[str, Any], item: Case) -> list[dict[str, Any]]:
    if item.kind in ("text", "command"):
        return await tg.say(item.text, user=user)
    if item.kind == "button":
        shown = tg.fake.sent_to(user["id"])
        message = (
            dict(shown[-1])
            if shown
            else {  # a press on an old message of ours, or a made-up one
                "message_id": 1,
                "from": {"id": 4242, "is_bot": True, "first_name": "Interview Insights"},
                "chat": tg.private_chat(user),
                "date": int(time.time()) - 3600,
                "text": "an old message",
            }
        )
        query = {"id": f"cq-{user['id']}", "from": user, "chat_instance": "ci", "message": message}
        before = len(tg.fake.sent)
        update_id = await tg.fake.push_update({"callback_query": {**query, "data": item.text}})
        await tg.adapter.wait_processed(update_id)
        return tg.fake.sent[before:]
    file_id = f"f-{user['id']}"
    tg.fake.add_file(file_id, item.data, item.claimed_size)
    video = {
        "file_id": file_id,
        "file_unique_id": file_id + "u",
        "width": 128,
        "height": 96,
        "duration": 2,
        "mime_type": item.mime,
        "file_size": item.claimed_size,
    }
    return await tg.send_media(user=user, video=video)


def assert_no_live_markup(messages: list[dict[str, Any]], item: Case) -> None:
    """What a Telegram client shows: no entity (bold, link, code...) over the marker, no link anywhere
    to the injected domain."""
    for message in messages:
        plain = message.get("text") or message.get("caption") or ""
        spans = [(m.start(), m.end()) for m in re.finditer(MARKER, plain)]
        for entity in message.get("entities", []) + message.get("caption_entities", []):
            assert EVIL not in str(entity.get("url", "")), f"{item.id}: a live link {entity}"
            start, end = _utf16_span(plain, entity)
            for a, b in spans:
                assert end <= a or start >= b, f"{item.id}: {entity['type']} over the student's text"


def _utf16_span(plain: str, entity: dict[str, Any]) -> tuple[int, int]:
    """An entity's (offset, length) in UTF-16 units as a Python index range of `plain`."""
    units = 0
    start = end = len(plain)
    for index, char in enumerate(plain):
        if units == entity["offset"]:
            start = index
        if units == entity["offset"] + entity["length"]:
            end = index
            break
        units += 2 if ord(char) > 0xFFFF else 1
    return start, end


@pytest.mark.parametrize(("case_id", "mode"), cases())
async def test_telegram_case(tg: Harness, case_id: str, mode: str) -> None:
    item = case(case_id)
    user = tg.user(next(USERS), "Student")
    await enter(tg, user, mode)
    key = ("telegram", str(user["id"]), str(user["id"]))
    before = await snapshot(tg.adapter.app, *key)
    sent = await send(tg, user, item)
    assert_friendly(texts(sent), item, mode)
    if item.injection:
        assert_no_live_markup(sent, item)
    assert tg.fake.violations == [], tg.fake.violations
    assert_consistent(before, await snapshot(tg.adapter.app, *key), item, mode)
    assert "What I can do" in texts(await tg.say("/help", user=user))


async def test_telegram_flood_inside_the_sharing_dialog(tg: Harness) -> None:
    """200 messages from one chat at once, mid-dialog (outside a dialog: tests/telegram/test_flood.py):
    the chat's queue keeps 10, the rest is dropped with one "slow down"; every answer is friendly and
    the dialog is intact."""
    user = tg.user(next(USERS), "Flood")
    await enter(tg, user, "sharing")
    key = ("telegram", str(user["id"]), str(user["id"]))
    before = await snapshot(tg.adapter.app, *key)
    sent_before = len(tg.fake.sent_to(user["id"]))
    ids = [
        await tg.fake.push_update({"message": tg._message(user, None, text=text)}) for text in flood_texts()
    ]
    for update_id in ids:
        await tg.adapter.wait_processed(update_id, timeout=120)
    answers = [m.get("text") or "" for m in tg.fake.sent_to(user["id"])[sent_before:]]
    assert answers.count(SLOW_DOWN) == 1
    flood = Case("flood", "text")
    for answer in answers:
        assert_friendly(answer, flood, "sharing")
    assert tg.fake.violations == []
    assert_flood_consistent(before, await snapshot(tg.adapter.app, *key), "sharing")
    assert "What I can do" in texts(await tg.say("/help", user=user))
