"""Several digest senders on one ledger, batch claims and the choice for a send cut off in flight (#14).

Two `DigestSender`s (two apps, each its own database engine and Telegram adapter, as two
`main.py digest --now` processes would be) started at once on one PostgreSQL split the chats and
send each chat's digest once through the offline Bot API fake. Claims are taken in batches
(`digest.claim_batch`) in one transaction; chats claimed but never started are given back when a run
stops. A message cut off by a kill after the call (Telegram may have it) is sent again
(`digest.ambiguous_sends: resend`, at least once) or given up (`skip`, at most once).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bots.telegram.adapter import TelegramAdapter
from core.config import ConfigError, ModerationConfig, parse_config
from core.features.digest.period import current_period
from core.features.digest.send import PART_LEASE
from core.notifiers import before_platform_call, platform_call_starts
from core.replies import Reply
from core.repositories.digest import Claim
from storage.digest import DigestRepo
from storage.models import OutboxMessage
from storage.outbox import OutboxRepo
from tests.console.driver import make_app
from tests.digest.conftest import Recorder
from tests.digest.test_concurrency import add_chats
from tests.digest.test_run import Crash, deliveries, register
from tests.telegram.conftest import FAST, fake, telegram_config
from tests.telegram.fake_bot_api import FakeBotApi

__all__ = ["fake"]
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def owed_parts(app) -> int:
    async with app.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


@POSTGRES_ONLY
async def test_two_senders_on_one_postgresql_split_the_chats_and_send_each_once(
    tmp_path, database_url, clock, fake: FakeBotApi
):
    overrides = {"send_concurrency": 2, "claim_batch": 5}  # the week is empty: one message per chat
    apps = [await make_app(tmp_path, database_url, clock, digest=overrides) for _ in range(2)]
    adapters = [TelegramAdapter(app, telegram_config(fake), ModerationConfig(), limits=FAST) for app in apps]
    try:
        chats = [str(880_000 + n) for n in range(60)]
        await add_chats(apps[0], chats)
        for adapter in adapters:
            await adapter.open_for_sending()
        reports = await asyncio.gather(*(app.digest.sender.send_early() for app in apps))
        assert {int(chat): 1 for chat in chats} == fake.delivered  # every subscriber once, nobody else
        assert [r.sent > 0 for r in reports] == [True, True]  # both senders sent some
        assert sum(r.sent for r in reports) == 60 and sum(r.skipped for r in reports) <= 60
        assert set((await deliveries(apps[0])).values()) == {"sent"} and await owed_parts(apps[0]) == 0
        again = await apps[1].digest.sender.send_early()
        assert again.sent == 0 and sum(fake.delivered.values()) == 60  # a third run sends nothing
    finally:
        for adapter in adapters:
            await adapter.close_sending()
        for app in apps:
            await app.close()


async def test_batch_claims_racing_over_the_same_chats_each_chat_won_once(tmp_path, database_url, clock):
    app = await make_app(tmp_path, database_url, clock)
    try:
        repo: DigestRepo = app.digest.sender._repo
        period = current_period(clock(), "mon", 9, 0, "Asia/Kolkata")
        run = await repo.open_run(period.start, period.end)
        parts = [Reply(text="Weekly interview digest"), Reply(text="chart")]

        def claims(numbers: range) -> list[Claim]:
            return [Claim("telegram", str(81_000 + n), None, True, parts) for n in numbers]

        lease = clock() + PART_LEASE
        won = await asyncio.gather(
            repo.claim_many(run.id, claims(range(0, 20)), lease_until=lease),
            repo.claim_many(run.id, claims(range(10, 30)), lease_until=lease),
            repo.claim_many(run.id, claims(range(5, 25)), lease_until=lease),
        )
        keys = [key for w in won for key in w]
        assert len(keys) == len(set(keys)) == 30  # each chat won by exactly one claimer
        assert await owed_parts(app) == 60  # and written ahead once: two parts each
        assert await repo.claim_many(run.id, claims(range(30)), lease_until=lease) == {}  # being sent
    finally:
        await app.close()


async def test_a_batch_claim_retries_a_failed_chat_and_takes_over_one_left_with_nothing_owed(
    tmp_path, database_url, clock
):
    app = await make_app(tmp_path, database_url, clock)
    try:
        repo: DigestRepo = app.digest.sender._repo
        period = current_period(clock(), "mon", 9, 0, "Asia/Kolkata")
        run = await repo.open_run(period.start, period.end)
        failed = await repo.claim(run.id, "telegram", "82001", None, parts=[Reply(text="x")])
        assert failed is not None
        await repo.mark_failed(failed, "RuntimeError: network")
        assert await repo.claim(run.id, "telegram", "82002", None) is not None  # nothing owed: never started
        sent = await repo.claim(run.id, "telegram", "82003", None, parts=[Reply(text="x")])
        assert sent is not None
        await repo.part_sent(sent, 0)
        parts = [Reply(text="Weekly interview digest")]
        won = await repo.claim_many(
            run.id, [Claim("telegram", f"8200{n}", None, True, parts) for n in (1, 2, 3, 4)]
        )
        assert sorted(chat for _, chat in won) == ["82001", "82002", "82004"]  # not the one sent
        states = await deliveries(app)
        assert [states[("telegram", f"8200{n}")] for n in (1, 2, 3, 4)] == [
            "pending",
            "pending",
            "sent",
            "pending",
        ]
        assert await owed_parts(app) == 3
    finally:
        await app.close()


class Snapshot(Recorder):
    """Records the ledger (delivery statuses) as the first send starts."""

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app
        self.first: dict[tuple[str, str], str] | None = None

    async def send(self, chat, reply) -> None:
        if self.first is None:
            self.first = await deliveries(self.app)
        await super().send(chat, reply)


@pytest.mark.parametrize("batch", [1, 5])
async def test_chats_are_claimed_claim_batch_at_a_time(tmp_path, database_url, clock, batch):
    digest = {"send_concurrency": 1, "claim_batch": batch, "send_pause_s": 0}
    app = await make_app(tmp_path, database_url, clock, digest=digest)
    try:
        chats = [f"83{n:03d}" for n in range(12)]
        await add_chats(app, chats)
        snapshot = Snapshot(app)
        register(app, snapshot, "telegram")
        report = await app.digest.sender.tick()
        assert snapshot.first is not None and list(snapshot.first.values()) == ["pending"] * batch
        assert sorted(chat for _, chat in snapshot.first) == chats[:batch]  # the first batch, in order
        assert sorted(snapshot.chats()) == chats and report.sent == 12
        assert set((await deliveries(app)).values()) == {"sent"}
    finally:
        await app.close()


class DiesOnThird(Recorder):
    """Telegram accepts the third chat's message, then the process dies before the ledger records it.
    Like an adapter, it says when its rate limits let a call through (`platform_call_starts`); the
    part's outbox status is recorded just before and just after."""

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def status(self, chat) -> str:
        async with self.app.database.sessions() as session:
            return str(
                await session.scalar(select(OutboxMessage.status).where(OutboxMessage.chat_id == chat.id))
            )

    async def send(self, chat, reply) -> None:
        before = await self.status(chat)  # still waiting for its turn
        await platform_call_starts()
        self.seen.append((before, await self.status(chat)))
        await super().send(chat, reply)
        if len(self.messages) == 3:
            raise Crash


