"""Moderation queue, decisions, reports, helpful votes and reputation: the trust layer's storage."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core.analytics.text import ExperienceText
from core.repositories.moderation import EDITABLE_FIELDS, Decision, ExperienceCard, ModerationRepository
from core.repositories.users import Recipient
from storage.analysis import Author, mask_experience_text, mask_in, remask_in
from storage.colleges import in_colleges
from storage.models import (
    Experience,
    Identity,
    ModerationLog,
    Report,
    Round,
    User,
    UserBadge,
    Vote,
    utcnow,
)
from storage.repos import Sessions, bump_data_version

logger = logging.getLogger(__name__)

EXPERIENCE_POINTS = 10
HELPFUL_POINTS = 2
NEAR_DUPLICATE = 90  # rapidfuzz ratio at or above which two experiences are flagged as near-duplicates

__all__ = [
    "EDITABLE_FIELDS",
    "EXPERIENCE_POINTS",
    "HELPFUL_POINTS",
    "NEAR_DUPLICATE",
    "Decision",
    "ExperienceCard",
    "ModerationRepo",
    "Recipient",
    "experience_text",
    "find_recipient",
]


def experience_text(experience: Experience) -> str:
    """An experience's free text (preparation, reflections, questions) for similarity checks."""
    questions = [q.text for r in experience.rounds for q in r.questions]
    return " ".join([experience.preparation, experience.reflections, *questions]).lower()


async def find_recipient(session: AsyncSession, user_id: int | None, platform: str) -> Recipient | None:
    """A user's private chat, preferring their identity on `platform` (else their oldest one)."""
    if user_id is None:
        return None
    identities = (
        await session.execute(
            select(Identity.platform, Identity.platform_user_id)
            .where(Identity.user_id == user_id)
            .order_by(Identity.id)
        )
    ).all()
    preferred = [i for i in identities if i[0] == platform] or list(identities)
    return Recipient(*preferred[0]) if preferred else None


