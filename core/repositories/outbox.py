"""The outbox port: messages owed to a chat, kept durably so a failed or interrupted send is retried once.

`core.notifiers.Notifiers` enqueues a push whose send failed beyond the adapter's retries; the digest
sender writes each message of a delivery ahead of sending (storage/digest.py `plan_parts`); the
periodic job (`Notifiers.retry_outbox`, run by core/scheduler.py) sends every due entry once more.
`storage.outbox.OutboxRepo` implements it. Replies are stored as JSON (`encode_reply`/`decode_reply`:
text, buttons, images and files base64) so any process can send them later.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime
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


class OutboxRepository(Protocol):
    """What the core asks of the durable outbox."""

    async def enqueue(
        self, chat: ChatRef, reply: Reply, *, due: datetime, kind: str = "push", error: str | None = None
    ) -> int:
        """Keep a message for a send at `due` or later; its id."""
        ...

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending entries due at `now`, oldest first."""
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
