"""Async repositories: the only place the core's ports meet SQL."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain.experience import content_hash
from core.text_norm import normalise_name
from storage.models import (
    Company,
    CompanyAlias,
    DialogState,
    Experience,
    Identity,
    Question,
    Round,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class DialogRecord:
    """A persisted dialog: which flow and step, the answers so far, the undo history and a version."""

    flow: str
    step: str
    answers: dict[str, Any]
    history: list[Any]
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class CompanyName:
    """A company with the normalised names it is known by."""

    id: int
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ExperienceSummary:
    """One line of a student's own posts list."""

    id: int
    company: str
    role: str
    interview_year: int
    status: str
    reject_reason: str | None
    created_at: datetime


async def bump_data_version(session: AsyncSession, company_ids: Iterable[int]) -> None:
    """Mark companies' public data as changed, so chart and card caches keyed by data_version refresh."""
    ids = sorted(set(company_ids))
    if ids:
        await session.execute(
            update(Company).where(Company.id.in_(ids)).values(data_version=Company.data_version + 1)
        )


class DialogRepo:
    """Dialog state per (platform, chat, user), written after every step."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def load(self, key: tuple[str, str, str]) -> DialogRecord | None:
        """Return the stored dialog for a conversation key, if any."""
        async with self._sessions() as session:
            row = await session.get(DialogState, key)
            if row is None:
                return None
            updated = row.updated_at
            if updated.tzinfo is None:  # SQLite drops the zone; we always store UTC
                updated = updated.replace(tzinfo=utcnow().tzinfo)
            return DialogRecord(
                row.flow, row.step, dict(row.answers), list(row.history), row.version, updated
            )

    async def save(self, key: tuple[str, str, str], record: DialogRecord) -> None:
        """Insert or replace the dialog state of a conversation."""
        async with self._sessions.begin() as session:
            row = await session.get(DialogState, key)
            if row is None:
                row = DialogState(platform=key[0], chat_id=key[1], user_id=key[2])
                session.add(row)
            row.flow, row.step = record.flow, record.step
            row.answers, row.history = record.answers, record.history
            row.version, row.updated_at = record.version, record.updated_at

    async def delete(self, key: tuple[str, str, str]) -> None:
        """Forget a conversation's dialog (finished, cancelled or expired)."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(DialogState).where(
                    DialogState.platform == key[0],
                    DialogState.chat_id == key[1],
                    DialogState.user_id == key[2],
                )
            )