class ModerationRepo(ModerationRepository):
    """Queue, decisions, reports and votes (implements core.repositories.moderation.ModerationRepository)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def pending_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """How many experiences wait for a moderator (new or hidden after reports) in `colleges`."""
        async with self._sessions() as session:
            return (
                await session.scalar(
                    select(func.count())
                    .select_from(Experience)
                    .where(Experience.status.in_(("pending", "hidden")), in_colleges(Experience, colleges))
                )
                or 0
            )

    async def next_in_queue(self, after_id: int = 0, *, colleges: Sequence[int] | None = None) -> int | None:
        """The oldest experience of `colleges` waiting for review with id > after_id (wrapping around)."""
        async with self._sessions() as session:
            waiting = (
                select(Experience.id)
                .where(Experience.status.in_(("pending", "hidden")), in_colleges(Experience, colleges))
                .order_by(Experience.id)
            )
            found = await session.scalar(waiting.where(Experience.id > after_id).limit(1))
            return found if found is not None else await session.scalar(waiting.limit(1))

    async def card(
        self, experience_id: int, *, colleges: Sequence[int] | None = None
    ) -> ExperienceCard | None:
        """Everything a moderator sees about one experience of `colleges`, with likely duplicates."""
        async with self._sessions() as session:
            experience = await self._load(session, experience_id, colleges)
            if experience is None:
                return None
            reports = (
                await session.scalars(
                    select(Report.reason).where(
                        Report.target_type == "experience", Report.target_id == experience_id
                    )
                )
            ).all()
            duplicates = await self._duplicates(session, experience)
            text = ExperienceText(
                role=experience.role,
                role_description=experience.role_description,
                preparation=experience.preparation,
                reflections=experience.reflections,
                questions=[(r.kind, q.text) for r in experience.rounds for q in r.questions],
            )
            author = Author(
                experience.author_name, experience.roll_number, experience.linkedin_url, experience.anonymous
            )
            _, to_mask = mask_experience_text(text, author)
            return ExperienceCard(
                id=experience.id,
                status=experience.status,
                company=experience.company.name,
                role=experience.role,
                author_name=experience.author_name,
                anonymous=experience.anonymous,
                roll_number=experience.roll_number,
                branch=experience.branch,
                passout_year=experience.passout_year,
                interview_year=experience.interview_year,
                source=experience.source,
                outcome=experience.outcome,
                rounds=[(r.kind, [q.text for q in r.questions]) for r in experience.rounds],
                preparation=experience.preparation,
                reflections=experience.reflections,
                report_count=experience.report_count,
                reports=list(reports),
                verified=experience.verified,
                duplicates=duplicates,
                to_mask=to_mask,
                masked=tuple(experience.masked_personal_data or ()),
                changed=tuple(experience.resubmit_changes or ()) if experience.status == "pending" else (),
            )

    async def _duplicates(self, session: AsyncSession, experience: Experience) -> list[tuple[int, int]]:
        others = (
            await session.scalars(
                select(Experience)
                .options(selectinload(Experience.rounds).selectinload(Round.questions))
                .where(
                    Experience.company_id == experience.company_id,
                    Experience.college_id == experience.college_id,  # what this moderator may open
                    Experience.id != experience.id,
                    Experience.status != "rejected",
                )
                .order_by(Experience.id.desc())
                .limit(200)
            )
        ).all()
        mine = experience_text(experience)
        found = []
        for other in others:
            if experience.content_hash and other.content_hash == experience.content_hash:
                found.append((other.id, 100))
                continue
            score = int(fuzz.ratio(mine, experience_text(other)))
            if score >= NEAR_DUPLICATE:
                found.append((other.id, score))
        return sorted(found, key=lambda pair: -pair[1])[:3]

    @staticmethod
    async def _load(
        session: AsyncSession, experience_id: int, colleges: Sequence[int] | None = None
    ) -> Experience | None:
        return await session.scalar(
            select(Experience)
            .options(
                selectinload(Experience.company),
                selectinload(Experience.rounds).selectinload(Round.questions),
            )
            .where(Experience.id == experience_id, in_colleges(Experience, colleges))
        )

    async def decide(
        self,
        experience_id: int,
        moderator_user_id: int | None,
        approve: bool,
        reason: str = "",
        *,
        colleges: Sequence[int] | None = None,
    ) -> Decision | None:
        """Approve or reject a waiting experience of `colleges`; None if it is not waiting there (another
        moderator was first, or it belongs to another college: the caller cannot tell which)."""
        status = "approved" if approve else "rejected"
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(Experience)
                .where(
                    Experience.id == experience_id,
                    Experience.status.in_(("pending", "hidden")),
                    in_colleges(Experience, colleges),
                )
                .values(
                    status=status,
                    reject_reason=None if approve else reason,
                    approved_at=utcnow() if approve else None,
                )
            )
            if changed.rowcount != 1:
                return None
            experience = await self._load(session, experience_id)
            assert experience is not None
            if approve:
                await mask_in(session, [experience_id])  # public from this commit on: masked in it
                await bump_data_version(session, [experience.company_id])
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="experience",
                    target_id=experience_id,
                    action=status,
                    reason=reason,
                )
            )
            if approve and experience.user_id is not None:
                await self._reward(session, experience.user_id, EXPERIENCE_POINTS)
                await self._award_share_badges(session, experience.user_id)
            author = await find_recipient(session, experience.user_id, experience.platform)
            return Decision(experience_id, experience.company.name, status, author)

    async def edit(
        self,
        experience_id: int,
        moderator_user_id: int,
        field_name: str,
        value: str | int,
        *,
        colleges: Sequence[int] | None = None,
    ) -> bool:
        """A moderator corrects one field of an experience (logged).

        On a published experience the new text is masked at once and the experience re-analysed and
        re-indexed (storage.analysis.remask_in), so an edit neither brings personal data back nor leaves
        the old wording in search.
        """
        if field_name not in EDITABLE_FIELDS:
            raise ValueError(f"{field_name} cannot be edited")
        async with self._sessions.begin() as session:
            experience = await session.get(Experience, experience_id)
            if experience is None or (colleges is not None and experience.college_id not in colleges):
                return False
            if field_name == "company":
                experience.company_id = int(value)
            else:
                setattr(experience, field_name, value)
            if experience.status == "approved":
                await remask_in(session, [experience_id])
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="experience",
                    target_id=experience_id,
                    action=f"edit:{field_name}",
                )
            )
            return True

    async def report(
        self, reporter_user_id: int, target_type: str, target_id: int, reason: str, hide_at: int
    ) -> tuple[bool, bool]:
        """Record a report; returns (recorded, now_hidden). One report per user and target."""
        async with self._sessions() as session:
            session.add(
                Report(
                    reporter_user_id=reporter_user_id,
                    target_type=target_type,
                    target_id=target_id,
                    reason=reason,
                )
            )
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                return False, False
            experience = await session.get(Experience, target_id) if target_type == "experience" else None
            hidden = False
            if experience is not None:
                experience.report_count += 1
                if experience.report_count >= hide_at and experience.status == "approved":
                    experience.status = "hidden"
                    hidden = True
                    await bump_data_version(session, [experience.company_id])
            await session.commit()
            return True, hidden

    async def vote_helpful(self, user_id: int, target_type: str, target_id: int) -> tuple[str, int]:
        """Mark a post helpful; returns (outcome, helpful count): outcome is ok, own, duplicate or missing."""
        async with self._sessions() as session:
            experience = await session.get(Experience, target_id) if target_type == "experience" else None
            if experience is None or experience.status != "approved":
                return "missing", 0
            count, author = experience.helpful_count, experience.user_id
            if author == user_id:
                return "own", count
            session.add(Vote(user_id=user_id, target_type=target_type, target_id=target_id))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                return "duplicate", count
            experience.helpful_count += 1
            if experience.user_id is not None:
                await self._reward(session, experience.user_id, HELPFUL_POINTS)
            await session.commit()
            return "ok", experience.helpful_count

    async def submissions_since(self, user_id: int, since: datetime) -> int:
        """How many experiences a user submitted since a moment (spam limit)."""
        async with self._sessions() as session:
            return (
                await session.scalar(
                    select(func.count())
                    .select_from(Experience)
                    .where(Experience.user_id == user_id, Experience.created_at >= since)
                )
                or 0
            )

    async def reputation(self, user_id: int) -> int:
        """A user's reputation points."""
        async with self._sessions() as session:
            return await session.scalar(select(User.reputation).where(User.id == user_id)) or 0

    async def leaderboard(
        self, limit: int = 10, *, colleges: Sequence[int] | None = None
    ) -> list[tuple[str, int, list[str]]]:
        """Top users by reputation as (public name, points, badges); only-anonymous users stay anonymous.
        With `colleges`: contributors with a published experience there, named from those experiences."""
        async with self._sessions() as session:
            query = select(User.id, User.reputation).where(User.reputation > 0)
            if colleges is not None:
                contributed = select(Experience.id).where(
                    Experience.user_id == User.id,
                    Experience.status == "approved",
                    in_colleges(Experience, colleges),
                )
                query = query.where(contributed.exists())
            users = (
                await session.execute(query.order_by(User.reputation.desc(), User.id).limit(limit))
            ).all()
            rows = []
            for user_id, points in users:
                named = select(Experience.author_name).where(
                    Experience.user_id == user_id,
                    Experience.anonymous.is_(False),
                    Experience.status == "approved",
                )
                if colleges is not None:
                    named = named.where(in_colleges(Experience, colleges))
                public = await session.scalar(named.limit(1))
                badges = (
                    await session.scalars(select(UserBadge.badge).where(UserBadge.user_id == user_id))
                ).all()
                rows.append((public or "Anonymous contributor", points, sorted(badges)))
            return rows

    async def award_monthly_top(self, month_start: datetime) -> int | None:
        """Give "top contributor" of the month before `month_start` to whoever had most approvals then."""
        previous_start = (month_start - timedelta(days=1)).replace(day=1)
        badge = f"top_contributor_{previous_start:%Y_%m}"
        async with self._sessions.begin() as session:
            top = (
                await session.execute(
                    select(Experience.user_id, func.count())
                    .where(
                        Experience.status == "approved",
                        Experience.user_id.is_not(None),
                        Experience.approved_at >= previous_start,
                        Experience.approved_at < month_start,
                    )
                    .group_by(Experience.user_id)
                    .order_by(func.count().desc(), Experience.user_id)
                    .limit(1)
                )
            ).first()
            if top is None:
                return None
            exists = await session.scalar(select(UserBadge.id).where(UserBadge.badge == badge))
            if exists is None:
                session.add(UserBadge(user_id=top[0], badge=badge))
            return top[0]

    @staticmethod
    async def _reward(session: AsyncSession, user_id: int, points: int) -> None:
        await session.execute(
            update(User).where(User.id == user_id).values(reputation=User.reputation + points)
        )

    @staticmethod
    async def _award_share_badges(session: AsyncSession, user_id: int) -> None:
        approved = (
            await session.scalar(
                select(func.count())
                .select_from(Experience)
                .where(Experience.user_id == user_id, Experience.status == "approved")
            )
            or 0
        )
        have = set((await session.scalars(select(UserBadge.badge).where(UserBadge.user_id == user_id))).all())
        for badge, needed in (("first_share", 1), ("five_shares", 5)):
            if approved >= needed and badge not in have:
                session.add(UserBadge(user_id=user_id, badge=badge))

    async def recipient_of(self, user_id: int | None, platform: str) -> Recipient | None:
        """Where to reach a user privately, preferring the platform they used."""
        async with self._sessions() as session:
            return await find_recipient(session, user_id, platform)
