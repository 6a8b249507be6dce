"""Discord 50007 "Cannot send messages to this user" (DMs closed, the bot blocked): the real adapter
raises RecipientGone, the core unsubscribes the chat once and the next digest run skips it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.events import ChatRef, IncomingEvent, UserRef
from core.replies import Reply
from storage.models import Subscription
from tests.console.driver import FakeClock, make_app
from tests.discord.conftest import ASHA, DM_ASHA, bots, fake  # noqa: F401  (fixtures)
from tests.discord.fake_discord import _json

__all__ = ["bots", "fake"]


async def test_a_user_who_closed_dms_is_unsubscribed_and_skipped(tmp_path, fake, bots):  # noqa: F811
    clock = FakeClock()
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", clock)
    bot = await bots(app)
    try:
        user = UserRef("discord", str(ASHA.id), "Asha")
        chat = ChatRef("discord", str(ASHA.id), is_private=True)
        await app.handle(IncomingEvent(user, chat, kind="command", command="subscribe", args=""))
        refused: list[int] = []

        async def blocked(request: Any, body: Any, files: Any, channel: str):
            if int(channel) == DM_ASHA:
                refused.append(int(channel))
                return _json({"message": "Cannot send messages to this user", "code": 50007}, status=403)
            raise AssertionError("only Asha's DMs are written to")

        fake._create_message = blocked  # the fake looks its routes up per request
        assert not await app.notify(chat, Reply(text="Your scorecard is ready"))
        assert refused == [DM_ASHA]
        async with app.database.sessions() as session:
            assert (await session.scalars(select(Subscription.active))).all() == [False]
        clock.advance(days=8)
        report = await app.digest.sender.tick()
        assert (report.sent, report.failed) == (0, 0) and refused == [DM_ASHA]  # never pushed again
    finally:
        await bot.stop()
        await app.close()
