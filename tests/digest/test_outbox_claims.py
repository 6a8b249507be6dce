"""Outbox jobs in several processes send each owed message once (issue 14).

The outbox job runs wherever a scheduler runs, in `main.py digest` and on queue workers; it claims the
due entries it sends for a lease (`OutboxRepo.claim_due`). Two apps on one database (each its own
engine, as two processes) run the job at once and every message goes out once, each digest's parts in
order; a job that dies with entries claimed leaves them to a later job once the lease has ended, not
before; a job still sending when its lease runs low extends it, so a job started meanwhile takes none.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from core.events import ChatRef
from core.features.digest.period import current_period
from core.notifiers import OUTBOX_LEASE
from core.replies import Reply
from core.repositories.digest import Claim
from storage.digest import DigestRepo
from storage.outbox import OutboxRepo
from tests.console.driver import make_app
from tests.digest.conftest import Recorder
from tests.digest.test_run import Crash, deliveries, register

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def owe(app, clock, *, pushes: int, digests: int, parts: int = 3) -> list[str]:
    """`pushes` failed pushes and `digests` digest deliveries of `parts` messages each, all due now (the
    digests' lease ended a minute ago); the texts owed."""
    outbox = OutboxRepo(app.database.sessions)
    for n in range(pushes):
        chat = ChatRef("telegram", str(70_000 + n), is_private=True)
        await outbox.enqueue(chat, Reply(text=f"push {n}"), due=clock(), error="RuntimeError: 500")
    repo: DigestRepo = app.digest.sender._repo
    period = current_period(clock(), "mon", 9, 0, "Asia/Kolkata")
    run = await repo.open_run(period.start, period.end)
    claims = [
        Claim(
            "telegram",
            str(90_000 + d),
            None,
            True,
            [Reply(text=f"digest {d} part {p}") for p in range(parts)],
        )
        for d in range(digests)
    ]
    won = await repo.claim_many(run.id, claims, lease_until=clock() - OUTBOX_LEASE / 10)
    assert len(won) == digests
    return [f"push {n}" for n in range(pushes)] + [
        f"digest {d} part {p}" for d in range(digests) for p in range(parts)
    ]


def texts(*recorders: Recorder) -> list[str]:
    return [reply.text for recorder in recorders for _, reply in recorder.messages]


@pytest.fixture
async def apps(tmp_path, database_url, clock):
    """Two apps on one database, each with its own engine: two processes running the outbox job."""
    pair = [await make_app(tmp_path, database_url, clock) for _ in range(2)]
    yield pair
    for app in pair:
        await app.close()


@POSTGRES_ONLY
async def test_two_outbox_jobs_at_once_on_postgresql_send_every_message_once_and_parts_in_order(apps, clock):
    recorders = [Recorder(), Recorder()]
    for app, recorder in zip(apps, recorders, strict=True):
        register(app, recorder, "telegram")
    owed = await owe(apps[0], clock, pushes=80, digests=40)  # 200 messages: two pages and more
    reports = await asyncio.gather(*(app.notifiers.retry_outbox() for app in apps))

    sent = texts(*recorders)
    assert sorted(sent) == sorted(owed)  # every message once: none twice, none left out
    assert [r.sent for r in reports] != [200, 0] and [r.sent for r in reports] != [0, 200]  # both sent
    assert sum(r.sent for r in reports) == 200 and sum(r.lost for r in reports) == 0
    for d in range(40):  # each digest's parts went out from one job, in order
        chat = str(90_000 + d)
        holders = [r for r in recorders if any(c.id == chat for c, _ in r.messages)]
        assert len(holders) == 1
        assert [reply.text for c, reply in holders[0].messages if c.id == chat] == [
            f"digest {d} part {p}" for p in range(3)
        ]
    assert set((await deliveries(apps[0])).values()) == {"sent"}
    assert await OutboxRepo(apps[0].database.sessions).statuses() == []
    assert [(await app.notifiers.retry_outbox()).sent for app in apps] == [0, 0]


async def test_a_job_started_while_another_sends_takes_only_what_that_one_did_not_claim(apps, clock):
    second = Recorder()
    report_of_second = []

    class StartsAnotherJob(Recorder):
        async def send(self, chat, reply):
            if not self.messages:  # the first job holds its first page: the second job runs now
                report_of_second.append(await apps[1].notifiers.retry_outbox())
            await super().send(chat, reply)

    first = StartsAnotherJob()
    register(apps[0], first, "telegram")
    register(apps[1], second, "telegram")
    owed = await owe(apps[0], clock, pushes=20, digests=30)  # 110 messages: a page of 100 and more
    report = await apps[0].notifiers.retry_outbox()

    assert sorted(texts(first, second)) == sorted(owed)  # every message once
    assert report.sent == len(first.messages) >= 100 and report_of_second[0].sent == len(second.messages) > 0
    assert Counter(c.id for c, _ in first.messages).keys().isdisjoint(c.id for c, _ in second.messages)
    assert set((await deliveries(apps[0])).values()) == {"sent"}


async def test_messages_claimed_by_a_job_that_died_are_sent_once_after_the_lease_not_before(apps, clock):

    class DiesOnTheSecond(Recorder):
        async def send(self, chat, reply):
            if self.messages:
                raise Crash  # the process dies while the second message is on its way
            await super().send(chat, reply)

    dying, survivor = DiesOnTheSecond(), Recorder()
    register(apps[0], dying, "telegram")
    register(apps[1], survivor, "telegram")
    owed = await owe(apps[0], clock, pushes=3, digests=2, parts=2)
    with pytest.raises(Crash):
        await apps[0].notifiers.retry_outbox()
    assert len(dying.messages) == 1

    assert (await apps[1].notifiers.retry_outbox()).sent == 0  # still claimed by the dead job
    clock.advance(seconds=OUTBOX_LEASE.total_seconds() - 1)
    assert (await apps[1].notifiers.retry_outbox()).sent == 0  # not before the lease ends
    clock.advance(seconds=1)
    report = await apps[1].notifiers.retry_outbox()
    assert report.sent == len(owed) - 1
    assert sorted(texts(dying, survivor)) == sorted(owed)  # once each, the one sent not again
    for d in range(2):
        chat = str(90_000 + d)
        got = [reply.text for c, reply in (*dying.messages, *survivor.messages) if c.id == chat]
        assert got == [f"digest {d} part 0", f"digest {d} part 1"]
    assert set((await deliveries(apps[1])).values()) == {"sent"}
    assert (await apps[1].notifiers.retry_outbox()).sent == 0


async def test_a_slow_job_extends_its_claim_so_a_job_started_after_the_first_lease_takes_nothing(apps, clock):
    late = Recorder()
    late_reports = []

    class Slow(Recorder):
        async def send(self, chat, reply):
            clock.advance(minutes=OUTBOX_LEASE.total_seconds() / 60 * 0.4)  # each send takes 40 % of it
            if len(self.messages) == 3:  # past the first lease's end: another job runs now
                late_reports.append(await apps[1].notifiers.retry_outbox())
            await super().send(chat, reply)

    slow = Slow()
    register(apps[0], slow, "telegram")
    register(apps[1], late, "telegram")
    owed = await owe(apps[0], clock, pushes=6, digests=0)
    report = await apps[0].notifiers.retry_outbox()

    assert texts(slow) == owed and report.sent == 6 and report.lost == 0
    assert late.messages == [] and late_reports[0].sent == 0
