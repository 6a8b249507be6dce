"""The users aggregate's port: a user per platform account, and where to reach one privately.

`storage.repos.UserRepo` implements `UserRepository` (it subclasses it). `Recipient` is what several
aggregates hand back when the core must tell a user something privately (a moderation decision, a
reply to a question, a verified badge): the core only turns it into a `ChatRef`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Where to tell a user something: a platform (as adapters register it) and that user's id there.

    The id is the user's private chat on that platform (what an adapter puts in `ChatRef.id`).
    """

    platform: str
    user_id: str


class UserRepository(Protocol):
    """What the core asks of the user store (the actor resolver creates and finds users)."""

    async def ensure_user(self, platform: str, platform_user_id: str, display_name: str = "") -> int:
        """The user id of a platform account, creating the user and identity on first contact."""
        ...

    async def find_user(self, platform: str, platform_user_id: str) -> int | None:
        """The user id of a platform account, or None if it never talked to the bot."""
        ...

    async def find_with_moderator(self, platform: str, platform_user_id: str) -> tuple[int | None, bool]:
        """The user id (None if never stored) and the platform's moderator signal as last seen."""
        ...

    async def remember_moderator(self, user_id: int, platform: str, is_moderator: bool) -> None:
        """Store the platform's moderator signal as last seen."""
        ...
