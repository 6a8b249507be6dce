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


@dataclass(frozen=True)
class OwnExperience:
    """A student's own stored experience, as /fix loads it back into the sharing dialog.

    `fields` holds the Experience columns the share flow writes (author_name, linkedin_url, branch,
    roll_number, passout_year, interview_year, role, role_description, source, preparation, reflections,
    outcome, difficulty, rating, anonymous); `rounds` holds dicts of kind, duration_minutes (or None),
    difficulty and questions (list of str), in order. `status` is pending/approved/rejected/hidden.
    """

    id: int
    company_id: int
    company: str
    status: str
    reject_reason: str | None
    fields: dict[str, Any]
    rounds: list[dict[str, Any]]


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

    async def load_own(self, experience_id: int, user_id: int) -> OwnExperience | None:
        """Experience `experience_id` if `user_id` wrote it (None for anyone else's or a missing one)."""
        ...

    async def resubmit(
        self,
        experience_id: int,
        user_id: int,
        fields: dict[str, Any],
        rounds: Sequence[dict[str, Any]],
    ) -> list[str]:
        """Replace the author's experience with an edited submission and send it back to moderation.

        `fields` are Experience columns as in `create_pending` (company_id may be among them); `rounds`
        replace the stored rounds and questions. Returns the names of the fields that differ from the
        stored submission (RESUBMIT_FIELD_NAMES order; "rounds" for any change to rounds or questions).
        With changes: status becomes pending, the reject reason and the masked-data list are cleared and
        the change list is stored for the moderator's card. Without changes nothing is written and the
        list is empty. Raises LookupError when the experience is not `user_id`'s.
        """
        ...


# The names a change list uses for the Experience columns a resubmission may change (review-screen words).
RESUBMIT_FIELD_NAMES: dict[str, str] = {
    "author_name": "name",
    "linkedin_url": "linkedin",
    "branch": "branch",
    "roll_number": "roll number",
    "passout_year": "passout year",
    "company_id": "company",
    "interview_year": "interview year",
    "role": "role",
    "role_description": "role description",
    "source": "source",
    "rounds": "rounds",
    "preparation": "preparation",
    "reflections": "reflections",
    "outcome": "outcome",
    "difficulty": "difficulty",
    "rating": "rating",
    "anonymous": "anonymity",
}