class UserRepo:
    """Users and their platform identities."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def ensure_user(self, platform: str, platform_user_id: str, display_name: str = "") -> int:
        """Return the user id for a platform account, creating user and identity on first contact."""
        async with self._sessions.begin() as session:
            found = await self._find(session, platform, platform_user_id)
            if found is not None:
                return found
            user = User(display_name=display_name[:80])
            session.add(user)
            await session.flush()
            session.add(
                Identity(
                    user_id=user.id,
                    platform=platform,
                    platform_user_id=platform_user_id,
                    username=display_name[:80],
                )
            )
            try:
                await session.flush()
            except IntegrityError:  # a concurrent first message created it: use that one
                await session.rollback()
                async with self._sessions() as again:
                    found = await self._find(again, platform, platform_user_id)
                    assert found is not None
                    return found
            return user.id

    async def find_user(self, platform: str, platform_user_id: str) -> int | None:
        """Return the user id of a platform account, or None if it never talked to the bot."""
        async with self._sessions() as session:
            return await self._find(session, platform, platform_user_id)

    @staticmethod
    async def _find(session: AsyncSession, platform: str, platform_user_id: str) -> int | None:
        return await session.scalar(
            select(Identity.user_id).where(
                Identity.platform == platform, Identity.platform_user_id == platform_user_id
            )
        )


class CompanyRepo:
    """Companies and the aliases students type for them."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def all_names(self) -> list[CompanyName]:
        """Every company with its aliases, for in-memory fuzzy matching."""
        async with self._sessions() as session:
            companies = (await session.execute(select(Company.id, Company.name).order_by(Company.id))).all()
            aliases: dict[int, list[str]] = {}
            for company_id, alias in await session.execute(
                select(CompanyAlias.company_id, CompanyAlias.alias)
            ):
                aliases.setdefault(company_id, []).append(alias)
        return [CompanyName(cid, name, tuple(aliases.get(cid, ()))) for cid, name in companies]

    async def get_or_create(self, name: str) -> int:
        """Return the id of the company with this (normalised) name, creating it if new."""
        slug = normalise_name(name)
        async with self._sessions() as session:
            existing = await session.scalar(select(Company.id).where(Company.slug == slug))
            if existing is not None:
                return existing
            company = Company(name=name.strip()[:120], slug=slug)
            session.add(company)
            try:
                await session.commit()
                return company.id
            except IntegrityError:  # another student added the same company at the same moment
                await session.rollback()
        async with self._sessions() as session:
            found = await session.scalar(select(Company.id).where(Company.slug == slug))
            assert found is not None
            return found

    async def add_alias(self, company_id: int, alias: str) -> None:
        """Record another name for a company (ignored if it is already known)."""
        normalised = normalise_name(alias)
        async with self._sessions.begin() as session:
            if await session.scalar(select(CompanyAlias.id).where(CompanyAlias.alias == normalised)) is None:
                session.add(CompanyAlias(company_id=company_id, alias=normalised))

    async def most_shared(self, limit: int) -> list[int]:
        """Ids of the companies with the most published experiences, most first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Company.id)
                .join(Experience, Experience.company_id == Company.id)
                .where(Experience.status == "approved")
                .group_by(Company.id, Company.name)
                .order_by(func.count(Experience.id).desc(), Company.name)
                .limit(limit)
            )
            return [company_id for (company_id,) in rows]

    async def name_of(self, company_id: int) -> str | None:
        """The display name of a company."""
        async with self._sessions() as session:
            return await session.scalar(select(Company.name).where(Company.id == company_id))


class ExperienceRepo:
    """Shared experiences with their rounds and questions."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def create_pending(
        self,
        user_id: int,
        company_id: int,
        platform: str,
        fields: dict[str, Any],
        rounds: Sequence[dict[str, Any]],
    ) -> int:
        """Store a submitted experience as pending moderation; return its id."""
        async with self._sessions.begin() as session:
            experience = Experience(
                user_id=user_id, company_id=company_id, platform=platform, status="pending", **fields
            )
            session.add(experience)
            await session.flush()
            for position, spec in enumerate(rounds, start=1):
                round_row = Round(
                    experience_id=experience.id,
                    position=position,
                    kind=spec["kind"],
                    duration_minutes=spec.get("duration_minutes"),
                    difficulty=spec["difficulty"],
                )
                session.add(round_row)
                await session.flush()
                for q_position, text in enumerate(spec.get("questions", []), start=1):
                    session.add(
                        Question(
                            round_id=round_row.id,
                            experience_id=experience.id,
                            company_id=company_id,
                            position=q_position,
                            text=text,
                            normalized=" ".join(text.lower().split()),
                        )
                    )
            return experience.id

    async def store_imported(
        self,
        company_id: int,
        fields: dict[str, Any],
        rounds: list[dict[str, Any]],
        status: str,
        now: datetime,
        *,
        bump: bool = True,
        dry_run: bool = False,
    ) -> int | None:
        """Store one imported experience with its rounds and questions in one transaction.

        None when it is already stored: same company, roll number and content hash (re-importing a file
        adds nothing twice). `bump=False` leaves the company's data_version alone (a bulk import bumps
        each company once when its analysis is stored); `dry_run` only checks and returns 0 for a new row.
        """
        questions = [q for spec in rounds for q in spec["questions"]]
        digest = content_hash([fields["preparation"], fields["reflections"], *questions])
        roll = fields["roll_number"]
        async with self._sessions.begin() as session:
            same = select(Experience.id).where(
                Experience.company_id == company_id,
                Experience.content_hash == digest,
                Experience.roll_number.is_(None) if roll is None else Experience.roll_number == roll,
            )
            if await session.scalar(same.limit(1)) is not None:
                return None
            if dry_run:
                return 0
            experience = Experience(
                user_id=None,
                company_id=company_id,
                platform="import",
                status=status,
                content_hash=digest,
                created_at=now,
                approved_at=now if status == "approved" else None,
                **fields,
            )
            session.add(experience)
            await session.flush()
            for position, spec in enumerate(rounds, start=1):
                round_row = Round(
                    experience_id=experience.id,
                    position=position,
                    kind=spec["kind"],
                    duration_minutes=spec["duration_minutes"],
                    difficulty=spec["difficulty"],
                )
                session.add(round_row)
                await session.flush()
                for q_position, text in enumerate(spec["questions"], start=1):
                    session.add(
                        Question(
                            round_id=round_row.id,
                            experience_id=experience.id,
                            company_id=company_id,
                            position=q_position,
                            text=text,
                            normalized=" ".join(text.lower().split()),
                        )
                    )
            if status == "approved" and bump:
                await bump_data_version(session, [company_id])
            return experience.id

    async def list_by_user(
        self, user_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[ExperienceSummary]:
        """A student's own experiences, newest first, with their moderation status."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Experience.id,
                    Company.name,
                    Experience.role,
                    Experience.interview_year,
                    Experience.status,
                    Experience.reject_reason,
                    Experience.created_at,
                )
                .join(Company, Company.id == Experience.company_id)
                .where(Experience.user_id == user_id)
                .order_by(Experience.created_at.desc(), Experience.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [ExperienceSummary(*row) for row in rows]

    async def count_by_user(self, user_id: int) -> int:
        """How many experiences a student has shared."""
        async with self._sessions() as session:
            return (
                await session.scalar(
                    select(func.count()).select_from(Experience).where(Experience.user_id == user_id)
                )
                or 0
            )


@dataclass
class Repos:
    """All repositories over one session factory."""

    dialogs: DialogRepo
    users: UserRepo
    companies: CompanyRepo
    experiences: ExperienceRepo

    @classmethod
    def over(cls, sessions: Sessions) -> Repos:
        """Build every repository on the same session factory."""
        return cls(DialogRepo(sessions), UserRepo(sessions), CompanyRepo(sessions), ExperienceRepo(sessions))
