"""The moderation aggregate's port: the experience review queue, decisions, reports, votes, reputation.

The moderation feature, the share flow (spam limit, trusted contributors) and /verifyuser type against
`ModerationRepository`; `storage.moderation.ModerationRepo` implements it (it subclasses it). Threads,
posts and resources are moderated through the community port instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.repositories.users import Recipient

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("role", "role_description", "preparation", "reflections", "interview_year", "company")


@dataclass(frozen=True)
class ExperienceCard:
    """What a moderator needs to decide on an experience (includes the private roll number).

    `rounds` holds (round kind, its questions) in order; `duplicates` holds (experience id, similarity
    in percent, a rapidfuzz ratio) of likely near-duplicates.
    """

    id: int
    status: str
    company: str
    role: str
    author_name: str
    anonymous: bool
    roll_number: str | None
    branch: str
    passout_year: int
    interview_year: int
    source: str
    outcome: str
    rounds: list[tuple[str, list[str]]]
    preparation: str
    reflections: str
    report_count: int
    reports: list[str]
    verified: bool
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    # Kinds of personal data (core.analytics.extract.PERSONAL_KINDS) that publishing would mask in the
    # text as it is now, and those masked when it was published (stored; empty while pending).
    to_mask: tuple[str, ...] = ()
    masked: tuple[str, ...] = ()
    # The fields the author changed when resubmitting it from /fix (RESUBMIT_FIELD_NAMES words); empty
    # for a first submission and once a moderator has decided.
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The result of approving/rejecting an experience: who to tell, about which company."""

    experience_id: int
    company: str
    status: str
    author: Recipient | None


class ModerationRepository(Protocol):
    """What the core asks of the experience moderation store (every method it calls)."""

    async def pending_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """How many experiences of `colleges` (None: every college) wait for a moderator (new or hidden
        after reports)."""
        ...

    async def next_in_queue(self, after_id: int = 0, *, colleges: Sequence[int] | None = None) -> int | None:
        """The oldest waiting experience of `colleges` with id > after_id (wrapping to the start); None if
        none waits."""
        ...

    async def card(
        self, experience_id: int, *, colleges: Sequence[int] | None = None
    ) -> ExperienceCard | None:
        """Everything a moderator sees about one experience, with likely duplicates of its college; None
        when it does not exist or is not in `colleges` (the two are not told apart)."""
        ...

    async def decide(
        self,
        experience_id: int,
        moderator_user_id: int | None,
        approve: bool,
        reason: str = "",
        *,
        colleges: Sequence[int] | None = None,
    ) -> Decision | None:
        """Approve or reject a waiting experience of `colleges` (logged; None moderator: automatic); None
        if it is not waiting there."""
        ...

    async def edit(
        self,
        experience_id: int,
        moderator_user_id: int,
        field_name: str,
        value: str | int,
        *,
        colleges: Sequence[int] | None = None,
    ) -> bool:
        """Correct one of EDITABLE_FIELDS of an experience of `colleges` (logged); False if it does not
        exist there."""
        ...

    async def report(
        self, reporter_user_id: int, target_type: str, target_id: int, reason: str, hide_at: int
    ) -> tuple[bool, bool]:
        """Record a report, one per user and target; (recorded, now hidden after `hide_at` reports)."""
        ...

    async def vote_helpful(self, user_id: int, target_type: str, target_id: int) -> tuple[str, int]:
        """Mark a post helpful; (outcome ok/own/duplicate/missing, helpful count)."""
        ...

    async def submissions_since(self, user_id: int, since: datetime) -> int:
        """How many experiences a user submitted since a moment (the spam limit)."""
        ...

    async def reputation(self, user_id: int) -> int:
        """A user's reputation points."""
        ...

    async def leaderboard(
        self, limit: int = 10, *, colleges: Sequence[int] | None = None
    ) -> list[tuple[str, int, list[str]]]:
        """Top users as (public name, points, badges); users who only posted anonymously stay anonymous.
        With `colleges`, only contributors with a published experience there (a student's points are
        earned in their own college), named from those experiences."""
        ...

    async def award_monthly_top(self, month_start: datetime) -> int | None:
        """Badge the top contributor of the month before `month_start`; their user id, None if nobody."""
        ...

    async def recipient_of(self, user_id: int | None, platform: str) -> Recipient | None:
        """Where to reach a user privately, preferring the platform given."""
        ...
