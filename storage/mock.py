"""Mock-interview storage: question bank, questions seniors were asked, scored attempts, consent."""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from core.repositories.mock import AttemptRow, MockPrompt, MockRepository
from storage.colleges import in_colleges
from storage.models import Experience, Identity, MockAttempt, MockQuestion, Question, Round, User, utcnow
from storage.repos import Sessions

logger = logging.getLogger(__name__)

__all__ = ["ANSWERABLE_ROUNDS", "AttemptRow", "MockPrompt", "MockRepo"]

ANSWERABLE_ROUNDS = ("technical", "hr", "managerial", "group_discussion")


class MockRepo(MockRepository):
    """Questions, attempts and consent for mock interviews (implements core.repositories.mock's port)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def consent(self, user_id: int) -> tuple[bool, bool]:
        """(has consented, keeps videos)."""
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                return False, False
            return user.mock_consent_at is not None, bool((user.settings or {}).get("keep_videos"))

    async def give_consent(self, user_id: int, keep_videos: bool) -> None:
        """Record consent (and whether videos are kept after scoring)."""
        async with self._sessions.begin() as session:
            user = await session.get(User, user_id)
            assert user is not None
            user.mock_consent_at = user.mock_consent_at or utcnow()
            user.settings = {**(user.settings or {}), "keep_videos": keep_videos}

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
        """A question seniors were asked at this company/role if any, else one from the built-in bank."""
        async with self._sessions.begin() as session:
            if company_id is not None:
                query = (
                    select(Question.text, Experience.role)
                    .join(Round, Round.id == Question.round_id)
                    .join(Experience, Experience.id == Question.experience_id)
                    .where(
                        Question.company_id == company_id,
                        Experience.status == "approved",
                        Round.kind.in_(ANSWERABLE_ROUNDS),
                        in_colleges(Experience, colleges),  # the student's college and those sharing
                    )
                )
                if role:
                    query = query.where(func.lower(Experience.role) == role.lower())
                texts = sorted({text for text, _role in (await session.execute(query.limit(2000))).all()})
                rng.shuffle(texts)
                for text in texts:
                    row = await self._question_row(session, text, company_id, role, "experience")
                    if row.id not in exclude:
                        return MockPrompt(row.id, row.text, "experience", None)
            choices = list(bank)
            rng.shuffle(choices)
            for kind, text in choices:
                row = await self._question_row(session, text, None, None, "bank", kind)
                if row.id not in exclude:
                    return MockPrompt(row.id, row.text, "bank", None)
            kind, text = choices[0]
            row = await self._question_row(session, text, None, None, "bank", kind)
            return MockPrompt(row.id, row.text, "bank", None)

    @staticmethod
    async def _question_row(
        session, text: str, company_id: int | None, role: str | None, source: str, kind: str = "technical"
    ) -> MockQuestion:
        found = await session.scalar(
            select(MockQuestion).where(
                MockQuestion.text == text,
                MockQuestion.company_id.is_(None)
                if company_id is None
                else MockQuestion.company_id == company_id,
            )
        )
        if found is not None:
            return found
        row = MockQuestion(company_id=company_id, role=role, kind=kind, source=source, text=text)
        session.add(row)
        await session.flush()
        return row

    async def question_text(self, question_id: int) -> str | None:
        """The text of a mock question."""
        async with self._sessions() as session:
            return await session.scalar(select(MockQuestion.text).where(MockQuestion.id == question_id))

    async def start_attempt(self, user_id: int, question_id: int | None) -> int:
        """A new attempt in status "scoring"."""
        async with self._sessions.begin() as session:
            attempt = MockAttempt(user_id=user_id, question_id=question_id, status="scoring")
            session.add(attempt)
            await session.flush()
            return attempt.id

    async def finish_attempt(self, attempt_id: int, result: dict[str, Any], video_path: str | None) -> None:
        """Store the scorecard and raw measurements of a scored attempt."""
        async with self._sessions.begin() as session:
            attempt = await session.get(MockAttempt, attempt_id)
            assert attempt is not None
            attempt.status = "done"
            attempt.overall = int(result["overall"])
            attempt.scores = dict(result["scores"])
            attempt.metrics = {
                k: v for k, v in result["metrics"].items() if k not in ("samples", "speech_segments")
            }
            attempt.duration_s = result["metrics"].get("duration_s")
            attempt.video_path = video_path

    async def fail_attempt(self, attempt_id: int, reason: str) -> None:
        """Mark an attempt failed with the reason the student was given."""
        async with self._sessions.begin() as session:
            attempt = await session.get(MockAttempt, attempt_id)
            if attempt is not None:
                attempt.status, attempt.error = "failed", reason

    async def fail_scoring(self, attempt_id: int, reason: str) -> bool:
        """Mark an attempt failed with `reason` only if it is still "scoring" (one conditional UPDATE, so a
        scoring that finished meanwhile keeps its scorecard); whether it was."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(MockAttempt)
                .where(MockAttempt.id == attempt_id, MockAttempt.status == "scoring")
                .values(status="failed", error=reason)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def fail_interrupted(self, before: datetime, reason: str) -> list[tuple[str, str]]:
        """Fail the attempts left "scoring" by a stopped process; the students' (platform, user id)."""
        return await self.fail_stuck(before, reason)

    async def fail_stuck(
        self, before: datetime, reason: str, exclude: Collection[int] = ()
    ) -> list[tuple[str, str]]:
        """Fail attempts "scoring" since before `before` except those in `exclude` (being scored now);
        the students' (platform, user id). Rows are locked (FOR UPDATE on PostgreSQL) so two sweeping
        workers never fail and report one attempt twice."""
        async with self._sessions.begin() as session:
            query = select(MockAttempt).where(
                MockAttempt.status == "scoring", MockAttempt.created_at < before
            )
            if exclude:
                query = query.where(MockAttempt.id.not_in(list(exclude)))
            stuck = list(await session.scalars(query.with_for_update(skip_locked=True)))
            for attempt in stuck:
                attempt.status, attempt.error = "failed", reason
            users = {a.user_id for a in stuck}
            if not users:
                return []
            chats = await session.execute(
                select(Identity.platform, Identity.platform_user_id)
                .where(Identity.user_id.in_(users))
                .order_by(Identity.user_id, Identity.platform)
            )
            return [(platform, user) for platform, user in chats]

    async def attempts(self, user_id: int) -> list[AttemptRow]:
        """A student's scored attempts, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(MockAttempt, MockQuestion.text)
                .outerjoin(MockQuestion, MockQuestion.id == MockAttempt.question_id)
                .where(MockAttempt.user_id == user_id, MockAttempt.status == "done")
                .order_by(MockAttempt.created_at, MockAttempt.id)
            )
            return [
                AttemptRow(
                    a.id,
                    a.question_id,
                    text or "(question removed)",
                    a.created_at,
                    a.overall or 0,
                    dict(a.scores),
                )
                for a, text in rows
            ]
