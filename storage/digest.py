"""Weekly digest storage: subscriptions, runs and exactly-once deliveries, and the week's aggregates.

A delivery row is inserted (status "pending") before a digest is sent; the unique constraint on
(run, platform, chat) makes that insert the claim, so two ticks or two workers never both send. A row
goes pending -> sent, or pending -> failed (retried later by flipping failed -> pending atomically).
Each message of a delivery (the text, then each chart) is written ahead to the outbox in the claim's own
transaction (`claim(..., parts=..., lease_until=...)`) and removed once sent (`part_sent`, whose last
call marks the delivery sent in the same transaction); the parts a crash left unsent are sent once by the
outbox job when their lease ends, which then marks the delivery sent (storage/outbox.py). So a "pending"
row always has parts owed, and one with nothing owed was never started: older databases hold such rows
(the claim and the write-ahead were two commits and a kill between them left the chat unserved for the
week, issue #14), and `claim` takes them over (delete + insert, so two claimers never both win).
Senders claim `digest.claim_batch` chats at a time (`claim_many`: one INSERT ... ON CONFLICT DO NOTHING
RETURNING and their parts, in one transaction), so several sender processes share one ledger. With
digest.ambiguous_sends: skip a part is marked in flight (`in_flight`) before its call, and the outbox
job gives up a part still so marked when its lease ends instead of resending it (storage/outbox.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.events import ChatRef
from core.replies import Reply
from core.repositories.digest import (
    ALL,
    Claim,
    DeliveryRecord,
    DigestRepository,
    NewExperience,
    Recipient,
    RunRecord,
    SubscriptionView,
    WeekSummary,
)
from core.repositories.outbox import encode_reply
from storage.colleges import in_colleges
from storage.models import (
    College,
    Company,
    DigestDelivery,
    DigestRun,
    Experience,
    ExperienceTopic,
    OutboxMessage,
    Question,
    Subscription,
    utcnow,
)
from storage.outbox import IN_FLIGHT
from storage.stats import DECIDED, PUBLIC, SELECTED, author_of

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]

__all__ = [
    "ALL",
    "DeliveryRecord",
    "DigestRepo",
    "NewExperience",
    "Recipient",
    "RunRecord",
    "SubscriptionView",
    "WeekSummary",
]


def _in_window(start: datetime, end: datetime, colleges: Sequence[int] | None = None):
    """Approved experiences of `colleges` (None: every college) published in [start, end) (imports
    without approved_at count by creation)."""
    published = func.coalesce(Experience.approved_at, Experience.created_at)
    return and_(
        Experience.status == PUBLIC, published >= start, published < end, in_colleges(Experience, colleges)
    )


def _run_is(period_start: datetime, college_id: int | None) -> Any:
    """The digest run of a period in one college (None: the default college)."""
    college = (
        select(College.id).where(College.is_default).scalar_subquery() if college_id is None else college_id
    )
    return and_(DigestRun.period_start == period_start, DigestRun.college_id == college)


class DigestRepo(DigestRepository):
    """Async repository for the digest feature; every method opens its own short transaction.

    Implements core.repositories.digest.DigestRepository.
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    # ------------------------------------------------------------------ subscriptions

    async def subscribe(
        self,
        platform: str,
        chat_id: str,
        *,
        kind: str,
        user_id: int | None,
        company_id: int | None,
        college_id: int | None = None,
    ) -> bool:
        """Subscribe a chat (to a company or, with None, the general digest) in a college (None: keep its
        college, or the default one); False if already active."""
        try:
            return await self._subscribe(
                platform, chat_id, kind=kind, user_id=user_id, company_id=company_id, college_id=college_id
            )
        except IntegrityError:  # someone else in the chat subscribed it at the same moment
            return False

    async def _subscribe(
        self,
        platform: str,
        chat_id: str,
        *,
        kind: str,
        user_id: int | None,
        company_id: int | None,
        college_id: int | None,
    ) -> bool:
        async with self._sessions.begin() as session:
            rows = (
                await session.scalars(
                    select(Subscription)
                    .where(
                        Subscription.platform == platform,
                        Subscription.chat_id == chat_id,
                        Subscription.company_id.is_(None)
                        if company_id is None
                        else Subscription.company_id == company_id,
                    )
                    .order_by(Subscription.id)
                )
            ).all()
            if rows:
                first = rows[0]
                was_active = first.active
                first.active, first.kind = True, kind
                if user_id is not None:
                    first.user_id = user_id
                if college_id is not None:
                    first.college_id = college_id
                return not was_active
            session.add(
                Subscription(
                    platform=platform,
                    chat_id=chat_id,
                    company_id=company_id,
                    kind=kind,
                    user_id=user_id,
                    college_id=college_id,
                )
            )
            return True

    async def unsubscribe(self, platform: str, chat_id: str, company_id: int | None | str) -> int:
        """Stop one subscription (a company id, None for the general digest) or ALL of a chat's."""
        where = [Subscription.platform == platform, Subscription.chat_id == chat_id, Subscription.active]
        if company_id is None:
            where.append(Subscription.company_id.is_(None))
        elif company_id != ALL:
            where.append(Subscription.company_id == company_id)
        async with self._sessions.begin() as session:
            result = await session.execute(update(Subscription).where(*where).values(active=False))
            return int(result.rowcount or 0)

    async def for_chat(self, platform: str, chat_id: str) -> list[SubscriptionView]:
        """A chat's active subscriptions: the general digest first, then companies by name."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Subscription.id, Subscription.company_id, Company.name, Subscription.kind)
                .outerjoin(Company, Company.id == Subscription.company_id)
                .where(
                    Subscription.platform == platform, Subscription.chat_id == chat_id, Subscription.active
                )
                .order_by(Subscription.company_id.is_not(None), Company.name, Subscription.id)
            )
            return [SubscriptionView(i, c, n, k) for i, c, n, k in rows]

    async def recipients(
        self,
        *,
        colleges: Sequence[int] | None = None,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[Recipient]:
        """Chats with an active subscription in `colleges` (None: any), once each, with the companies they
        follow, by (platform, chat id): every one, or with `limit` a page of at most that many chats after
        the key `after` (the last page's last (platform, chat_id)), so a sender streams 100,000 chats in
        pages instead of holding them all."""
        where = [Subscription.active, in_colleges(Subscription, colleges)]
        key = tuple_(Subscription.platform, Subscription.chat_id)
        if after is not None:
            where.append(key > tuple_(*after))
        async with self._sessions() as session:
            if limit is not None:
                keys = (
                    await session.execute(
                        select(Subscription.platform, Subscription.chat_id)
                        .where(*where)
                        .group_by(Subscription.platform, Subscription.chat_id)
                        .order_by(Subscription.platform, Subscription.chat_id)
                        .limit(limit)
                    )
                ).all()
                if not keys:
                    return []
                where.append(key <= tuple_(*keys[-1]))
            rows = await session.execute(
                select(
                    Subscription.id,
                    Subscription.platform,
                    Subscription.chat_id,
                    Subscription.kind,
                    Subscription.company_id,
                    Company.name,
                )
                .outerjoin(Company, Company.id == Subscription.company_id)
                .where(*where)
                .order_by(Subscription.platform, Subscription.chat_id, Subscription.id)
            )
            grouped: dict[tuple[str, str], list] = {}
            for sid, platform, chat_id, kind, company_id, name in rows:
                grouped.setdefault((platform, chat_id), []).append((sid, kind, company_id, name))
        out = []
        for (platform, chat_id), subs in grouped.items():
            general = [s for s in subs if s[2] is None]
            first = (general or subs)[0]
            companies = tuple(sorted({(c, n) for _, _, c, n in subs if c is not None}, key=lambda p: p[1]))
            kind = "channel" if any(s[1] == "channel" for s in subs) else "user"
            out.append(Recipient(platform, chat_id, kind, first[0], companies))
        return out

    async def recipient_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """How many chats `recipients(colleges=...)` lists (for the queue-depth metric)."""
        chats = (
            select(Subscription.platform, Subscription.chat_id)
            .where(Subscription.active, in_colleges(Subscription, colleges))
            .group_by(Subscription.platform, Subscription.chat_id)
            .subquery()
        )
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(chats)) or 0)

    # ------------------------------------------------------------------ runs and deliveries

    async def open_run(
        self, period_start: datetime, period_end: datetime, *, college_id: int | None = None
    ) -> RunRecord:
        """The run of this period in a college (None: the default one), created on first use (the unique
        (college, period_start) settles races)."""
        for _ in range(2):
            async with self._sessions() as session:
                run = await session.scalar(select(DigestRun).where(_run_is(period_start, college_id)))
                if run is not None:
                    return RunRecord(run.id, run.period_start, run.period_end, run.status)
            try:
                async with self._sessions.begin() as session:
                    run = DigestRun(
                        period_start=period_start,
                        period_end=period_end,
                        status="running",
                        college_id=college_id,
                    )
                    session.add(run)
                    await session.flush()
                    return RunRecord(run.id, period_start, period_end, run.status)
            except IntegrityError:
                logger.info("digest run for %s was created concurrently", period_start)
        raise RuntimeError(f"could not open the digest run for {period_start}")

    async def find_run(self, period_start: datetime, *, college_id: int | None = None) -> RunRecord | None:
        """The run of a period in a college (None: the default one), if it was started."""
        async with self._sessions() as session:
            run = await session.scalar(select(DigestRun).where(_run_is(period_start, college_id)))
            return None if run is None else RunRecord(run.id, run.period_start, run.period_end, run.status)

    async def finish_run(self, run_id: int, status: str = "done") -> None:
        """Close a run (no more retries)."""
        async with self._sessions.begin() as session:
            await session.execute(update(DigestRun).where(DigestRun.id == run_id).values(status=status))

    async def claim(
        self,
        run_id: int,
        platform: str,
        chat_id: str,
        subscription_id: int | None,
        *,
        parts: Sequence[Reply] = (),
        lease_until: datetime | None = None,
        is_private: bool = False,
    ) -> int | None:
        """Claim the right to send this run to this chat and write its `parts` ahead to the outbox, in one
        transaction: a new pending row, a failed one retried, or a pending one with nothing owed (a claim
        whose write-ahead never happened: older databases, or `claim` called without parts).

        Returns the delivery id, or None when the chat was already sent to, is being sent to (parts owed),
        or someone else claimed it first (never sent twice). Parts stay owed until `part_sent`; a part
        still owed at `lease_until` (default: now) is sent once by the outbox job.
        """
        lease = lease_until or utcnow()
        try:
            async with self._sessions.begin() as session:
                row = _new_delivery(run_id, platform, chat_id, subscription_id)
                session.add(row)
                await session.flush()
                _plan(session, row.id, platform, chat_id, is_private, parts, lease)
                return row.id
        except IntegrityError:
            pass
        async with self._sessions.begin() as session:
            found = (
                await session.execute(
                    select(DigestDelivery.id, DigestDelivery.status).where(
                        DigestDelivery.run_id == run_id,
                        DigestDelivery.platform == platform,
                        DigestDelivery.chat_id == chat_id,
                    )
                )
            ).one_or_none()
            if found is None:  # released in the meantime: the next tick claims it
                return None
            delivery_id, status = found
            if status == "failed":
                result = await session.execute(
                    update(DigestDelivery)
                    .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "failed")
                    .values(status="pending", error=None)
                )
                if result.rowcount != 1:
                    return None
            elif status == "pending":
                # Nothing owed: never started. Delete and insert (not update) so that of two claimers
                # racing here only the one whose DELETE removed the row goes on (PostgreSQL re-checks a
                # blocked DELETE against the committed row, which is gone by then).
                owed = exists().where(OutboxMessage.delivery_id == DigestDelivery.id)
                result = await session.execute(
                    delete(DigestDelivery).where(
                        DigestDelivery.id == delivery_id, DigestDelivery.status == "pending", ~owed
                    )
                )
                if result.rowcount != 1:
                    return None
                row = _new_delivery(run_id, platform, chat_id, subscription_id)
                session.add(row)
                await session.flush()
                delivery_id = row.id
                logger.warning(
                    "digest run %s: %s:%s was left pending with nothing owed; claimed again",
                    run_id,
                    platform,
                    chat_id,
                )
            else:
                return None
            _plan(session, delivery_id, platform, chat_id, is_private, parts, lease)
            return delivery_id

    async def claim_many(
        self, run_id: int, claims: Sequence[Claim], *, lease_until: datetime | None = None
    ) -> dict[tuple[str, str], int]:
        """Claim many chats and write their parts ahead in ONE transaction: {(platform, chat_id): delivery
        id} of the chats won (the others must not be sent now).

        The fast path is one `INSERT ... ON CONFLICT DO NOTHING RETURNING`: the unique (run, platform,
        chat) constraint decides each chat atomically, as `claim`'s insert does (on PostgreSQL an insert
        that meets a row another transaction inserted but has not committed waits for that transaction,
        so two senders never both win a chat). Among the chats lost, those that `claim` would take anyway
        (failed, or pending with nothing owed) are claimed one by one with `claim` after the commit.
        Claimers must ask for chats in one order (the senders do: recipients sorted by platform, chat) so
        two batches never wait for each other crosswise.
        """
        if not claims:
            return {}
        lease = lease_until or utcnow()
        wanted = {(c.platform, c.chat_id): c for c in claims}
        won: dict[tuple[str, str], int] = {}
        retry: list[tuple[str, str]] = []
        async with self._sessions.begin() as session:
            upsert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            rows = await session.execute(
                upsert(DigestDelivery)
                .values(
                    [
                        {
                            "run_id": run_id,
                            "platform": c.platform,
                            "chat_id": c.chat_id,
                            "subscription_id": c.subscription_id,
                            "status": "pending",
                        }
                        for c in wanted.values()
                    ]
                )
                .on_conflict_do_nothing(index_elements=["run_id", "platform", "chat_id"])
                .returning(DigestDelivery.id, DigestDelivery.platform, DigestDelivery.chat_id)
            )
            won = {(platform, chat_id): int(did) for did, platform, chat_id in rows}
            lost = [key for key in wanted if key not in won]
            if lost:
                owed = exists().where(OutboxMessage.delivery_id == DigestDelivery.id)
                found = await session.execute(
                    select(DigestDelivery.platform, DigestDelivery.chat_id).where(
                        DigestDelivery.run_id == run_id,
                        DigestDelivery.chat_id.in_({chat for _, chat in lost}),
                        or_(
                            DigestDelivery.status == "failed",
                            and_(DigestDelivery.status == "pending", ~owed),
                        ),
                    )
                )
                retry = sorted({(p, c) for p, c in found} & set(lost))
            now = utcnow()
            outbox = [
                _part_row(did, key[0], key[1], wanted[key].is_private, index, part, lease, now)
                for key, did in won.items()
                for index, part in enumerate(wanted[key].parts)
            ]
            if outbox:
                await session.execute(insert(OutboxMessage), outbox)
        for key in retry:
            c = wanted[key]
            delivery_id = await self.claim(
                run_id,
                c.platform,
                c.chat_id,
                c.subscription_id,
                parts=c.parts,
                lease_until=lease,
                is_private=c.is_private,
            )
            if delivery_id is not None:
                won[key] = delivery_id
        return won

    async def in_flight(self, delivery_id: int, part: int) -> None:
        """Mark a part as on its way (digest.ambiguous_sends: skip). A part still marked when its lease
        ends was cut off after the call may have reached the platform: the outbox job gives it up
        (`OutboxRepo.claim_due`) instead of sending it again (at most once)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.delivery_id == delivery_id, OutboxMessage.part == part)
                .values(status=IN_FLIGHT)
            )

    async def mark_sent(self, delivery_id: int, when: datetime | None = None) -> None:
        """Record a successful send."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery_id)
                .values(status="sent", error=None, sent_at=when or utcnow())
            )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Record a failed send (retried on the next tick while the run is open) and forget its unsent
        parts in the same transaction (the whole delivery is retried), so no one sees it "pending" with
        nothing owed in between."""
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.delivery_id == delivery_id))
            await session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery_id)
                .values(status="failed", error=error[:500])
            )

    async def plan_parts(
        self, delivery_id: int, chat: ChatRef, parts: list[Reply], lease_until: datetime
    ) -> None:
        """Write a delivery's messages ahead of sending: each stays owed until `part_sent`. (The sender
        passes its parts to `claim` instead, which writes them in the claim's transaction.)"""
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.delivery_id == delivery_id))
            _plan(session, delivery_id, chat.platform, chat.id, chat.is_private, parts, lease_until)

    async def part_sent(self, delivery_id: int, part: int, when: datetime | None = None) -> None:
        """One message of a delivery went out (or was handed to the outbox for its retry); the last one
        marks the delivery "sent" in the same transaction, as the outbox job does (`OutboxRepo.sent`).

        Why: a process killed between removing the last owed part and `mark_sent` left the delivery
        "pending" for good with nothing owed (issue #14, tests/reliability/test_killed_digest.py).
        """
        async with self._sessions.begin() as session:
            await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.delivery_id == delivery_id, OutboxMessage.part == part
                )
            )
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.delivery_id == delivery_id)
            )
            if not left:
                await session.execute(
                    update(DigestDelivery)
                    .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "pending")
                    .values(status="sent", sent_at=when or utcnow(), error=None)
                )

    async def drop_parts(self, delivery_id: int) -> None:
        """Forget a delivery's unsent messages (the whole delivery is retried or given up instead)."""
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.delivery_id == delivery_id))

    async def release(self, delivery_id: int) -> None:
        """Drop a claim that was never attempted (the platform is not running now), so a later tick sends."""
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxMessage).where(OutboxMessage.delivery_id == delivery_id))
            await session.execute(
                delete(DigestDelivery).where(
                    DigestDelivery.id == delivery_id, DigestDelivery.status == "pending"
                )
            )

    async def deliveries(self, run_id: int) -> list[DeliveryRecord]:
        """Every delivery row of a run, by platform and chat."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(DigestDelivery)
                .where(DigestDelivery.run_id == run_id)
                .order_by(DigestDelivery.platform, DigestDelivery.chat_id)
            )
            return [DeliveryRecord(d.id, d.platform, d.chat_id, d.status, d.error, d.sent_at) for d in rows]

    # ------------------------------------------------------------------ the week's content

    async def week(
        self, start: datetime, end: datetime, top: int = 5, *, colleges: Sequence[int] | None = None
    ) -> WeekSummary:
        """Counts, top companies, selection rate, hot topics and most asked questions of [start, end), of
        `colleges` (None: every college)."""
        where = _in_window(start, end, colleges)
        out = WeekSummary(companies=[], topics=[], questions=[])
        async with self._sessions() as session:
            total, selected, decided = (
                await session.execute(
                    select(
                        func.count(),
                        func.sum(case((Experience.outcome == SELECTED, 1), else_=0)),
                        func.sum(case((Experience.outcome.in_(DECIDED), 1), else_=0)),
                    ).where(where)
                )
            ).one()
            out.total, out.selected, out.decided = int(total or 0), int(selected or 0), int(decided or 0)
            if not out.total:
                return out
            rows = await session.execute(
                select(Company.name, func.count())
                .select_from(Experience)
                .join(Company, Company.id == Experience.company_id)
                .where(where)
                .group_by(Company.name)
                .order_by(func.count().desc(), Company.name)
            )
            out.companies = [(name, int(n)) for name, n in rows]
            rows = await session.execute(
                select(ExperienceTopic.topic, func.count())
                .join(Experience, Experience.id == ExperienceTopic.experience_id)
                .where(where)
                .group_by(ExperienceTopic.topic)
                .order_by(func.count().desc(), ExperienceTopic.topic)
                .limit(top)
            )
            out.topics = [(topic, int(n)) for topic, n in rows]
            key = func.coalesce(func.nullif(Question.normalized, ""), func.lower(Question.text))
            asked = func.count(func.distinct(Question.experience_id))
            rows = await session.execute(
                select(key, func.min(Question.text), asked)
                .join(Experience, Experience.id == Question.experience_id)
                .where(where)
                .group_by(key)
                .order_by(asked.desc(), key)
                .limit(top)
            )
            out.questions = [(text, int(n)) for _key, text, n in rows]
        return out

    async def new_experiences(
        self,
        company_ids: list[int],
        start: datetime,
        end: datetime,
        *,
        colleges: Sequence[int] | None = None,
    ) -> dict[int, list[NewExperience]]:
        """Each company's experiences published in [start, end), newest first (public fields only)."""
        if not company_ids:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Experience.id,
                    Experience.company_id,
                    Company.name,
                    Experience.role,
                    Experience.interview_year,
                    Experience.author_name,
                    Experience.anonymous,
                )
                .join(Company, Company.id == Experience.company_id)
                .where(_in_window(start, end, colleges), Experience.company_id.in_(company_ids))
                .order_by(Experience.id.desc())
            )
            out: dict[int, list[NewExperience]] = {cid: [] for cid in company_ids}
            for eid, cid, name, role, year, author, anonymous in rows:
                out[cid].append(NewExperience(eid, name, role, int(year), author_of(author, anonymous)))
        return out


