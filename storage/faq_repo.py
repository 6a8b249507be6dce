"""Questions of a company's approved experiences for the FAQ archive, and moderators' pinned answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.faq import FaqItem
from core.repositories.faq import MAX_QUESTIONS, FaqRepository, PinnedAnswer
from storage.colleges import in_colleges
from storage.models import Experience, Faq, Question, Round

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]

__all__ = ["MAX_QUESTIONS", "FaqRepo", "PinnedAnswer"]


def _same(text: str) -> str:
    return " ".join(text.lower().split()).rstrip("?.! ")


class FaqRepo(FaqRepository):
    """Reads questions for grouping; writes pinned answers (implements core.repositories.faq's port)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def questions(
        self, company_id: int, limit: int = MAX_QUESTIONS, *, colleges: Sequence[int] | None = None
    ) -> list[FaqItem]:
        """The company's questions from approved experiences of `colleges` (newest experiences first), with
        round kinds."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Question.id, Question.text, Round.kind, Question.experience_id)
                .join(Round, Round.id == Question.round_id)
                .join(Experience, Experience.id == Question.experience_id)
                .where(
                    Question.company_id == company_id,
                    Experience.status == "approved",
                    in_colleges(Experience, colleges),
                )
                .order_by(Question.experience_id.desc(), Question.id)
                .limit(limit)
            )
            return [FaqItem(qid, text, kind, eid) for qid, text, kind, eid in rows]

    async def pinned(self, company_id: int, *, colleges: Sequence[int] | None = None) -> list[PinnedAnswer]:
        """Pinned curated answers of a company in `colleges`, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Faq.id, Faq.question, Faq.answer)
                .where(Faq.company_id == company_id, Faq.pinned.is_(True), in_colleges(Faq, colleges))
                .order_by(Faq.id)
            )
            return [PinnedAnswer(*row) for row in rows]

    async def pin(
        self,
        company_id: int,
        question: str,
        answer: str,
        user_id: int | None = None,
        *,
        college_id: int | None = None,
    ) -> bool:
        """Pin (or replace) a college's curated answer to a question; True when it was new."""
        mine = in_colleges(Faq, None if college_id is None else (college_id,))
        async with self._sessions.begin() as session:
            rows = (
                (await session.execute(select(Faq).where(Faq.company_id == company_id, mine))).scalars().all()
            )
            for row in rows:
                if _same(row.question) == _same(question):
                    row.answer, row.pinned = answer, True
                    return False
            session.add(
                Faq(
                    company_id=company_id,
                    question=question,
                    answer=answer,
                    pinned=True,
                    created_by_user_id=user_id,
                    college_id=college_id,
                )
            )
            return True

    async def unpin(self, company_id: int, question: str, *, college_id: int | None = None) -> bool:
        """Unpin a college's curated answer; False when no pinned answer has that question."""
        mine = in_colleges(Faq, None if college_id is None else (college_id,))
        async with self._sessions.begin() as session:
            rows = (
                await session.execute(
                    select(Faq).where(Faq.company_id == company_id, Faq.pinned.is_(True), mine)
                )
            ).scalars()
            for row in rows:
                if _same(row.question) == _same(question):
                    row.pinned = False
                    return True
            return False

    async def count_pinned(self, company_id: int) -> int:
        """How many pinned answers a company has."""
        async with self._sessions() as session:
            return int(
                await session.scalar(
                    select(func.count()).where(Faq.company_id == company_id, Faq.pinned.is_(True))
                )
                or 0
            )
