"""The durable outbox (table `outbox`): owed messages, retried once, and recipients who left.

Implements `core.repositories.outbox.OutboxRepository`. An entry is pending until it is sent (then
deleted) or its one retry fails (then status "failed", kept for the operator). Digest parts carry their
delivery id: when the last part of a delivery is sent, the delivery row becomes "sent".
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select, update
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


def entry_of(row: OutboxMessage) -> OutboxEntry:
    """The core's view of a stored row."""
    chat = ChatRef(row.platform, row.chat_id, is_private=row.is_private)
    return OutboxEntry(
        row.id, chat, decode_reply(row.reply), row.kind, row.attempts, row.delivery_id, row.part
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

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending entries due at `now`, oldest first (digest parts in their order); digest parts a sender
        left in flight (digest.ambiguous_sends: skip) whose lease ended are given up first."""
        await self.give_up_cut_off(now)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= now)
                .order_by(
                    OutboxMessage.due_at, OutboxMessage.delivery_id, OutboxMessage.part, OutboxMessage.id
                )
                .limit(limit)
            )
            return [entry_of(row) for row in rows]

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