def _new_delivery(run_id: int, platform: str, chat_id: str, subscription_id: int | None) -> DigestDelivery:
    """A delivery row as a claim inserts it (status "pending")."""
    return DigestDelivery(
        run_id=run_id, platform=platform, chat_id=chat_id, subscription_id=subscription_id, status="pending"
    )


def _plan(
    session: AsyncSession,
    delivery_id: int,
    platform: str,
    chat_id: str,
    is_private: bool,
    parts: Sequence[Reply],
    lease_until: datetime,
) -> None:
    """Add a delivery's parts to the outbox in `session` (each owed until `part_sent`, sent once by the
    outbox job if still owed at `lease_until`)."""
    now = utcnow()
    session.add_all(
        OutboxMessage(**_part_row(delivery_id, platform, chat_id, is_private, index, part, lease_until, now))
        for index, part in enumerate(parts)
    )


def _part_row(
    delivery_id: int,
    platform: str,
    chat_id: str,
    is_private: bool,
    index: int,
    part: Reply,
    lease_until: datetime,
    now: datetime,
) -> dict[str, Any]:
    """The outbox row of one owed digest part (pending until `part_sent`, due when its lease ends)."""
    return {
        "platform": platform,
        "chat_id": chat_id,
        "is_private": is_private,
        "reply": encode_reply(part),
        "kind": "digest",
        "delivery_id": delivery_id,
        "part": index,
        "status": "pending",
        "attempts": 0,
        "due_at": lease_until,
        "created_at": now,
    }
