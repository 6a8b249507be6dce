"""The services features and dialog steps use, gathered in one object the app wires at start."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.companies import CompanyMatcher
from core.config import Config
from core.events import ChatRef
from core.replies import Reply
from core.repositories.moderation import ModerationRepository
from core.repositories.shared import SharedRepositories
from core.repositories.verification import VerificationRepository

logger = logging.getLogger(__name__)

ApprovedHook = Callable[[int], Awaitable[None]]
Push = Callable[[ChatRef, Reply], Awaitable[bool]]


@dataclass
class Services:
    """Config, repositories and shared indexes; passed to steps as `ctx.services`."""

    config: Config
    repos: SharedRepositories
    companies: CompanyMatcher
    clock: Callable[[], datetime]
    moderation: ModerationRepository
    verification: VerificationRepository
    push: Push  # Notifiers.notify: the running adapters
    approved: ApprovedHook  # FeatureRegistry.experience_approved: every feature's on_approved

    def this_year(self) -> int:
        """The current calendar year (UTC), so "never in the future" is testable with a fake clock."""
        return self.clock().year

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a message to a chat outside the current turn; never raises (a failed push is logged)."""
        try:
            return await self.push(chat, reply)
        except Exception:
            logger.exception("could not push a message to %s", chat.platform)
            return False

    async def experience_approved(self, experience_id: int) -> None:
        """Run what must happen once an experience is public (text analytics, cache invalidation)."""
        await self.approved(experience_id)

    def moderator_chats(self) -> list[ChatRef]:
        """Where new submissions and reports are announced (Config.moderator_chats)."""
        return [ChatRef(platform, chat, private) for platform, chat, private in self.config.moderator_chats()]
