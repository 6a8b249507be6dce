"""The outbox port: messages owed to a chat, kept durably so a failed or interrupted send is retried once.

`core.notifiers.Notifiers` enqueues a push whose send failed beyond the adapter's retries; the digest
sender writes each message of a delivery ahead of sending (storage/digest.py `plan_parts`); the
periodic job (`Notifiers.retry_outbox`, run by core/scheduler.py) sends every due entry once more.
`storage.outbox.OutboxRepo` implements it.

Several processes may run that job at once (`main.py digest` from cron beside a bot whose scheduler runs
it, queue workers, two bots on one database): the job takes due entries with `claim_due`, which claims
them for a lease (issue 14), so each entry is sent by one job only; an entry whose job died unsent is
due again when the lease ends, and a job that is still sending when half its lease is gone extends it
(`renew`). Replies are stored as JSON (`encode_reply`/`decode_reply`:
text, buttons, images and files base64) so any process can send them later.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.events import ChatRef
from core.replies import Button, Document, Image, Reply

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxEntry:
    """One owed message: where it goes, what it says, how often it was tried, and its digest delivery."""

    id: int
    chat: ChatRef
    reply: Reply
    kind: str  # push/digest/notice
    attempts: int
    delivery_id: int | None = None
    part: int = 0
    claimed_until: datetime | None = None  # the claim of `claim_due` (or `renew`) lasts until then


class OutboxRepository(Protocol):
    """What the core asks of the durable outbox."""

    async def enqueue(
        self, chat: ChatRef, reply: Reply, *, due: datetime, kind: str = "push", error: str | None = None
    ) -> int:
        """Keep a message for a send at `due` or later; its id."""
        ...

    async def claim_due(self, now: datetime, limit: int, *, lease: timedelta) -> list[OutboxEntry]:
        """Claim up to about `limit` pending entries due at `now` until `now + lease`, oldest first, each
        delivery's parts in order: a claimed entry is not due for anyone else before then, so of two
        jobs asking at once each entry goes to one. A digest delivery's due parts are claimed together
        (possibly beyond `limit`), so no other job can send a later part while this one sends an
        earlier. An entry neither sent, failed nor postponed by then is due again (its job died)."""
        ...

    async def renew(self, entries: Sequence[OutboxEntry], until: datetime) -> list[OutboxEntry]:
        """Extend the claims of `entries` (from `claim_due` or `renew`) to `until`: those still held and
        pending, in their order, with the new lease. An entry left out was claimed by another job after
        this lease ended, or was removed (recipient gone): this job must not send it."""
        ...

    async def sent(self, entry_id: int) -> None:
        """The entry went out: remove it (and mark its digest delivery sent when it was the last part)."""
        ...

    async def failed(self, entry_id: int, error: str) -> None:
        """The retry failed too: keep the entry as failed (never sent again) with the error."""
        ...

    async def postpone(self, entry_id: int, due: datetime) -> None:
        """Nobody can send to its platform now (adapter not running): try again at `due`, uncounted."""
        ...

    async def recipient_gone(self, platform: str, chat_id: str) -> None:
        """The chat blocked or removed the bot: drop its entries and subscriptions, mark the user
        unreachable on that platform."""
        ...


def encode_reply(reply: Reply) -> dict[str, Any]:
    """A Reply as JSON-safe data (bytes base64); forms and `extra` are not kept (pushes carry none)."""
    return {
        "text": reply.text,
        "buttons": [[[b.label, b.action, b.url] for b in row] for row in reply.buttons],
        "images": [[base64.b64encode(i.png).decode(), i.filename, i.caption] for i in reply.images],
        "files": [[base64.b64encode(f.data).decode(), f.filename, f.mime, f.caption] for f in reply.files],
        "private": reply.private,
    }


def decode_reply(data: dict[str, Any]) -> Reply:
    """The Reply `encode_reply` stored."""
    return Reply(
        text=data.get("text", ""),
        buttons=tuple(
            tuple(Button(label, action, url) for label, action, url in row) for row in data.get("buttons", [])
        ),
        images=tuple(
            Image(base64.b64decode(png), name, caption) for png, name, caption in data.get("images", [])
        ),
        files=tuple(
            Document(base64.b64decode(raw), name, mime, caption)
            for raw, name, mime, caption in data.get("files", [])
        ),
        private=bool(data.get("private", False)),
    )