@pytest.mark.parametrize("mode", ["resend", "skip"])
async def test_a_message_cut_off_in_flight_is_resent_or_given_up_as_configured(
    tmp_path, database_url, clock, mode
):
    digest = {"send_concurrency": 1, "claim_batch": 50, "send_pause_s": 0, "ambiguous_sends": mode}
    app = await make_app(tmp_path, database_url, clock, digest=digest)
    chats = [f"84{n:03d}" for n in range(6)]
    await add_chats(app, chats)
    first = DiesOnThird(app)
    register(app, first, "telegram")
    with pytest.raises(Crash):
        await app.digest.sender.tick()
    cut = chats[2]
    state = await deliveries(app)
    # the two sent, the one cut off still owed; the batch's unstarted chats were given back, not held
    assert state == {
        ("telegram", chats[0]): "sent",
        ("telegram", chats[1]): "sent",
        ("telegram", cut): "pending",
    }
    async with app.database.sessions() as session:
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    assert statuses == (["sending"] if mode == "skip" else ["pending"])  # marked in flight before the call
    marked = ("pending", "sending") if mode == "skip" else ("pending", "pending")
    assert first.seen == [marked] * 3  # marked once through the limits, not while waiting for its turn
    await app.close()

    app = await make_app(tmp_path, database_url, clock, digest=digest)  # the restart
    try:
        second = Recorder()
        register(app, second, "telegram")
        report = await app.digest.sender.tick()
        assert sorted(second.chats()) == chats[3:] and report.sent == 3  # the rest at once, once
        clock.advance(minutes=11)  # the cut-off message's lease ends: the outbox job decides
        outbox = await app.notifiers.retry_outbox()
        if mode == "resend":  # at least once: Telegram may have had it, it goes again
            assert outbox.sent == 1 and second.chats()[-1] == cut
            assert (await deliveries(app))[("telegram", cut)] == "sent"
        else:  # at most once: given up, never sent again
            assert outbox.sent == 0 and cut not in second.chats()
            assert (await deliveries(app))[("telegram", cut)] == "unconfirmed"
        assert await OutboxRepo(app.database.sessions).statuses() == []
        again = await app.digest.sender.tick()
        assert again.sent == 0 and (await app.notifiers.retry_outbox()).sent == 0
        everyone = first.chats() + second.chats()
        assert {chat: everyone.count(chat) for chat in chats} == {
            chat: 2 if (chat == cut and mode == "resend") else 1 for chat in chats
        }
    finally:
        await app.close()


