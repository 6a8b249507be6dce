"""Core discussion threads mirrored as forum topics of one Telegram supergroup (the core's ThreadMirror)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.error import BadRequest

from bots.telegram import render
from core.replies import Reply

if TYPE_CHECKING:  # core.ports.MirroredThread: imported lazily so this module loads without it
    from core.ports import MirroredThread

logger = logging.getLogger(__name__)

MAX_TOPIC_NAME = 128
RESOLVED_NOTE = "✅ This discussion was marked as resolved."
CLOSED = "TOPIC_CLOSED"

Send = Callable[[int, list[render.Out], int | None], Awaitable[object]]


def topic_ref(chat_id: int, thread_id: int) -> str:
    """The id the core stores for a mirrored topic and sees in ChatRef.id: "<chat id>:<topic id>"."""
    return f"{chat_id}:{thread_id}"


def parse_topic_ref(ref: str) -> tuple[int, int] | None:
    """("-1001234567890:42") -> (-1001234567890, 42); None for anything else."""
    chat, sep, thread = ref.rpartition(":")
    try:
        return (int(chat), int(thread)) if sep else None
    except ValueError:
        return None


def topic_name(thread: MirroredThread) -> str:
    """ "#12 Notice period at TCS?" cut to Telegram's 128 characters."""
    name = " ".join(f"#{thread.id} {thread.title}".split())
    return name if len(name) <= MAX_TOPIC_NAME else name[: MAX_TOPIC_NAME - 1] + "…"


def opening_text(thread: MirroredThread) -> str:
    """The topic's first message, in the core's neutral markup (the adapter escapes it)."""
    about = ", ".join(part for part in (thread.company, thread.topic) if part)
    lines = [f"**{thread.title}**", f"Started by {thread.author}" + (f" · {about}" if about else "")]
    if thread.body.strip():
        lines += ["", thread.body.strip()]
    lines += [
        "",
        f"Reply in this topic to join in; it is the same discussion as /thread {thread.id} in the bot.",
    ]
    return "\n".join(lines)


def post_text(author: str, body: str) -> str:
    """A reply written on another platform (or in the bot), attributed to its author."""
    return f"**{author}:**\n{body.strip()}"


class ForumMirror:
    """Opens a topic per core thread, posts replies written elsewhere into it, closes it when resolved."""

    def __init__(self, chat_id: int, bot: Callable[[], Bot], send: Send) -> None:
        self.chat_id = chat_id
        self._bot = bot
        self._send = send

    async def open_thread(self, thread: MirroredThread) -> str | None:
        """createForumTopic, then the first post; a resolved thread's topic is closed right away."""
        topic = await self._bot().create_forum_topic(self.chat_id, topic_name(thread))
        thread_id = topic.message_thread_id
        await self._send(self.chat_id, render.render_reply(Reply(text=opening_text(thread))), thread_id)
        if thread.resolved:
            await self._close(self.chat_id, thread_id)
        logger.info("thread %s mirrored as topic %s", thread.id, thread_id)
        return topic_ref(self.chat_id, thread_id)

    async def post(self, external_id: str, author: str, body: str) -> None:
        """Post into the topic; a closed (resolved) topic is reopened for the message and closed again."""
        chat_id, thread_id = self._parse(external_id)
        outs = render.render_reply(Reply(text=post_text(author, body)))
        try:
            await self._send(chat_id, outs, thread_id)
        except BadRequest as exc:
            if CLOSED not in str(exc).upper():
                raise
            await self._bot().reopen_forum_topic(chat_id, thread_id)
            try:
                await self._send(chat_id, outs, thread_id)
            finally:
                await self._close(chat_id, thread_id)

    async def mark_resolved(self, external_id: str) -> None:
        """Say so in the topic, then close it (members can still read it)."""
        chat_id, thread_id = self._parse(external_id)
        await self._send(chat_id, render.render_reply(Reply(text=RESOLVED_NOTE)), thread_id)
        await self._close(chat_id, thread_id)

    async def _close(self, chat_id: int, thread_id: int) -> None:
        try:
            await self._bot().close_forum_topic(chat_id, thread_id)
        except BadRequest as exc:  # already closed
            logger.info("could not close topic %s: %s", thread_id, exc)

    @staticmethod
    def _parse(external_id: str) -> tuple[int, int]:
        parsed = parse_topic_ref(external_id)
        if parsed is None:
            raise ValueError(f"not a Telegram topic id: {external_id!r}")
        return parsed
