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


class PlatformUnreachable(Exception):
    """The platform's API could not be reached when the adapter started (DNS, refused, timed out).

    Raised instead of the HTTP library's chained traceback so `main.py` prints one line and exits 1:
    the fault is the network or a proxy, not the code, and a supervisor may simply start it again.
    The message names the platform and the reason, never the token.
    """


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
