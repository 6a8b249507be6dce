"""The durable outbox (table `outbox`): owed messages, retried once, and recipients who left.

Implements `core.repositories.outbox.OutboxRepository`. An entry is pending until it is sent (then
deleted) or its one retry fails (then status "failed", kept for the operator). Digest parts carry their
delivery id: when the last part of a delivery is sent, the delivery row becomes "sent". The outbox job
takes due entries as a claim with a lease (`claim_due`: their `due_at` moves to the lease's end), so
jobs in several processes send each entry once, and an entry whose job died is due again after it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.events import ChatRef
from core.replies import Reply
from core.repositories.outbox import OutboxEntry, OutboxRepository, decode_reply, encode_reply
from storage.models import DigestDelivery, Identity, OutboxMessage, Subscription, User, utcnow

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
UNREACHABLE = "unreachable_on"  # users.settings key: platforms where the user blocked the bot
IN_FLIGHT = "sending"  # a digest part on its way (`DigestRepo.in_flight`, digest.ambiguous_sends: skip)
UNCONFIRMED = "unconfirmed"  # a delivery whose part was cut off in flight and given up


# What a claim returns of each row (`entry_of`), and its order (created_at)
ENTRY_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.platform,
    OutboxMessage.chat_id,
    OutboxMessage.is_private,
    OutboxMessage.reply,
    OutboxMessage.kind,
    OutboxMessage.attempts,
    OutboxMessage.delivery_id,
    OutboxMessage.part,
    OutboxMessage.created_at,
)
# Claims of due entries are taken one at a time on PostgreSQL (`OutboxRepo.claim_due`)
CLAIM_LOCK_SQL = text("SELECT pg_advisory_xact_lock(:key)")
CLAIM_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"interview-insights:outbox-claim", digest_size=8).digest(), "big", signed=True
)


def entry_of(row: Any, claimed_until: datetime | None = None) -> OutboxEntry:
    """The core's view of a stored row (an OutboxMessage, or a row of ENTRY_COLUMNS)."""
    chat = ChatRef(row.platform, row.chat_id, is_private=row.is_private)
    return OutboxEntry(
        row.id,
        chat,
        decode_reply(row.reply),
        row.kind,
        row.attempts,
        row.delivery_id,
        row.part,
        claimed_until,
    )


