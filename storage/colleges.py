"""The college store (issue #15): colleges, their moderators, linked communities, members and invites."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.repositories.colleges import College, CollegeRepository, CollegeSpec, JoinHow, Placement
from storage.models import College as CollegeRow
from storage.models import CollegeCommunity, CollegeInvite, CollegeMember, CollegeModerator

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]

INVITE_BYTES = 9  # 12 URL-safe characters: fits Telegram's 64-character /start payload with a code


def in_colleges(model: Any, colleges: Sequence[int] | None) -> Any:
    """The WHERE clause keeping `model`'s rows of `colleges` (None: every college, for system jobs)."""
    return true() if colleges is None else model.college_id.in_(list(colleges))


def _record(row: CollegeRow) -> College:
    return College(
        id=row.id,
        code=row.code,
        name=row.name,
        email_domains=tuple(row.email_domains or ()),
        roll_number_pattern=row.roll_number_pattern,
        roll_number_example=row.roll_number_example,
        branches=tuple(row.branches or ()),
        share_across=row.share_across,
        is_default=row.is_default,
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CollegeRepo(CollegeRepository):
    """SQLAlchemy implementation of `CollegeRepository`."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def sync(self, default: CollegeSpec, others: Sequence[CollegeSpec]) -> None:
        """See `CollegeRepository.sync`."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(CollegeRow).where(CollegeRow.is_default))
            if row is None:  # a database built before the default existed cannot happen after 0013
                raise RuntimeError("no default college: run the migrations")
            for spec, target in [(default, row), *[(o, None) for o in others]]:
                if target is None:
                    target = await session.scalar(select(CollegeRow).where(CollegeRow.code == spec.code))
                    if target is None:
                        target = CollegeRow(code=spec.code, is_default=False)
                        session.add(target)
                target.code = spec.code
                target.name = spec.name
                target.email_domains = [d.lower() for d in spec.email_domains]
                target.roll_number_pattern = spec.roll_number_pattern
                target.roll_number_example = spec.roll_number_example
                target.branches = list(spec.branches)
                target.share_across = spec.share_across
                await session.flush()
                for platform, account in spec.moderators:
                    await self._add_moderator(session, target.id, platform, account)

    async def all(self) -> list[College]:
        """See `CollegeRepository.all`."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CollegeRow).order_by(CollegeRow.is_default.desc(), CollegeRow.name, CollegeRow.id)
            )
            return [_record(row) for row in rows]

    async def get(self, college_id: int) -> College | None:
        """See `CollegeRepository.get`."""
        async with self._sessions() as session:
            row = await session.get(CollegeRow, college_id)
            return _record(row) if row is not None else None

    async def by_code(self, code: str) -> College | None:
        """See `CollegeRepository.by_code`."""
        async with self._sessions() as session:
            row = await session.scalar(select(CollegeRow).where(func.lower(CollegeRow.code) == code.lower()))
            return _record(row) if row is not None else None

    async def by_email_domain(self, address_domain: str) -> College | None:
        """See `CollegeRepository.by_email_domain` (a handful of colleges: matched in Python)."""
        wanted = address_domain.lower().strip(".")
        for college in await self.all():
            if any(wanted == d or wanted.endswith("." + d) for d in college.email_domains):
                return college
        return None

    async def place(
        self, platform: str, platform_user_id: str, user_id: int | None, community: str, code: str | None
    ) -> Placement:
        """See `CollegeRepository.place`."""
        async with self._sessions.begin() as session:
            colleges = (
                await session.execute(select(CollegeRow.id, CollegeRow.code, CollegeRow.is_default))
            ).all()
            default_id = next(row.id for row in colleges if row.is_default)
            college_id: int | None = None
            via_community = False
            if code:
                college_id = next((row.id for row in colleges if row.code.lower() == code.lower()), None)
            elif community:
                college_id = await session.scalar(
                    select(CollegeCommunity.college_id).where(
                        CollegeCommunity.platform == platform, CollegeCommunity.community_id == community
                    )
                )
                via_community = college_id is not None
                if college_id is not None and user_id is not None:
                    await self._remember_community_member(session, user_id, college_id)
            elif user_id is not None:
                college_id = await session.scalar(
                    select(CollegeMember.college_id).where(CollegeMember.user_id == user_id)
                )
            if college_id is None and not community:  # a college's moderator moderates there
                college_id = await session.scalar(
                    select(CollegeModerator.college_id)
                    .where(
                        CollegeModerator.platform == platform,
                        CollegeModerator.platform_user_id == platform_user_id,
                    )
                    .order_by(CollegeModerator.id)
                    .limit(1)
                )
            if college_id is None and len(colleges) == 1:
                college_id = default_id
            moderator = False
            if college_id is not None:
                moderator = (
                    await session.scalar(
                        select(CollegeModerator.id).where(
                            CollegeModerator.college_id == college_id,
                            CollegeModerator.platform == platform,
                            CollegeModerator.platform_user_id == platform_user_id,
                        )
                    )
                ) is not None
            return Placement(college_id, moderator, via_community, default_id, len(colleges))

    @staticmethod
    async def _remember_community_member(session: AsyncSession, user_id: int, college_id: int) -> None:
        """A known user writing in a linked community joins its college if they have none yet."""
        if await session.scalar(select(CollegeMember.id).where(CollegeMember.user_id == user_id)) is None:
            session.add(
                CollegeMember(user_id=user_id, college_id=college_id, how="community", verified=False)
            )

    async def link_community(self, platform: str, community_id: str, college_id: int) -> None:
        """See `CollegeRepository.link_community`."""
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(CollegeCommunity).where(
                    CollegeCommunity.platform == platform, CollegeCommunity.community_id == community_id
                )
            )
            if row is None:
                session.add(
                    CollegeCommunity(platform=platform, community_id=community_id, college_id=college_id)
                )
            else:
                row.college_id = college_id
        logger.info("%s community linked to college %s", platform, college_id)

    async def join(self, user_id: int, college_id: int, how: JoinHow, verified: bool) -> None:
        """See `CollegeRepository.join`."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(CollegeMember).where(CollegeMember.user_id == user_id))
            if row is None:
                session.add(CollegeMember(user_id=user_id, college_id=college_id, how=how, verified=verified))
                return
            if row.verified and not verified and row.college_id != college_id:
                raise PermissionError("a verified membership is not replaced by an unverified one")
            row.verified = verified or (row.verified and row.college_id == college_id)
            row.college_id = college_id
            row.how = how

    async def membership(self, user_id: int) -> tuple[int, str, bool] | None:
        """See `CollegeRepository.membership`."""
        async with self._sessions() as session:
            row = await session.scalar(select(CollegeMember).where(CollegeMember.user_id == user_id))
            return (row.college_id, row.how, row.verified) if row is not None else None

    async def add_moderator(self, college_id: int, platform: str, platform_user_id: str) -> None:
        """See `CollegeRepository.add_moderator`."""
        async with self._sessions.begin() as session:
            await self._add_moderator(session, college_id, platform, platform_user_id)

    @staticmethod
    async def _add_moderator(session: AsyncSession, college_id: int, platform: str, account: str) -> None:
        exists = await session.scalar(
            select(CollegeModerator.id).where(
                CollegeModerator.college_id == college_id,
                CollegeModerator.platform == platform,
                CollegeModerator.platform_user_id == account,
            )
        )
        if exists is None:
            session.add(CollegeModerator(college_id=college_id, platform=platform, platform_user_id=account))

    async def moderators(self, college_id: int) -> list[tuple[str, str]]:
        """See `CollegeRepository.moderators`."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(CollegeModerator.platform, CollegeModerator.platform_user_id)
                .where(CollegeModerator.college_id == college_id)
                .order_by(CollegeModerator.id)
            )
            return [(platform, account) for platform, account in rows]

    async def create_invite(self, college_id: int, created_by: int | None) -> str:
        """See `CollegeRepository.create_invite`."""
        token = secrets.token_urlsafe(INVITE_BYTES)
        async with self._sessions.begin() as session:
            session.add(
                CollegeInvite(
                    college_id=college_id, token_hash=_token_hash(token), created_by_user_id=created_by
                )
            )
        return token

    async def redeem_invite(self, code: str, token: str) -> College | None:
        """See `CollegeRepository.redeem_invite`."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(CollegeRow)
                .join(CollegeInvite, CollegeInvite.college_id == CollegeRow.id)
                .where(
                    func.lower(CollegeRow.code) == code.lower(),
                    CollegeInvite.token_hash == _token_hash(token),
                )
            )
            return _record(row) if row is not None else None
