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
