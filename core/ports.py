"""Ports the core calls: pushing messages later, and the command list adapters register."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.events import ChatRef
from core.replies import Reply


class Notifier(Protocol):
    """Sends a reply to a chat outside a request/response turn (scores, moderation outcomes, digests)."""

    async def send(self, chat: ChatRef, reply: Reply) -> None: ...


@dataclass(frozen=True)
class CommandInfo:
    """A command the bot offers; adapters register these (setMyCommands, slash commands, /help)."""

    name: str
    description: str
    args_hint: str = ""  # e.g. "<company>"; Discord makes it an option
    moderator_only: bool = False
    personal: bool = False  # runs a personal dialog: moved to a private chat from groups
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MirroredThread:
    """A thread as a mirror publishes it; `author` is a display name or "Anonymous", never an id."""

    id: int  # the core's thread id (shown as #id; /thread <id> opens it on any platform)
    title: str
    author: str
    body: str  # the first post
    company: str | None = None  # company name (a Discord forum tag), or None for a topic thread
    topic: str | None = None  # free tag such as "dsa", "system-design", "hr", "question"
    resolved: bool = False


class ThreadMirror(Protocol):
    """A platform that shows core threads natively (Discord forum threads, Telegram forum topics).

    The returned id is what that platform's adapter later puts in `ChatRef.id` for messages written
    inside the mirrored thread: Discord, the forum thread's channel id (e.g. "1234567890123"); Telegram,
    "<chat id>:<message_thread_id>" (e.g. "-1001234567890:42"). Such a plain-text message becomes a reply
    in the core thread; the core never sends it back to the platform it came from.
    """

    async def open_thread(self, thread: MirroredThread) -> str | None:
        """Create the platform thread with its first post; return its id (None: not mirrored there)."""
        ...

    async def post(self, external_id: str, author: str, body: str) -> None:
        """Add a reply written elsewhere to the mirrored thread, attributed to `author`."""
        ...

    async def mark_resolved(self, external_id: str) -> None:
        """Show the thread as resolved (Discord: the `resolved` tag; Telegram: close the topic)."""
        ...
