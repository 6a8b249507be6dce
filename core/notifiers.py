"""Which platforms can receive pushes now, and what happens when a push cannot be delivered.

Adapters register their notifier when they start. A push whose send fails beyond the adapter's own
retries (more 429s or 5xx than its budget, a read timeout) is kept in the durable outbox and sent once
more by the periodic job (`retry_outbox`, scheduled by core/scheduler.py), which claims the entries it
sends for a lease, so jobs in several processes never send one entry twice. A recipient who blocked or
removed the bot (the adapter raises `RecipientGone`) is handled here, once for every platform: its
digest subscriptions stop, its owed messages are dropped and its user is marked unreachable there.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import utcnow
from core.events import ChatRef
from core.metrics import metrics
from core.ports import Notifier
from core.replies import Reply
from core.repositories.outbox import OutboxEntry, OutboxRepository

logger = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=5)  # a failed push is retried no sooner than this
NOT_RUNNING_AGAIN = timedelta(minutes=15)  # an entry for a platform not running here waits this long
# Due entries read at a time; a run goes on until none is due (a killed digest sender can leave up to
# digest.claim_batch chats owed at once, several kills more than one page)
OUTBOX_PAGE = 100
MAX_OUTBOX_PAGES = 1000
# A page of due entries is claimed for this long (`OutboxRepository.claim_due`): no other process's
# outbox job sends them meanwhile; if this process dies, they are sent by a job run after it ends. A
# page still being sent when half of it is gone is claimed again for as long (`renew`).
OUTBOX_LEASE = timedelta(minutes=10)


_before_call: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("before_call", default=None)


@contextmanager
def before_platform_call(hook: Callable[[], Awaitable[None]]) -> Iterator[None]:
    """Run `hook` once, right before the first platform API call of the sends made in this block (in
    this task), after the adapter's rate limiters let it through: the digest marks a message "in
    flight" there (digest.ambiguous_sends: skip), so a message still waiting for its turn is not."""
    token = _before_call.set(hook)
    try:
        yield
    finally:
        _before_call.reset(token)


async def platform_call_starts() -> None:
    """Adapters call this right before a platform API call that may deliver a message (after their rate
    limiters); runs the hook of `before_platform_call`, once."""
    hook = _before_call.get()
    if hook is not None:
        _before_call.set(None)
        await hook()


class RecipientGone(Exception):
    """The chat cannot be messaged any more: the user blocked the bot (Telegram 403 "bot was blocked by
    the user", Discord 50007 "Cannot send messages to this user") or removed it from the chat.

    Raised by adapters' notifiers instead of their platform's error; never retried.
    """

    def __init__(self, chat: ChatRef, reason: str = "") -> None:
        super().__init__(f"{chat.platform} chat cannot be messaged any more: {reason}")
        self.chat = chat
        self.reason = reason


@dataclass
class OutboxReport:
    """What one outbox run did."""

    sent: int = 0
    failed: int = 0
    gone: int = 0
    waiting: int = 0  # the platform is not running here: left for a later run
    lost: int = 0  # claimed, but the claim ran out and another job took them: not sent here


