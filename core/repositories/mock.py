"""The mock-interview aggregate's port: questions to answer on camera, scored attempts, consent.

The mock feature types against `MockRepository`; `storage.mock.MockRepo` implements it (it subclasses
it). Scoring itself happens in media/ (a process pool); only its result dict is stored here.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MockPrompt:
    """A question to answer on camera and where it came from."""

    id: int
    text: str
    source: str  # "experience" (asked to a senior) or "bank"
    company: str | None


@dataclass(frozen=True)
class AttemptRow:
    """One finished attempt, for progress charts: `overall` and `scores` on the scorer's 0-100 scale."""

    id: int
    question_id: int | None
    question: str
    created_at: datetime
    overall: int
    scores: dict[str, Any]


class MockRepository(Protocol):
    """What the mock feature asks of storage (every method it calls)."""

    async def consent(self, user_id: int) -> tuple[bool, bool]:
        """(has consented to recording, keeps videos after scoring)."""
        ...

    async def give_consent(self, user_id: int, keep_videos: bool) -> None:
        """Record consent (and whether videos are kept after scoring)."""
        ...

    async def pick(
        self,
        bank: list[tuple[str, str]],
        company_id: int | None,
        role: str | None,
        exclude: set[int],
        rng: random.Random,
        *,
        colleges: Sequence[int] | None = None,
    ) -> MockPrompt:
        """A question seniors were asked at this company/role if any, else one from `bank` (kind, text)."""
        ...

    async def start_attempt(self, user_id: int, question_id: int | None) -> int:
        """A new attempt in status "scoring"; its id."""
        ...

    async def finish_attempt(self, attempt_id: int, result: dict[str, Any], video_path: str | None) -> None:
        """Store the scorecard (overall, scores, metrics) of a scored attempt and its kept video's path."""
        ...

    async def fail_attempt(self, attempt_id: int, reason: str) -> None:
        """Mark an attempt failed with the reason the student was given."""
        ...

    async def fail_interrupted(self, before: datetime, reason: str) -> list[tuple[str, str]]:
        """Mark every attempt still "scoring" that was started before `before` failed with `reason`
        (its scoring process is gone); the private chats, as (platform, user id), of those students."""
        ...

    async def fail_scoring(self, attempt_id: int, reason: str) -> bool:
        """Mark an attempt failed with `reason` only if it is still "scoring"; whether it was."""
        ...

    async def fail_stuck(
        self, before: datetime, reason: str, exclude: Collection[int] = ()
    ) -> list[tuple[str, str]]:
        """Like `fail_interrupted`, but attempts whose id is in `exclude` (still being scored somewhere)
        are left alone; the private chats, as (platform, user id), of the students whose were failed."""
        ...

    async def attempts(self, user_id: int) -> list[AttemptRow]:
        """A student's scored attempts, oldest first."""
        ...
