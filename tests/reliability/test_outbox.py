"""Sends that fail beyond the adapter's retry budget are kept in the outbox and sent once more;
recipients who blocked the bot are unsubscribed and never pushed to again (through the real adapters
against the offline fakes), and the outbox migration goes up and down."""

from __future__ import annotations

from sqlalchemy import select

from core.events import ChatRef
from core.replies import Image, Reply
from core.repositories.outbox import decode_reply, encode_reply
from storage.db import Database
from storage.models import Identity, Subscription, User
from storage.outbox import OutboxRepo
from tests.console.driver import FakeClock, make_app
from tests.telegram.conftest import Harness, fake, start_adapter
from tests.telegram.fake_bot_api import FakeBotApi

__all__ = ["fake"]  # the offline Bot API fixture, shared with tests/telegram

CHAT = ChatRef("telegram", "1001", is_private=True)


async def _statuses(app) -> list[tuple[str, str, str, int]]:
    return await OutboxRepo(app.database.sessions).statuses()


def test_a_reply_survives_the_outbox_encoding():
    reply = Reply(text="<b>Scores</b>", images=(Image(b"\x89PNG\x00", "s.png", "chart"),), private=True)
    assert decode_reply(encode_reply(reply)) == reply


async def test_server_errors_beyond_the_budget_are_kept_and_sent_once_more(tmp_path, fake: FakeBotApi):
    clock = FakeClock()
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", clock)
    adapter = await start_adapter(app, fake)
    try:
        fake.fail_next(4, status=500, retry_after=None, methods={"sendMessage"})  # budget: 3 retries
        assert await app.notify(CHAT, Reply(text="Your scorecard is ready"))
        assert [c.status for c in fake.calls_to("sendMessage")] == [500] * 4
        assert await _statuses(app) == [("1001", "push", "pending", 0)]

        early = await app.notifiers.retry_outbox()  # not due yet: the retry waits RETRY_AFTER
        assert early.sent == 0
        clock.advance(minutes=6)
        report = await app.notifiers.retry_outbox()
        assert report.sent == 1
        assert [m.get("text") for m in fake.sent_to(1001)] == ["Your scorecard is ready"]
        assert await _statuses(app) == []
        assert (await app.notifiers.retry_outbox()).sent == 0  # once: nothing left to send
    finally:
        await adapter.stop()
        await app.close()


async def test_a_retry_that_fails_again_is_kept_as_failed_and_not_retried(tmp_path, fake: FakeBotApi):
    clock = FakeClock()
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", clock)
    adapter = await start_adapter(app, fake)
    try:
        fake.fail_next(8, status=500, retry_after=None, methods={"sendMessage"})
        assert await app.notify(CHAT, Reply(text="Your scorecard is ready"))
        clock.advance(minutes=6)
        assert (await app.notifiers.retry_outbox()).failed == 1
        clock.advance(minutes=60)
        assert (await app.notifiers.retry_outbox()).failed == 0
        assert await _statuses(app) == [("1001", "push", "failed", 1)]
        assert len(fake.calls_to("sendMessage")) == 8
    finally:
        await adapter.stop()
        await app.close()


async def test_a_user_who_blocked_the_bot_is_unsubscribed_and_not_pushed_again(tmp_path, fake: FakeBotApi):
    clock = FakeClock()
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", clock)
    adapter = await start_adapter(app, fake)
    try:
        tg = Harness(fake, adapter)
        await tg.say("/subscribe")
        async with app.database.sessions() as session:
            assert (await session.scalars(select(Subscription.active))).all() == [True]
        await app.notifiers.tell_later(CHAT, Reply(text="owed"))  # an owed message for that chat

        fake.fail_next(1, status=403, retry_after=None, methods={"sendMessage"})
        assert not await app.notify(CHAT, Reply(text="Your scorecard is ready"))

        async with app.database.sessions() as session:
            assert (await session.scalars(select(Subscription.active))).all() == [False]
            user = await session.scalar(
                select(User)
                .join(Identity)
                .where(Identity.platform == "telegram", Identity.platform_user_id == "1001")
            )
            assert user is not None and user.settings.get("unreachable_on") == ["telegram"]
        assert await _statuses(app) == []
        before = len(fake.calls_to("sendMessage"))
        clock.advance(days=8)
        report = await app.digest.sender.tick()  # the next digest run does not push to the chat
        assert report.sent == 0 and report.failed == 0
        assert len(fake.calls_to("sendMessage")) == before
    finally:
        await adapter.stop()
        await app.close()


async def test_the_outbox_migration_goes_up_and_down(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await db.upgrade()
        from storage.db import table_names

        assert "outbox" in await table_names(db)
        await db.downgrade("0007_import_fields")  # the revision before the outbox
        assert "outbox" not in await table_names(db)
        await db.upgrade("0011_outbox")
        assert "outbox" in await table_names(db) and await db.current_revision() == "0011_outbox"
    finally:
        await db.dispose()


async def test_a_user_who_blocks_the_bot_is_unsubscribed_when_telegram_says_so(tmp_path, fake: FakeBotApi):
    """Telegram's my_chat_member update with status "kicked" (the user blocked the bot) unsubscribes
    the chat at once, before any push fails."""
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", FakeClock())
    adapter = await start_adapter(app, fake)
    try:
        tg = Harness(fake, adapter)
        await tg.say("/subscribe")
        user = tg.user()
        blocked = {
            "chat": tg.private_chat(user),
            "from": user,
            "date": 1,
            "old_chat_member": {"status": "member", "user": {"id": 42, "is_bot": True, "first_name": "Bot"}},
            "new_chat_member": {
                "status": "kicked",
                "user": {"id": 42, "is_bot": True, "first_name": "Bot"},
                "until_date": 0,
            },
        }
        update_id = await fake.push_update({"my_chat_member": blocked})
        await adapter.wait_processed(update_id)
        async with app.database.sessions() as session:
            assert (await session.scalars(select(Subscription.active))).all() == [False]
    finally:
        await adapter.stop()
        await app.close()


async def test_an_answer_that_cannot_be_delivered_is_sent_once_more_later(tmp_path, fake: FakeBotApi):
    """A direct answer (not a push) that fails beyond the adapter's retry budget goes to the outbox and
    is delivered once by the retry job."""
    clock = FakeClock()
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", clock)
    adapter = await start_adapter(app, fake)
    try:
        tg = Harness(fake, adapter)
        fake.fail_next(4, status=500, retry_after=None, methods={"sendMessage"})  # the answer, beyond budget
        await tg.say("/privacy")
        assert await _statuses(app) == [("1001", "push", "pending", 0)]
        clock.advance(minutes=6)
        assert (await app.notifiers.retry_outbox()).sent == 1
        assert any("stored" in (m.get("text") or "") for m in fake.sent_to(1001))
        assert await _statuses(app) == []
    finally:
        await adapter.stop()
        await app.close()
