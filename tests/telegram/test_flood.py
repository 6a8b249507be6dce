"""One chat flooding the bot must not delay anyone else (issue 13 item 5), with the production send limits.

In the field 200 messages from one chat made a second student's /help wait 134 s: the flood's waiting
updates held every processing slot. The test pushes the same flood through the real PTB Application
and the fake Bot API and asserts on order (the bystander's answer goes out while the flood is still
being answered), not on wall time, so a loaded CI machine cannot make it flaky; the measured delay is
printed for the record.
"""

from __future__ import annotations

import time

import pytest

from bots.telegram.adapter import SLOW_DOWN
from bots.telegram.limits import SendLimits
from bots.telegram.processor import MAX_WAITING_PER_CHAT
from core.app import bootstrap
from core.config import parse_config
from tests.telegram.conftest import Harness, start_adapter

FLOODER, BYSTANDER = 2001, 3001
FLOOD = 200


@pytest.fixture
async def core(tmp_path):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    yield app
    await app.close()


async def test_a_flooding_chat_does_not_delay_another_chat(core, fake):
    adapter = await start_adapter(core, fake, limits=SendLimits())  # production rates: 1 msg/s per chat
    tg = Harness(fake, adapter)
    try:
        bystander = tg.user(BYSTANDER, "Bina")
        started = time.monotonic()
        await tg.say("/help", user=bystander)  # warm-up, and the quiet baseline
        quiet = time.monotonic() - started
        flooder = tg.user(FLOODER, "Flood")
        ids = []
        for n in range(FLOOD):
            message = tg._message(flooder, None, text=f"hello {n}")
            ids.append(await fake.push_update({"message": message}))
        help_message = tg._message(
            bystander, None, text="/help", entities=[{"type": "bot_command", "offset": 0, "length": 5}]
        )
        started = time.monotonic()
        help_id = await fake.push_update({"message": help_message})
        await adapter.wait_processed(help_id, timeout=60)
        waited = time.monotonic() - started
        print(f"bystander's /help: {quiet:.2f} s alone, {waited:.2f} s behind a {FLOOD}-message flood")

        answer = max(i for i, m in enumerate(fake.sent) if m["chat"]["id"] == BYSTANDER)
        flood_before = [m for m in fake.sent[:answer] if m["chat"]["id"] == FLOODER]
        assert "What I can do" in fake.sent[answer]["text"]
        assert len(flood_before) < 5  # answered while the flood was still being answered (1 msg/s)

        for update_id in ids:
            await adapter.wait_processed(update_id, timeout=60)
        to_flooder = [m["text"] for m in fake.sent_to(FLOODER)]
        assert to_flooder.count(SLOW_DOWN) == 1  # told once
        answered = [t for t in to_flooder if t != SLOW_DOWN]
        assert len(answered) == MAX_WAITING_PER_CHAT  # the rest of the flood was dropped, not queued
        assert not any("went wrong" in t for t in to_flooder)
        assert adapter.processor.dropped == FLOOD - MAX_WAITING_PER_CHAT

        # the flood is over: the chat is served (and may be told again in a later flood)
        later = await tg.say("/help", user=flooder)
        assert any("What I can do" in m.get("text", "") for m in later)
    finally:
        await adapter.stop()
