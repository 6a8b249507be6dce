"""Discussions on Telegram: list, start a thread with buttons and typed text, reply, vote, solve."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import Harness, start_adapter, texts
from tests.telegram.core_data import company, make_core

ASHA, RAVI = 1001, 1002


@pytest.fixture
async def tg(tmp_path, fake):
    app = await make_core(tmp_path, moderation={"reputation_threshold": 0})  # new threads open at once
    await company(app, "TCS")
    adapter = await start_adapter(app, fake)
    harness = Harness(fake, adapter)
    yield harness
    await adapter.stop()
    await app.close()


async def test_start_a_thread_reply_and_solve(tg):
    assert "No discussions about TCS yet" in texts(await tg.say("/discuss tcs"))
    assert "short title" in texts(await tg.press("➕ New thread"))
    await tg.say("Is the TCS bond <still> 2 years? 🤔")
    await tg.say("I heard it changed in 2025 & want to be sure.")
    posted = texts(await tg.press("🕶 Anonymously"))
    assert "#1" in posted
    ravi = Harness.user(RAVI, "Ravi")
    listing = texts(await tg.say("/discuss TCS", user=ravi, chat=Harness.private_chat(ravi)))
    assert "Is the TCS bond <still> 2 years? 🤔" in listing  # HTML escaped on the wire, shown exactly
    reply = texts(
        await tg.say(
            "/reply 1 Still 2 years for Ninja, none for Digital.", user=ravi, chat=Harness.private_chat(ravi)
        )
    )
    assert "#1" in reply
    thread = texts(await tg.say("/thread 1"))
    assert "Anonymous" in thread and "Asha" not in thread and "Still 2 years for Ninja" in thread
    assert "resolved" in texts(await tg.say("/solve 1"))
    refused = texts(await tg.say("/solve 1", user=ravi, chat=Harness.private_chat(ravi)))
    assert "Only the person who started #1 or a moderator" in refused
