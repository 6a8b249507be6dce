"""Several sending slots (digest.send_concurrency) and the claim's one transaction (issue #14).

Every chat gets its digest once whatever the number of slots or workers; no more chats are on their way at
once than there are slots; a chat being sent is "pending" with its parts owed, then "sent" with nothing
owed; a claim and its write-ahead parts commit together or not at all; and a delivery an older version
left "pending" with nothing owed (killed between its claim and its write-ahead) is sent by the next run,
once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from core.events import ChatRef
from core.features.digest import send as digest_send
from core.replies import Image, Reply
from storage.digest import DigestRepo
from storage.models import DEFAULT_COLLEGE_SQL, DigestDelivery, OutboxMessage, Subscription
from tests.console.driver import FakeClock, make_app
from tests.digest.conftest import Recorder, command
from tests.digest.data import seed
from tests.digest.test_run import deliveries, register, subscribe


async def add_chats(app, chats: list[str]) -> None:
    """General-digest subscriptions for `chats` (private Telegram chats), inserted in bulk."""
    async with app.database.sessions.begin() as session:
        college = await session.scalar(DEFAULT_COLLEGE_SQL)
        rows = [
            {"platform": "telegram", "chat_id": c, "kind": "user", "active": True, "college_id": college}
            for c in chats
        ]
        await session.execute(insert(Subscription), rows)


async def owed(app, chat_id: str) -> int:
    async with app.database.sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
            )
            or 0
        )


class Gate(Recorder):
    """Holds each send until `slots` sends are on their way at once (or fails after 10 s: fewer ran at
    once), and records how many were ever on their way together and the ledger seen during each send."""

    def __init__(self, app, slots: int) -> None:
        super().__init__()
        self.app, self.slots = app, slots
        self.in_flight = self.peak = 0
        self.full = asyncio.Event()
        self.during: dict[str, list[tuple[str, int]]] = {}  # chat -> (delivery status, parts owed) by send

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.in_flight >= self.slots:
                self.full.set()
            if not self.full.is_set():
                await asyncio.wait_for(self.full.wait(), 10)
            async with self.app.database.sessions() as session:
                status = await session.scalar(
                    select(DigestDelivery.status).where(DigestDelivery.chat_id == chat.id)
                )
            self.during.setdefault(chat.id, []).append((str(status), await owed(self.app, chat.id)))
            await super().send(chat, reply)
        finally:
            self.in_flight -= 1


async def test_slots_send_to_several_chats_at_once_and_each_chat_once(tmp_path, database_url, clock):
    app = await make_app(tmp_path, database_url, clock, digest={"send_concurrency": 4})
    try:
        await seed(app.database.sessions)
        chats = [f"91{n:03d}" for n in range(30)]
        await add_chats(app, chats)
        gate = Gate(app, 4)
        register(app, gate, "telegram")
        report = await app.digest.sender.tick()
        assert gate.peak == 4  # four chats on their way at once, never more
        assert sorted(gate.chats()) == chats and report.sent == 30  # each chat once
        assert all(len(reply.images) == 1 for _, reply in gate.sent)  # text and its chart, joined
        # while a chat's text was on its way: pending, text and chart owed; while its chart was: the chart
        assert all(seen == [("pending", 2), ("pending", 1)] for seen in gate.during.values())
        assert set((await deliveries(app)).values()) == {"sent"}  # then sent, nothing owed
        assert sum([await owed(app, chat) for chat in chats]) == 0
        again = await app.digest.sender.tick()
        assert (again.sent, again.skipped) == (0, 30) and len(gate.sent) == 30
    finally:
        await app.close()


async def test_recipients_are_read_in_pages_and_a_chat_straddling_two_pages_is_one_recipient(
    tmp_path, database_url, clock, monkeypatch
):
    monkeypatch.setattr(digest_send, "PAGE_SIZE", 3)
    app = await make_app(tmp_path, database_url, clock, digest={"send_concurrency": 2})
    try:
        await seed(app.database.sessions)
        chats = [f"92{n:03d}" for n in range(8)]
        await add_chats(app, chats)
        await subscribe(app, command("telegram", "92002", "/subscribe TCS"))  # two subscriptions
        repo: DigestRepo = app.digest.sender._repo
        pages, after = [], None
        while page := await repo.recipients(after=after, limit=3):
            pages.append([r.chat_id for r in page])
            after = (page[-1].platform, page[-1].chat_id)
        assert pages == [chats[0:3], chats[3:6], chats[6:8]]
        assert await repo.recipient_count() == 8
        recorder = Recorder()
        register(app, recorder, "telegram")
        report = await app.digest.sender.tick()
        assert sorted(recorder.chats()) == chats and report.sent == 8
        (tcs,) = [reply.text for chat, reply in recorder.sent if chat.id == "92002"]
        assert "**TCS**: 2 new experiences" in tcs  # the chat's company subscription came with it
    finally:
        await app.close()


async def test_two_workers_with_several_slots_each_send_every_chat_once(tmp_path, database_url):
    clock = FakeClock()
    overrides = {"send_concurrency": 4}
    apps = [await make_app(tmp_path, database_url, clock, digest=overrides) for _ in range(2)]
    try:
        await seed(apps[0].database.sessions)
        chats = [f"93{n:03d}" for n in range(40)]
        await add_chats(apps[0], chats)
        recorders = [Recorder(), Recorder()]
        for app, recorder in zip(apps, recorders, strict=True):
            register(app, recorder, "telegram")
        reports = await asyncio.gather(*(app.digest.sender.tick() for app in apps))
        assert sorted(recorders[0].chats() + recorders[1].chats()) == chats
        assert sum(r.sent for r in reports) == 40 and sum(r.skipped for r in reports) == 40
        assert set((await deliveries(apps[0])).values()) == {"sent"}
    finally:
        for app in apps:
            await app.close()


async def test_a_delivery_left_pending_with_nothing_owed_is_sent_by_the_next_run_once(
    tmp_path, database_url, clock
):
    """The kill window of the old two-commit path, reproduced as the row it left: `claim` committed the
    pending row, the process died before the write-ahead (`plan_parts`). That chat was never sent that
    week; now the next run claims it again and sends it once."""
    app = await make_app(tmp_path, database_url, clock)
    try:
        await seed(app.database.sessions)
        await add_chats(app, ["94001", "94002"])
        repo: DigestRepo = app.digest.sender._repo
        period = digest_send.due_period(clock(), "mon", 9, 0, "Asia/Kolkata")
        run = await repo.open_run(period.start, period.end)
        left = await repo.claim(run.id, "telegram", "94001", None)  # ... killed here, nothing owed
        assert left is not None and await owed(app, "94001") == 0
        recorder = Recorder()
        register(app, recorder, "telegram")
        report = await app.digest.sender.tick()
        assert sorted(recorder.chats()) == ["94001", "94002"] and report.sent == 2
        assert await deliveries(app) == {("telegram", "94001"): "sent", ("telegram", "94002"): "sent"}
        again = await app.digest.sender.tick()
        assert again.sent == 0 and len(recorder.sent) == 2  # once
    finally:
        await app.close()


async def test_a_claim_and_its_parts_commit_together_or_not_at_all(tmp_path, database_url, clock):
    app = await make_app(tmp_path, database_url, clock)
    try:
        repo: DigestRepo = app.digest.sender._repo
        run = await repo.open_run(clock() - timedelta(days=7), clock())
        lease = clock() + timedelta(minutes=10)
        broken = [Reply(text="Weekly interview digest"), Reply(images=(Image("not bytes", "c.png"),))]
        with pytest.raises(TypeError):  # writing the second part fails inside the claim's transaction
            await repo.claim(run.id, "telegram", "95001", None, parts=broken, lease_until=lease)  # type: ignore[arg-type]
        assert await repo.deliveries(run.id) == []  # no claim without its parts
        parts = [Reply(text="Weekly interview digest"), Reply(text="chart")]
        delivery = await repo.claim(run.id, "telegram", "95001", None, parts=parts, lease_until=lease)
        assert delivery is not None and await owed(app, "95001") == 2
        assert await repo.claim(run.id, "telegram", "95001", None, parts=parts, lease_until=lease) is None
        assert await owed(app, "95001") == 2  # being sent: not claimed twice, parts not doubled
    finally:
        await app.close()


async def test_two_claimers_of_a_delivery_left_with_nothing_owed_one_wins(tmp_path, database_url, clock):
    app = await make_app(tmp_path, database_url, clock)
    try:
        repo: DigestRepo = app.digest.sender._repo
        run = await repo.open_run(clock() - timedelta(days=7), clock())
        assert await repo.claim(run.id, "telegram", "96001", None) is not None  # left with nothing owed
        parts = [Reply(text="Weekly interview digest")]
        lease = clock() + timedelta(minutes=10)
        won = await asyncio.gather(
            *(repo.claim(run.id, "telegram", "96001", None, parts=parts, lease_until=lease) for _ in range(4))
        )
        assert sum(w is not None for w in won) == 1 and await owed(app, "96001") == 1
        assert [d.status for d in await repo.deliveries(run.id)] == ["pending"]
    finally:
        await app.close()


async def test_a_failed_chat_keeps_nothing_owed_and_is_claimed_again(app_ids):
    app, _ = app_ids
    await subscribe(app, command("telegram", "97001", "/subscribe"))
    recorder = Recorder(fail_for=("97001",))
    register(app, recorder, "telegram")
    report = await app.digest.sender.tick()
    assert report.failed == 1 and await deliveries(app) == {("telegram", "97001"): "failed"}
    assert await owed(app, "97001") == 0  # its parts dropped with the failure, in one commit
    recorder.fail_for.clear()
    assert (await app.digest.sender.tick()).sent == 1 and recorder.chats() == ["97001"]


async def test_a_page_that_fails_to_load_stops_the_run_cleanly_and_the_next_tick_sends_the_rest(
    tmp_path, database_url, clock, monkeypatch
):
    monkeypatch.setattr(digest_send, "PAGE_SIZE", 3)
    app = await make_app(tmp_path, database_url, clock, digest={"send_concurrency": 2})
    try:
        await seed(app.database.sessions)
        chats = [f"98{n:03d}" for n in range(7)]
        await add_chats(app, chats)
        repo: DigestRepo = app.digest.sender._repo
        real = repo.recipients

        async def second_page_fails(**kwargs):
            if kwargs.get("after") is not None:
                raise RuntimeError("database went away")
            return await real(**kwargs)

        monkeypatch.setattr(repo, "recipients", second_page_fails)
        recorder = Recorder()
        register(app, recorder, "telegram")
        with pytest.raises(RuntimeError, match="database went away"):
            await asyncio.wait_for(app.digest.sender.tick(), 30)  # raises, never hangs
        assert set(recorder.chats()) <= set(chats[:3])  # only the first page's chats were started ...
        assert set((await deliveries(app)).values()) <= {"sent"}  # ... and each one finished
        monkeypatch.setattr(repo, "recipients", real)
        await app.digest.sender.tick()
        assert sorted(recorder.chats()) == chats  # the rest, and nobody twice
    finally:
        await app.close()
