"""The contract every platform adapter keeps: translate events in, render replies out, within limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.events import ChatRef
from core.replies import Reply


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show, so the core and renderers stay within its limits."""

    max_text: int
    max_caption: int
    forms: bool
    edits: bool
    buttons_per_row: int
    max_buttons: int


class Adapter(Protocol):
    """A running front door (console, Telegram, Discord)."""

    name: str
    capabilities: Capabilities

    async def run(self) -> None:
        """Serve until stopped."""

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Push a reply the core produced later (scores, moderation results, digests)."""

    async def stop(self) -> None:
        """Stop serving and release resources."""
