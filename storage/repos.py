"""Async repositories: the only place the core's ports meet SQL."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain.experience import content_hash
from core.repositories.dialogs import DialogKey, DialogRecord, DialogRepository
from core.repositories.experiences import ExperienceRepository, ExperienceSummary
from core.repositories.shared import SharedRepositories
from core.repositories.uow import UnitOfWork
from core.repositories.users import UserRepository
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
class CompanyName:
    """A company with the normalised names it is known by."""

    id: int
    name: str
    aliases: tuple[str, ...]


async def bump_data_version(session: AsyncSession, company_ids: Iterable[int]) -> None:
    """Mark companies' public data as changed, so chart and card caches keyed by data_version refresh."""
    ids = sorted(set(company_ids))
    if ids:
        await session.execute(
            update(Company).where(Company.id.in_(ids)).values(data_version=Company.data_version + 1)
        )


class DialogRepo(DialogRepository):
    """Dialog state per (platform, chat, user), written after every step with a version check.

    Saves are compare-and-set on `version` (`UPDATE ... WHERE key AND version = expected`, or an insert
    that the primary key refuses when another process created the dialog first), so a save never
    overwrites state it did not load.
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def unit(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new unit of work (one transaction) on this repository's database."""
        from storage.uow import SqlUnitOfWork

        return SqlUnitOfWork(self._sessions)

    async def load(self, key: DialogKey) -> DialogRecord | None:
        """Return the stored dialog for a conversation key, if any."""
        async with self._sessions() as session:
            row = await session.get(DialogState, key, populate_existing=True)
            if row is None:
                return None
            updated = row.updated_at
            if updated.tzinfo is None:  # SQLite drops the zone; we always store UTC
                updated = updated.replace(tzinfo=utcnow().tzinfo)
            return DialogRecord(
                row.flow, row.step, dict(row.answers), list(row.history), row.version, updated
            )

    async def save(self, key: DialogKey, record: DialogRecord, expected: int | None) -> bool:
        """Store `record` if the dialog is still at version `expected` (None: if none is stored).

        False when another writer got there first; the caller's transaction is left usable.
        """
        values = {
            "flow": record.flow,
            "step": record.step,
            "answers": record.answers,
            "history": record.history,
            "version": record.version,
            "updated_at": record.updated_at,
        }
        async with self._sessions.begin() as session:
            if expected is not None:
                changed = await session.execute(
                    update(DialogState).where(*_key_is(key), DialogState.version == expected).values(**values)
                )
                return bool(changed.rowcount == 1)  # type: ignore[attr-defined]
            insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            added = await session.execute(
                insert(DialogState)
                .values(platform=key[0], chat_id=key[1], user_id=key[2], **values)
                .on_conflict_do_nothing(index_elements=["platform", "chat_id", "user_id"])
            )
            return bool(added.rowcount == 1)  # type: ignore[attr-defined]

    async def delete(self, key: DialogKey, expected: int | None = None) -> bool:
        """Forget a conversation's dialog (finished, cancelled or expired); with `expected`, only if it is
        still at that version. True when a row was removed."""
        condition = [*_key_is(key)]
        if expected is not None:
            condition.append(DialogState.version == expected)
        async with self._sessions.begin() as session:
            removed = await session.execute(delete(DialogState).where(*condition))
            return bool(removed.rowcount == 1)  # type: ignore[attr-defined]


def _key_is(key: DialogKey) -> list[Any]:
    return [DialogState.platform == key[0], DialogState.chat_id == key[1], DialogState.user_id == key[2]]


MODERATOR_ON = "moderator_on"  # users.settings key: platforms whose moderator signal was last seen true


class UserRepo(UserRepository):
    """Users and their platform identities (implements core.repositories.users.UserRepository)."""

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

    async def find_with_moderator(self, platform: str, platform_user_id: str) -> tuple[int | None, bool]:
        """The user id of a platform account (None if never stored) and whether its platform's moderator
        signal was last seen true (remembered in `users.settings["moderator_on"]`, a list of platforms)."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(User.id, User.settings)
                    .join(Identity, Identity.user_id == User.id)
                    .where(Identity.platform == platform, Identity.platform_user_id == platform_user_id)
                )
            ).first()
        if row is None:
            return None, False
        return row[0], platform in ((row[1] or {}).get(MODERATOR_ON) or [])

    async def remember_moderator(self, user_id: int, platform: str, is_moderator: bool) -> None:
        """Record the platform's moderator signal as last seen (idempotent; users.settings JSON)."""
        async with self._sessions.begin() as session:
            user = await session.get(User, user_id)
            if user is None:
                return
            settings = dict(user.settings or {})
            platforms = set(settings.get(MODERATOR_ON) or [])
            platforms = platforms | {platform} if is_moderator else platforms - {platform}
            if platforms:
                settings[MODERATOR_ON] = sorted(platforms)
            else:
                settings.pop(MODERATOR_ON, None)
            user.settings = settings

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


class ExperienceRepo(ExperienceRepository):
    """Shared experiences with their rounds and questions (core.repositories.experiences' port)."""

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
    ) -> int | None:
        """Store one imported experience with its rounds and questions in one transaction.

        None when it is already stored: same company, roll number and content hash (re-importing a file
        adds nothing twice).
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
            if status == "approved":
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
class Repos(SharedRepositories):
    """The shared repositories over one session factory (core.repositories.shared.SharedRepositories)."""

    dialogs: DialogRepo
    users: UserRepo
    companies: CompanyRepo
    experiences: ExperienceRepo

    @classmethod
    def over(cls, sessions: Sessions) -> Repos:
        """Build every repository on the same session factory."""
        return cls(DialogRepo(sessions), UserRepo(sessions), CompanyRepo(sessions), ExperienceRepo(sessions))
