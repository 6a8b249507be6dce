"""The services features and dialog steps use, gathered in one object the app wires at start."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.companies import CompanyMatcher
from core.config import Config, SubmissionConfig
from core.events import ChatRef
from core.replies import Reply
from core.repositories.colleges import College
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
    # Every college by id, read once at start after config.yaml's colleges were synced (core.app).
    colleges: dict[int, College] = field(default_factory=dict)

    def submission_for(self, college_id: int | None) -> SubmissionConfig:
        """The sharing rules of a college: config.yaml's `submission`, with the college's own roll-number
        pattern and example and its branches where it sets them (issue #15: a college's rules)."""
        base = self.config.submission
        college = self.colleges.get(college_id) if college_id is not None else None
        if college is None:
            return base
        changes: dict[str, object] = {}
        if college.roll_number_pattern:
            changes["roll_number_pattern"] = college.roll_number_pattern
            changes["roll_number_example"] = college.roll_number_example
        if college.branches:
            changes["branches"] = list(college.branches)
        return base.model_copy(update=changes) if changes else base

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
