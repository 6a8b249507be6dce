"""The experiences aggregate's port: storing shared and imported experiences, listing a student's own.

`storage.repos.ExperienceRepo` implements `ExperienceRepository` (it subclasses it). Moderation of
experiences (approve, reject, edit, report) is the moderation aggregate's (core/repositories/moderation.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExperienceSummary:
    """One line of a student's own posts list (/myposts); `status` is pending/approved/rejected/hidden."""

    id: int
    company: str
    role: str
    interview_year: int
    status: str
    reject_reason: str | None
    created_at: datetime


class ExperienceRepository(Protocol):
    """What the share flow, the importer, /myposts and /mydata ask of the experience store."""

    async def create_pending(
        self,
        user_id: int,
        company_id: int,
        platform: str,
        fields: dict[str, Any],
        rounds: Sequence[dict[str, Any]],
    ) -> int:
        """Store a submitted experience (Experience columns in `fields`) as pending moderation; its id."""
        ...

    async def store_imported(
        self,
        company_id: int,
        fields: dict[str, Any],
        rounds: list[dict[str, Any]],
        status: str,
        now: datetime,
    ) -> int | None:
        """Store one imported experience with its rounds; None when the same one is already stored."""
        ...

    async def list_by_user(
        self, user_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[ExperienceSummary]:
        """A student's own experiences, newest first, with their moderation status."""
        ...

    async def count_by_user(self, user_id: int) -> int:
        """How many experiences a student has shared."""
        ...
