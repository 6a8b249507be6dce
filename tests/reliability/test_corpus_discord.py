"""The bad-input corpus (tests/reliability/corpus.py) through real discord.py against the offline fake
Discord, in a member's DMs: every case outside a dialog and inside the sharing dialog (videos also at the
/mock answer step). After each one: a friendly reply, every request valid against Discord's OpenAPI spec,
no live markdown, link or mention made of the member's text (content escaped, allowed_mentions empty),
/help still answers, and the database is consistent."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl

from bots.discord.render import ACTION_PREFIX
from tests.console.driver import FakeClock, make_app
from tests.discord.conftest import GUILD_A, GUILD_B, make_adapter
from tests.discord.fake_discord import FakeDiscord, FakeFile, FakeInteraction, FakeUser, buttons
from tests.reliability.corpus import (
    EVIL,
    FLOOD,
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

pytestmark = pytest.mark.asyncio(loop_scope="module")
IDS = itertools.count(1)


class Env:
    def __init__(self, fake: FakeDiscord, adapter: Any, app: Any) -> None:
        self.fake, self.adapter, self.app = fake, adapter, app

    async def settle(self, interaction: FakeInteraction) -> FakeInteraction:
        await self.fake.wait_for(lambda: interaction.acknowledged)
        await asyncio.wait_for(self.adapter.drain(), 10)
        return interaction


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory) -> AsyncIterator[Env]:
    root = tmp_path_factory.mktemp("corpus-discord")
    fake = await FakeDiscord([GUILD_A, GUILD_B]).start()
    patch = pytest.MonkeyPatch()
    patch.setattr(discord.http.Route, "BASE", fake.api_base)
    patch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    app = await make_app(root, f"sqlite+aiosqlite:///{root / 'd.db'}", FakeClock(), scorer=NeverScorer())
    adapter = make_adapter(app)
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.wait_ready(), 15)
        yield Env(fake, adapter, app)
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 10)
        await app.close()
        await fake.close()
        patch.undo()
    assert fake.unhandled == []


def member() -> tuple[FakeUser, int]:
    n = next(IDS)
    return FakeUser(id=111_000_000_000_100_000 + n, name=f"Student{n}"), 555_000_000_000_100_000 + n


async def dm(env: Env, user: FakeUser, channel: int, content: str, files=()) -> list[dict[str, Any]]:
    """The member writes in their DMs; returns what the bot posted there in answer."""
    before = len(env.fake.bot_messages(channel))
    await env.fake.say(user, channel, content, files)
    await asyncio.sleep(0)
    await env.fake.wait_for(lambda: len(env.fake.bot_messages(channel)) > before, timeout=10)
    await asyncio.wait_for(env.adapter.drain(), 10)
    return env.fake.bot_messages(channel)[before:]


async def slash(env: Env, user: FakeUser, channel: int, name: str) -> list[dict[str, Any]]:
    return (await env.settle(await env.fake.slash(user, channel, name))).messages


async def click(env: Env, user: FakeUser, messages: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    for message in reversed(messages):
        for text, custom_id in buttons(message):
            if text.startswith(label):
                return (await env.settle(await env.fake.click(user, message, custom_id))).messages
    raise AssertionError(f"no {label!r} button")


def content(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("content") or "" for m in messages)


async def enter(env: Env, user: FakeUser, channel: int, mode: str) -> None:
    if mode == "sharing":
        assert "share your interview experience" in content(await slash(env, user, channel, "share"))
    elif mode == "mock":
        shown = await slash(env, user, channel, "mock")
        assert "Question:" in content(await click(env, user, shown, "✅ I agree (delete"))


async def send(env: Env, user: FakeUser, channel: int, item: Case) -> list[dict[str, Any]]:
    if item.kind in ("text", "command"):
        return await dm(env, user, channel, item.discord_text())
    if item.kind == "button":  # as our buttons carry it ("ii:<token>"), on an old message
        custom_id = (ACTION_PREFIX + item.text)[:100]
        return (await env.settle(await env.fake.press(user, channel, custom_id))).messages
    file = FakeFile(item.filename, item.data, item.mime, item.claimed_size)
    return await dm(env, user, channel, "", (file,))


_ESCAPED = re.compile(r"\\.", re.DOTALL)
_LIVE = re.compile(rf"(\*\*|__|`|\|\||~~|\[){MARKER}|\[[^\[\]]*\]\(https?://{re.escape(EVIL)}")


def assert_inert(env: Env, since: int, messages: list[dict[str, Any]], item: Case) -> None:
    """Discord renders markdown in content: the member's markup must arrive escaped; every message body
    the bot sent carries allowed_mentions with nothing to ping."""
    for message in messages:
        live = _LIVE.search(_ESCAPED.sub("", message.get("content") or ""))
        assert live is None, f"{item.id}: live markup {live.group(0)!r} in {message['content'][:200]!r}"
    for _method, path, body in env.fake.requests[since:]:
        if isinstance(body, dict):
            data = body.get("data", body) if "type" in body else body
            if isinstance(data, dict) and data.get("content"):
                mentions = data.get("allowed_mentions")
                assert mentions is not None and mentions.get("parse") == [], (item.id, path, mentions)
                assert not mentions.get("users") and not mentions.get("roles"), (item.id, mentions)


@pytest.mark.parametrize(("case_id", "mode"), cases())
async def test_discord_case(env: Env, case_id: str, mode: str) -> None:
    item = case(case_id)
    user, channel = member()
    env.fake.dm_channels[user.id] = channel
    await enter(env, user, channel, mode)
    key = ("discord", str(channel), str(user.id))
    before = await snapshot(env.app, *key)
    since = len(env.fake.requests)
    sent = await send(env, user, channel, item)
    assert_friendly(content(sent), item, mode)
    if item.injection:
        assert_inert(env, since, sent, item)
    assert env.fake.violations == [], env.fake.violations
    assert_consistent(before, await snapshot(env.app, *key), item, mode)
    assert "What I can do" in content(await slash(env, user, channel, "help"))


@pytest.mark.parametrize("custom_id", ["share_v1:step:3", "g:review approve 1", "ii:with\na newline"])
async def test_a_button_of_an_older_bot_version_is_answered(env: Env, custom_id: str) -> None:
    """discord.py routes a custom_id none of our items owns nowhere: the member saw "This interaction
    failed". It is answered like any stale button, privately, and never run as a command."""
    user, channel = member()
    env.fake.dm_channels[user.id] = channel
    pressed = await env.settle(await env.fake.press(user, channel, custom_id))
    assert "That button has expired" in content(pressed.messages)
    assert "review" not in content(pressed.messages).lower()


@pytest.mark.parametrize("mode", ["outside", "sharing"])
async def test_discord_flood(env: Env, mode: str) -> None:
    """200 DMs from one member at once: every one is answered, friendly, and the dialog is intact."""
    user, channel = member()
    env.fake.dm_channels[user.id] = channel
    await enter(env, user, channel, mode)
    key = ("discord", str(channel), str(user.id))
    before = await snapshot(env.app, *key)
    replies_before = len(env.fake.bot_messages(channel))
    for text in flood_texts():
        await env.fake.say(user, channel, text)
    await env.fake.wait_for(
        lambda: len(env.fake.bot_messages(channel)) - replies_before >= FLOOD, timeout=120
    )
    await asyncio.wait_for(env.adapter.drain(), 60)
    flood = Case("flood", "text")
    answers = env.fake.bot_messages(channel)[replies_before:]
    for answer in answers:
        assert_friendly(answer.get("content") or "", flood, mode)
    assert env.fake.violations == []
    assert_flood_consistent(before, await snapshot(env.app, *key), mode)
    assert "What I can do" in content(await slash(env, user, channel, "help"))