def test_claim_batch_and_ambiguous_sends_are_checked():
    assert parse_config({}).digest.claim_batch == 50
    assert parse_config({}).digest.ambiguous_sends == "resend"
    assert parse_config({"digest": {"claim_batch": 1, "ambiguous_sends": "skip"}}).digest.claim_batch == 1
    with pytest.raises(ConfigError, match="digest.claim_batch"):
        parse_config({"digest": {"claim_batch": 0}})
    with pytest.raises(ConfigError, match="digest.claim_batch"):
        parse_config({"digest": {"claim_batch": "many"}})
    with pytest.raises(ConfigError, match="digest.ambiguous_sends"):
        parse_config({"digest": {"ambiguous_sends": "maybe"}})


async def test_the_telegram_adapter_says_once_per_send_when_a_call_goes_through_its_limits(
    tmp_path, fake: FakeBotApi
):
    """The hook digest.ambiguous_sends: skip marks a part "in flight" with: run once per send, by the
    rate limiter right before the Bot API call (a text and a photo: still once)."""
    from core.events import ChatRef
    from core.replies import Image

    calls: list[int] = []

    async def hook() -> None:
        calls.append(len(fake.sent))  # messages the fake had when the hook ran

    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}")
    adapter = TelegramAdapter(app, telegram_config(fake), ModerationConfig(), limits=FAST)
    await adapter.open_for_sending()
    try:
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
        with before_platform_call(hook):
            await adapter.send(
                ChatRef("telegram", "85001", True), Reply(text="digest", images=(Image(png, "c.png"),))
            )
        await adapter.send(ChatRef("telegram", "85002", True), Reply(text="no hook here"))
        assert calls == [0] and fake.delivered == {85001: 2, 85002: 1}
    finally:
        await adapter.close_sending()
        await app.close()