class Notifiers:
    """The running adapters' notifiers by platform name; the core pushes through `notify`."""

    def __init__(self, outbox: OutboxRepository | None = None, clock: Callable[[], datetime] | None = None):
        self._by_platform: dict[str, Notifier] = {}
        self.outbox = outbox
        self._clock = clock

    def _now(self) -> datetime:
        return (self._clock or utcnow)()

    def register(self, platform: str, notifier: Notifier) -> None:
        """`platform`'s adapter is running and can be pushed to."""
        self._by_platform[platform] = notifier

    def unregister(self, platform: str) -> None:
        """`platform`'s adapter stopped: pushes to it return False."""
        self._by_platform.pop(platform, None)

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a reply to a chat. False when no adapter for its platform runs or the recipient is gone.

        A send that fails is kept in the outbox for one later retry (True: it is owed, not lost); with
        no outbox the error propagates.
        """
        notifier = self._by_platform.get(chat.platform)
        if notifier is None:
            logger.info("no notifier for %s; reply dropped", chat.platform)
            return False
        try:
            await notifier.send(chat, reply)
        except RecipientGone as gone:
            metrics().send_error(chat.platform, "RecipientGone")
            await self.recipient_gone(gone.chat)
            return False
        except Exception as exc:
            metrics().send_error(chat.platform, type(exc).__name__)
            if self.outbox is None:
                raise
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("push to a %s chat failed (%s); kept for a retry", chat.platform, error)
            await self.outbox.enqueue(chat, reply, due=self._now() + RETRY_AFTER, error=error[:1000])
        return True

    async def notify_now(self, chat: ChatRef, reply: Reply) -> bool:
        """Push now or raise (no outbox): for senders with retries of their own (the digest). False
        when no adapter for the platform runs or the recipient is gone (handled as in `notify`)."""
        notifier = self._by_platform.get(chat.platform)
        if notifier is None:
            return False
        try:
            await notifier.send(chat, reply)
        except RecipientGone as gone:
            await self.recipient_gone(gone.chat)
            return False
        return True

    async def tell_later(self, chat: ChatRef, reply: Reply) -> None:
        """Keep a message for the outbox job's next run (e.g. at start, before any adapter connects)."""
        if self.outbox is None:
            await self.notify(chat, reply)
            return
        await self.outbox.enqueue(chat, reply, due=self._now(), kind="notice")

    async def keep_for_retry(self, chat: ChatRef, reply: Reply) -> None:
        """An answer an adapter could not deliver: sent once more by the outbox job (RETRY_AFTER later)."""
        if self.outbox is None:
            logger.warning("an undelivered %s answer is lost: no outbox", chat.platform)
            return
        await self.outbox.enqueue(chat, reply, due=self._now() + RETRY_AFTER, error="answer not delivered")

    async def recipient_gone(self, chat: ChatRef) -> None:
        """Stop pushing to a chat that blocked or removed the bot (subscriptions, owed messages, user)."""
        logger.info("a %s chat blocked or removed the bot; unsubscribed", chat.platform)
        if self.outbox is not None:
            await self.outbox.recipient_gone(chat.platform, chat.id)

    async def retry_outbox(self) -> OutboxReport:
        """Send every due outbox entry once more: sent -> removed, failed again -> kept as failed.

        Entries are claimed a page at a time for OUTBOX_LEASE (`claim_due`), so jobs running at once in
        several processes each send different entries, every entry once (issue 14)."""
        report = OutboxReport()
        if self.outbox is None:
            return report
        for _ in range(MAX_OUTBOX_PAGES):  # a bound, should an entry ever stay due once handled
            entries = await self.outbox.claim_due(self._now(), OUTBOX_PAGE, lease=OUTBOX_LEASE)
            await self._retry_entries(entries, report)
            if len(entries) < OUTBOX_PAGE:
                break
        if report.sent or report.failed or report.gone or report.lost:
            logger.info("outbox: %s", report)
        return report

    async def _retry_entries(self, entries: list[OutboxEntry], report: OutboxReport) -> None:
        """One claimed page: each entry leaves the due set (sent, failed, gone, or postponed), in order.

        Before each send the claim must have at least half its lease left, else the rest of the page is
        claimed again (`renew`); entries whose claim another job took meanwhile are not sent here."""
        assert self.outbox is not None
        later = self._now() + NOT_RUNNING_AGAIN  # one time for the page: a delivery's parts stay together
        queue = deque(entries)
        while queue:
            until = queue[0].claimed_until
            if until is not None and self._now() >= until - OUTBOX_LEASE / 2:
                held = await self.outbox.renew(list(queue), self._now() + OUTBOX_LEASE)
                if len(held) < len(queue):
                    logger.warning(
                        "outbox: %d claimed message(s) taken by another job", len(queue) - len(held)
                    )
                    report.lost += len(queue) - len(held)
                queue = deque(held)
                continue
            entry = queue.popleft()
            notifier = self._by_platform.get(entry.chat.platform)
            if notifier is None:
                await self.outbox.postpone(entry.id, later)
                report.waiting += 1
                continue
            try:
                await notifier.send(entry.chat, entry.reply)
            except RecipientGone as gone:
                await self.recipient_gone(gone.chat)
                report.gone += 1
                continue
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.warning("outbox retry to a %s chat failed for good: %s", entry.chat.platform, error)
                await self.outbox.failed(entry.id, error)
                report.failed += 1
                continue
            await self.outbox.sent(entry.id)
            report.sent += 1
