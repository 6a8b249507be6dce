"""The FAQ aggregate's port: a company's questions for grouping, and moderators' pinned answers.

The FAQ feature types against `FaqRepository`; `storage.faq_repo.FaqRepo` implements it (it subclasses
it). Grouping the questions across wordings is pure analytics (core/analytics/faq.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from core.analytics.faq import FaqItem

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 20_000  # newest questions grouped per company (the archive of a huge company stays fast)


@dataclass(frozen=True)
class PinnedAnswer:
    """A curated answer a moderator pinned to a company's FAQ."""

    id: int
    question: str
    answer: str


class FaqRepository(Protocol):
    """What the FAQ feature asks of storage (every method it calls)."""

    async def questions(
        self, company_id: int, limit: int = MAX_QUESTIONS, *, colleges: Sequence[int] | None = None
    ) -> list[FaqItem]:
        """The company's questions from approved experiences of `colleges` (None: any; newest experiences
        first), with round kinds."""
        ...

    async def pinned(self, company_id: int, *, colleges: Sequence[int] | None = None) -> list[PinnedAnswer]:
        """Pinned curated answers of a company in `colleges` (None: any), oldest first."""
        ...

    async def pin(
        self,
        company_id: int,
        question: str,
        answer: str,
        user_id: int | None = None,
        *,
        college_id: int | None = None,
    ) -> bool:
        """Pin (or replace) a college's answer to a question (matched ignoring case and end marks; None:
        the default college); True if new."""
        ...

    async def unpin(self, company_id: int, question: str, *, college_id: int | None = None) -> bool:
        """Unpin a college's curated answer (None: any college's); False when none has that question."""
        ...
