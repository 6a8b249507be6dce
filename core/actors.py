"""Resolve who is asking, once per event, before any feature runs (the router calls this)."""

from __future__ import annotations

import logging
from typing import Protocol

from core.events import Actor, IncomingEvent

logger = logging.getLogger(__name__)


class UserDirectory(Protocol):
    """The part of the user repository the resolver needs."""

    async def find_user(self, platform: str, platform_user_id: str) -> int | None:
        """The internal user id of a platform account, or None if never stored."""
        ...

    async def ensure_user(self, platform: str, platform_user_id: str, display_name: str = "") -> int:
        """The internal user id of a platform account, created on first contact."""
        ...


class ActorResolver:
    """Turns an event's platform user into an `Actor` (internal id, chat, moderator or not).

    Moderator status is decided here and nowhere else: the adapter's platform signal
    (`IncomingEvent.is_moderator`: a configured Telegram/console id, a Discord moderator role).
    """

    def __init__(self, users: UserDirectory) -> None:
        self._users = users

    async def __call__(self, event: IncomingEvent) -> Actor:
        """The Actor for `event`; raises what the user store raises (the router answers an apology)."""
        user = event.user
        users = self._users

        async def register() -> int:
            return await users.ensure_user(user.platform, user.id, user.display_name)

        return Actor(
            user_id=await users.find_user(user.platform, user.id),
            platform=user.platform,
            platform_user_id=user.id,
            display_name=user.display_name,
            chat=event.chat,
            is_moderator=event.is_moderator,
            register=register,
        )
