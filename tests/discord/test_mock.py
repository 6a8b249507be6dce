"""Mock interviews on Discord via the real core: consent, the answer as a DM attachment or /answer, pushes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import MockAttempt
from tests.discord.conftest import ASHA, CHANNEL_A, DM_ASHA
from tests.discord.fake_discord import EPHEMERAL, LOADING, FakeFile, buttons
from tests.discord.helpers import attachment_names, open_app, text
from tests.media_video import clips as C
from tests.mock.test_mock_console import FakeScorer


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    """A real 2-second H.264 MP4 of a face."""
    path = tmp_path_factory.mktemp("clip") / "answer.mp4"
    return C.write_clip(path, lambda t, i: C.place(C.grace()), 3.0).read_bytes()


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, scorer=FakeScorer())
    yield app
    await app.close()


async def consented(bot, fake) -> str:
    """Asha runs /mock in her DMs and agrees; returns the question prompt's text."""
    inter = await bot.slash(ASHA, DM_ASHA, "mock")
    [consent] = inter.messages
    assert "what I measure" in consent["content"] and not consent["flags"] & EPHEMERAL
    assert [label for label, _ in buttons(consent)][0].startswith("✅ I agree (delete")
    agreed = await bot.click(ASHA, consent, "✅ I agree (delete")
    assert buttons(consent) == []  # the consent keyboard is retired in the DM
    return text(agreed)


async def bot_dm(bot, fake, count: int) -> list[dict]:
    """Wait until the bot has posted `count` messages in Asha's DM channel (pushes and plain answers)."""
    messages = await fake.wait_for(
        lambda: len(fake.bot_messages(DM_ASHA)) >= count and fake.bot_messages(DM_ASHA)
    )
    await bot.adapter.drain()
    return messages


async def test_mock_in_a_guild_channel_is_sent_to_a_private_chat_ephemerally(bots, fake, app):
    bot = await bots(app)
    inter = await bot.slash(ASHA, CHANNEL_A, "mock")
    [message] = inter.messages
    assert "private chat" in message["content"] and message["flags"] & EPHEMERAL


async def test_video_attachment_in_a_dm_is_scored_and_the_scorecard_pushed(bots, fake, app, clip):
    bot = await bots(app)
    assert "Question:" in await consented(bot, fake)
    await fake.say(ASHA, DM_ASHA, "my answer", files=(FakeFile("answer.mp4", clip, "video/mp4"),))
    scoring, after = await bot_dm(bot, fake, 2)
    assert "Scoring your answer" in scoring["content"]
    assert "Retry this question" in " ".join(label for label, _ in buttons(after))
    assert len(fake.downloads) == 1  # fetched from the attachment URL only because the core asked

    await app.mock.drain()
    _scoring, _after, card = await bot_dm(bot, fake, 3)  # pushed through DiscordAdapter.send() to her DMs
    assert "Your scorecard: 71/100" in card["content"] and "Look at the lens." in card["content"]
    assert "Overall 71/100" in card["content"]  # the chart's caption
    assert attachment_names(card) == ["scorecard.png"]
    assert fake.files[int(card["id"])]["scorecard.png"].startswith(b"\x89PNG")
    assert ("POST", "/users/@me/channels", {"recipient_id": ASHA.id}) in fake.requests


async def test_answer_slash_command_with_an_attachment_is_deferred_then_scored(bots, fake, app, clip):
    bot = await bots(app)
    await consented(bot, fake)
    inter = await bot.slash(ASHA, DM_ASHA, "answer", video=FakeFile("take2.mov", clip, "video/quicktime"))
    assert inter.callback_types == [5]  # "thinking…" at once: the download and checks take a while
    assert not inter.original["flags"] & LOADING
    assert "Scoring your answer" in text(inter)
    await app.mock.drain()
    [card] = await bot_dm(bot, fake, 1)
    assert "Your scorecard" in card["content"] and attachment_names(card) == ["scorecard.png"]
    [attempt] = await stored_attempts(app)
    assert attempt.overall == 71


async def test_oversize_and_non_video_attachments_get_clear_answers_without_download(bots, fake, app):
    bot = await bots(app)
    await consented(bot, fake)
    huge = FakeFile("answer.mp4", b"\x00" * 100, "video/mp4", size=50 * 1024 * 1024)
    await fake.say(ASHA, DM_ASHA, "", files=(huge,))
    [too_big] = await bot_dm(bot, fake, 1)
    assert "50.0 MB; the limit is 20 MB" in too_big["content"]
    inter = await bot.slash(
        ASHA, DM_ASHA, "answer", video=FakeFile("notes.pdf", b"%PDF-1.4", "application/pdf")
    )
    assert "Please send a video" in text(inter)
    assert fake.downloads == []  # refused from the size and type Discord reported, before downloading
    assert await stored_attempts(app) == []


async def test_real_scorer_scores_a_real_clip_sent_in_a_dm(bots, fake, tmp_path, clip):
    app = await open_app(tmp_path, scorer=None)  # the process pool and the vendored models
    try:
        bot = await bots(app)
        await consented(bot, fake)
        await fake.say(ASHA, DM_ASHA, "", files=(FakeFile("answer.mp4", clip, "video/mp4"),))
        await bot_dm(bot, fake, 2)
        await app.mock.drain()
        _scoring, _after, card = await bot_dm(bot, fake, 3)
        assert "Your scorecard:" in card["content"] and "Face in view" in card["content"]
        assert attachment_names(card) == ["scorecard.png"]
        [attempt] = await stored_attempts(app)
        assert attempt.scores["face_visible"] >= 80  # the face is in every frame
        assert not list(Path(app.config.mock.video_dir).rglob("*.mp4"))  # deleted after scoring
    finally:
        await app.close()


async def stored_attempts(app) -> list[MockAttempt]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(MockAttempt))).all())