class OutboxRepo(OutboxRepository):
    """The outbox on SQLite or PostgreSQL."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def enqueue(
        self, chat: ChatRef, reply: Reply, *, due: datetime, kind: str = "push", error: str | None = None
    ) -> int:
        """Keep a message for a send at `due` or later; its id."""
        async with self._sessions.begin() as session:
            row = OutboxMessage(
                platform=chat.platform,
                chat_id=chat.id,
                is_private=chat.is_private,
                reply=encode_reply(reply),
                kind=kind,
                part=0,
                status="pending",
                attempts=0,
                error=error,
                due_at=due,
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return row.id

    async def claim_due(self, now: datetime, limit: int, *, lease: timedelta) -> list[OutboxEntry]:
        """Claim pending entries due at `now` until `now + lease` (their `due_at` moves there) and return
        them oldest first, digest parts in their order; digest parts a sender left in flight
        (digest.ambiguous_sends: skip) whose lease ended are given up first.

        Why a claim: the outbox job runs in every process whose scheduler runs, in `main.py digest` and
        on queue workers; two of them reading the same due rows both sent them (a duplicate message to a
        student, issue 14). One UPDATE ... RETURNING takes the page: the oldest `limit` due entries plus
        the other due parts of their digest deliveries (a page never ends between two parts of one
        delivery, so no other job can send a later part while this one sends an earlier). Claims are
        taken one at a time: on PostgreSQL under a transaction-scoped advisory lock (the next claimer's
        UPDATE starts after this one committed and sees these entries not due; FOR UPDATE SKIP LOCKED
        would let it take a later part of a delivery whose earlier part this claim holds uncommitted),
        on SQLite by its one writer at a time (the UPDATE is the transaction's first statement).
        """
        await self.give_up_cut_off(now)
        until = now + lease
        due = (OutboxMessage.status == "pending", OutboxMessage.due_at <= now)
        async with self._sessions.begin() as session:
            if session.bind.dialect.name == "postgresql":
                await session.execute(CLAIM_LOCK_SQL, {"key": CLAIM_LOCK_KEY})
            page = (
                select(OutboxMessage.id, OutboxMessage.delivery_id)
                .where(*due)
                .order_by(
                    OutboxMessage.due_at, OutboxMessage.delivery_id, OutboxMessage.part, OutboxMessage.id
                )
                .limit(limit)
                .subquery("page")
            )
            rows = await session.execute(
                update(OutboxMessage)
                .where(
                    *due,  # repeated here: PostgreSQL re-checks them on a row changed meanwhile
                    or_(
                        OutboxMessage.id.in_(select(page.c.id)),
                        OutboxMessage.delivery_id.in_(select(page.c.delivery_id)),
                    ),
                )
                .values(due_at=until)
                .returning(*ENTRY_COLUMNS)
                .execution_options(synchronize_session=False)
            )
            claimed = sorted(rows, key=lambda r: (r.created_at, r.delivery_id or 0, r.part, r.id))
        return [entry_of(row, until) for row in claimed]

    async def renew(self, entries: Sequence[OutboxEntry], until: datetime) -> list[OutboxEntry]:
        """Extend the claims still held to `until`: an entry is held while it is pending and its
        `due_at` is still the lease this job set (another job's claim, taken only after that lease
        ended, sets a later one). The entries still held, in their order, with the new lease."""
        held: set[int] = set()
        async with self._sessions.begin() as session:
            for lease in {e.claimed_until for e in entries if e.claimed_until is not None}:
                ids = [e.id for e in entries if e.claimed_until == lease]
                rows = await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(ids),
                        OutboxMessage.status == "pending",
                        OutboxMessage.due_at == lease,
                    )
                    .values(due_at=until)
                    .returning(OutboxMessage.id)
                    .execution_options(synchronize_session=False)
                )
                held.update(rows.scalars())
        return [replace(e, claimed_until=until) for e in entries if e.id in held]

    async def give_up_cut_off(self, now: datetime) -> int:
        """Drop the digest parts marked in flight (`DigestRepo.in_flight`) whose lease ended by `now`: the
        sender died after the call went out, so Telegram may have the message; with
        digest.ambiguous_sends: skip it is not sent again (at most once). A delivery left with nothing
        owed becomes "unconfirmed" (never claimed again); its later parts, if any, are still sent.
        Returns how many parts were given up."""
        async with self._sessions.begin() as session:
            cut = (
                await session.execute(
                    delete(OutboxMessage)
                    .where(OutboxMessage.status == IN_FLIGHT, OutboxMessage.due_at <= now)
                    .returning(OutboxMessage.delivery_id)
                )
            ).all()
            deliveries = {delivery_id for (delivery_id,) in cut if delivery_id is not None}
            if deliveries:
                owed = select(OutboxMessage.id).where(OutboxMessage.delivery_id == DigestDelivery.id)
                await session.execute(
                    update(DigestDelivery)
                    .where(
                        DigestDelivery.id.in_(deliveries),
                        DigestDelivery.status == "pending",
                        ~owed.exists(),
                    )
                    .values(status=UNCONFIRMED, error="cut off in flight; not resent (ambiguous_sends: skip)")
                )
        if cut:
            logger.warning("outbox: %d digest message(s) cut off in flight given up, not resent", len(cut))
        return len(cut)

    async def sent(self, entry_id: int) -> None:
        """Remove a sent entry; a digest delivery whose last part this was becomes "sent"."""
        async with self._sessions.begin() as session:
            delivery_id = await session.scalar(
                select(OutboxMessage.delivery_id).where(OutboxMessage.id == entry_id)
            )
            await session.execute(delete(OutboxMessage).where(OutboxMessage.id == entry_id))
            if delivery_id is None:
                return
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.delivery_id == delivery_id)
            )
            if not left:
                await session.execute(
                    update(DigestDelivery)
                    .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "pending")
                    .values(status="sent", sent_at=utcnow(), error=None)
                )

    async def failed(self, entry_id: int, error: str) -> None:
        """The retry failed too: the entry is kept as failed and never sent again."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == entry_id)
                .values(status="failed", error=error[:1000], attempts=OutboxMessage.attempts + 1)
            )

    async def postpone(self, entry_id: int, due: datetime) -> None:
        """Try again at `due` (the platform's adapter is not running); not counted as the retry."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == entry_id).values(due_at=due)
            )

    async def recipient_gone(self, platform: str, chat_id: str) -> None:
        """Drop the chat's owed messages and digest subscriptions; mark its user unreachable there."""
        async with self._sessions.begin() as session:
            dropped = await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.platform == platform, OutboxMessage.chat_id == chat_id
                )
            )
            stopped = await session.execute(
                update(Subscription)
                .where(
                    Subscription.platform == platform, Subscription.chat_id == chat_id, Subscription.active
                )
                .values(active=False)
            )
            user = await session.scalar(
                select(User)
                .join(Identity, Identity.user_id == User.id)
                .where(Identity.platform == platform, Identity.platform_user_id == chat_id)
            )
            if user is not None:
                places = set(user.settings.get(UNREACHABLE, []))
                if platform not in places:
                    user.settings = {**user.settings, UNREACHABLE: sorted(places | {platform})}
        logger.info(
            "a %s chat blocked or removed the bot: %d owed message(s) dropped, %d subscription(s) stopped",
            platform,
            getattr(dropped, "rowcount", 0),
            getattr(stopped, "rowcount", 0),
        )

    async def entries(self) -> list[OutboxEntry]:
        """Every entry, pending or failed (for checks and tests)."""
        async with self._sessions() as session:
            return [
                entry_of(r) for r in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            ]

    async def statuses(self) -> list[tuple[str, str, str, int]]:
        """(chat id, kind, status, attempts) of every entry (for checks and tests)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    OutboxMessage.chat_id, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.attempts
                ).order_by(OutboxMessage.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
