"""Async repositories: the only place the core's ports meet SQL."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased, selectinload

from core.domain.experience import content_hash
from core.repositories.companies import CompanyError, CompanyRepository, MergeResult
from core.repositories.companies import CompanyName as CompanyName
from core.repositories.dialogs import DialogKey, DialogRecord, DialogRepository
from core.repositories.experiences import (
    RESUBMIT_FIELD_NAMES,
    ExperienceRepository,
    ExperienceSummary,
    OwnExperience,
)
from core.repositories.shared import SharedRepositories
from core.repositories.uow import UnitOfWork
from core.repositories.users import UserRepository
from core.text_norm import fold_words, normalise_name
from storage.colleges import CollegeRepo
from storage.models import (
    Company,
    CompanyAlias,
    DialogState,
    Experience,
    Faq,
    Identity,
    MockQuestion,
    ModerationLog,
    Question,
    Resource,
    Round,
    Subscription,
    Thread,
    User,
    utcnow,
)
from storage.search import load_docs, store_docs

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]


async def add_rounds(
    session: AsyncSession, experience_id: int, company_id: int, rounds: Iterable[dict[str, Any]]
) -> None:
    """Store an experience's rounds in order, each with its questions in order (one flush per round)."""
    for position, spec in enumerate(rounds, start=1):
        round_row = Round(
            experience_id=experience_id,
            position=position,
            kind=spec["kind"],
            duration_minutes=spec.get("duration_minutes"),
            difficulty=spec.get("difficulty"),
        )
        session.add(round_row)
        await session.flush()
        for q_position, wording in enumerate(spec.get("questions", []), start=1):
            session.add(
                Question(
                    round_id=round_row.id,
                    experience_id=experience_id,
                    company_id=company_id,
                    position=q_position,
                    text=wording,
                    normalized=" ".join(wording.lower().split()),
                )
            )


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
            row = (await session.execute(_LOAD, _key_params(key))).first()
        if row is None:
            return None
        return dialog_record(row.flow, row.step, row.answers, row.history, row.version, row.updated_at)

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
                bound = {f"v_{name}": value for name, value in values.items()}
                changed = await session.execute(_SAVE, {**bound, **_key_params(key), "k_expected": expected})
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


def dialog_record(
    flow: str, step: str, answers: Any, history: Any, version: int, updated: datetime
) -> DialogRecord:
    """A stored dialog row's values as the core's DialogRecord (updated_at always aware UTC)."""
    if updated.tzinfo is None:  # SQLite drops the zone; we always store UTC
        updated = updated.replace(tzinfo=utcnow().tzinfo)
    return DialogRecord(flow, step, dict(answers or {}), list(history or []), version, updated)


def _key_params(key: DialogKey) -> dict[str, str]:
    return {"k_platform": key[0], "k_chat": key[1], "k_user": key[2]}


# The hot path's dialog statements, built once (issue 14) as Core statements on the table (no ORM
# work per call): the key, the expected version and the values are bound per call.
_DIALOGS = DialogState.__table__
_KEY_IS = (
    _DIALOGS.c.platform == bindparam("k_platform"),
    _DIALOGS.c.chat_id == bindparam("k_chat"),
    _DIALOGS.c.user_id == bindparam("k_user"),
)
_FIELDS = ("flow", "step", "answers", "history", "version", "updated_at")
_LOAD = select(*(_DIALOGS.c[name] for name in _FIELDS)).where(*_KEY_IS)
_SAVE = (
    update(_DIALOGS)
    .where(*_KEY_IS, _DIALOGS.c.version == bindparam("k_expected"))
    .values({name: bindparam(f"v_{name}", type_=_DIALOGS.c[name].type) for name in _FIELDS})
)


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


# Every table with a company_id column: what a merge re-points (aliases are moved the same way).
COMPANY_ROWS = {
    "experiences": Experience.company_id,
    "questions": Question.company_id,
    "threads": Thread.company_id,
    "resources": Resource.company_id,
    "faqs": Faq.company_id,
    "mock_questions": MockQuestion.company_id,
    "subscriptions": Subscription.company_id,
    "company_aliases": CompanyAlias.company_id,
}


def _rows(result: Any) -> int:
    """Rows an UPDATE/DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)


async def _add_aliases(session: AsyncSession, company_id: int, aliases: Iterable[str]) -> None:
    """Add normalised aliases to a company, skipping empty ones and any already known."""
    for alias in sorted(a for a in aliases if a):
        if await session.scalar(select(CompanyAlias.id).where(CompanyAlias.alias == alias)) is None:
            session.add(CompanyAlias(company_id=company_id, alias=alias[:120]))
    await session.flush()


async def _search_ids(session: AsyncSession, company_id: int) -> list[int]:
    """Experiences of a company that have a search document (approved and analysed)."""
    rows = await session.execute(
        text("SELECT experience_id FROM search_docs WHERE company_id = :company"), {"company": company_id}
    )
    return [int(eid) for (eid,) in rows]


async def _reindex(session: AsyncSession, experience_ids: list[int]) -> None:
    """Rebuild search documents (company token and name) inside the caller's transaction."""
    if experience_ids:
        await store_docs(session, await load_docs(session, experience_ids))


class CompanyRepo(CompanyRepository):
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
        """The id of the company this name means, creating it only when it is new (folding variants).

        In order: a company whose slug or normalised name is this name; a company with this alias; the
        only company whose folded name (core.text_norm.fold_name: "Acme Motors Pvt Ltd" -> "acme
        motors") is this one's, which also gets the typed name as an alias; when several distinct
        companies share the folded name, the one whose own name is the folded name, else the oldest.
        Otherwise a new company. A concurrent creation of the same slug returns the winner's id.
        """
        slug = normalise_name(name)
        async with self._sessions() as session:
            found = await self._resolve(session, slug)
        if found is not None:
            company_id, is_variant = found
            if is_variant:
                await self.add_alias(company_id, slug)
            return company_id
        async with self._sessions() as session:
            company = Company(name=name.strip()[:120], slug=slug)
            session.add(company)
            try:
                await session.commit()
                return company.id
            except IntegrityError:  # another student added the same company at the same moment
                await session.rollback()
        async with self._sessions() as session:
            again = await self._resolve(session, slug)
            assert again is not None
            return again[0]

    @staticmethod
    async def _resolve(session: AsyncSession, slug: str) -> tuple[int, bool] | None:
        """(company id, found only by folding) for a normalised name, or None when it is a new company."""
        companies = (await session.execute(select(Company.id, Company.name, Company.slug))).all()
        for company_id, name, own in companies:
            if own == slug or normalise_name(name) == slug:
                return company_id, False
        aliases = (await session.execute(select(CompanyAlias.company_id, CompanyAlias.alias))).all()
        for company_id, alias in aliases:
            if alias == slug:
                return company_id, False
        folded = fold_words(slug)
        keys = [(cid, normalise_name(name)) for cid, name, _ in companies] + [(cid, a) for cid, a in aliases]
        same = sorted({cid for cid, key in keys if fold_words(key) == folded})
        if not same:
            return None
        if len(same) > 1:
            base = [cid for cid, name, _ in companies if cid in same and normalise_name(name) == folded]
            return (base or same)[0], True
        return same[0], True

    async def add_alias(self, company_id: int, alias: str) -> None:
        """Record another name for a company (ignored if it is already known)."""
        normalised = normalise_name(alias)
        async with self._sessions.begin() as session:
            if await session.scalar(select(CompanyAlias.id).where(CompanyAlias.alias == normalised)) is None:
                session.add(CompanyAlias(company_id=company_id, alias=normalised))

    async def usage(self, company_id: int) -> dict[str, int]:
        """Rows per table that belong to a company (what a merge moves), e.g. {"experiences": 12, ...}."""
        async with self._sessions() as session:
            out = {}
            for table, column in COMPANY_ROWS.items():
                out[table] = int(await session.scalar(select(func.count()).where(column == company_id)) or 0)
            return out

    async def merge(self, from_id: int, into_id: int, *, moderator_user_id: int | None = None) -> MergeResult:
        """Move every row of company `from_id` to `into_id` and delete `from_id`, in one transaction.

        Experiences, questions, threads, resources, FAQ entries (pins kept), mock questions,
        subscriptions and aliases are re-pointed (a chat that followed both keeps one subscription);
        the old name becomes an alias of the survivor, search documents are rebuilt under the new
        company, its data_version bumps (cards and charts redraw) and the moderation log records it.
        Raises CompanyError when either company is missing or they are the same.
        """
        if from_id == into_id:
            raise CompanyError("Those are the same company.")
        async with self._sessions.begin() as session:
            source = await session.get(Company, from_id)
            target = await session.get(Company, into_id)
            if source is None or target is None:
                raise CompanyError("One of those companies no longer exists.")
            searched = await _search_ids(session, from_id)
            twin = aliased(Subscription)
            follows_both = (
                select(twin.id)
                .where(
                    twin.company_id == into_id,
                    twin.platform == Subscription.platform,
                    twin.chat_id == Subscription.chat_id,
                )
                .exists()
            )
            dropped = await session.execute(
                delete(Subscription)
                .where(Subscription.company_id == from_id, follows_both)
                .execution_options(synchronize_session=False)
            )
            source_name, target_name = source.name, target.name
            result = MergeResult(into_id, target_name, source_name, dropped_subscriptions=_rows(dropped))
            for table, column in COMPANY_ROWS.items():
                moved = await session.execute(
                    update(column.class_)
                    .where(column == from_id)
                    .values({column.key: into_id})
                    .execution_options(synchronize_session=False)
                )
                result.moved[table] = _rows(moved)
            old_names = {normalise_name(source_name), normalise_name(source.slug)}
            await session.execute(delete(Company).where(Company.id == from_id))
            await session.flush()
            await _add_aliases(session, into_id, old_names - {normalise_name(target_name)})
            await bump_data_version(session, [into_id])
            await _reindex(session, searched)
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="company",
                    target_id=into_id,
                    action="merge",
                    reason=f"merged #{from_id} {source_name} into #{into_id} {target_name}"[:1000],
                )
            )
        logger.info("company %s merged into %s: %s", from_id, into_id, result.moved)
        return result

    async def rename(self, company_id: int, new_name: str, *, moderator_user_id: int | None = None) -> str:
        """Give a company a new display name, keeping the old one as an alias; returns the old name.

        One transaction: name and slug change, the old name becomes an alias, search documents carry
        the new name, data_version bumps. Raises CompanyError when the name is empty, too long, or
        is already another company's name or alias (merge them instead).
        """
        name = " ".join(new_name.split())
        slug = normalise_name(name)
        if not slug:
            raise CompanyError("The new name needs at least one letter or digit.")
        if len(name) > 120:
            raise CompanyError("Company names are at most 120 characters.")
        async with self._sessions.begin() as session:
            company = await session.get(Company, company_id)
            if company is None:
                raise CompanyError("That company no longer exists.")
            for _other_id, other_name, other_slug in await session.execute(
                select(Company.id, Company.name, Company.slug).where(Company.id != company_id)
            ):
                if slug in (other_slug, normalise_name(other_name)):
                    raise CompanyError(f"{other_name} already has that name: merge the two instead.")
            owner = await session.scalar(select(CompanyAlias.company_id).where(CompanyAlias.alias == slug))
            if owner is not None and owner != company_id:
                other = await session.get(Company, owner)
                raise CompanyError(
                    f"That name is an alias of {other.name if other else 'another company'}: merge instead."
                )
            old = company.name
            company.name, company.slug = name, slug
            await session.flush()
            await _add_aliases(session, company_id, {normalise_name(old)} - {slug})
            await bump_data_version(session, [company_id])
            await _reindex(session, await _search_ids(session, company_id))
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="company",
                    target_id=company_id,
                    action="rename",
                    reason=f"renamed {old} to {name}"[:1000],
                )
            )
        logger.info("company %s renamed from %r to %r", company_id, old, name)
        return old

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
            await add_rounds(session, experience.id, company_id, rounds)
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
            await add_rounds(session, experience.id, company_id, rounds)
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

    async def load_own(self, experience_id: int, user_id: int) -> OwnExperience | None:
        """Experience `experience_id` with its rounds and questions if `user_id` wrote it, else None."""
        async with self._sessions() as session:
            experience = await session.scalar(
                select(Experience)
                .options(
                    selectinload(Experience.rounds).selectinload(Round.questions),
                    selectinload(Experience.company),
                )
                .where(Experience.id == experience_id, Experience.user_id == user_id)
            )
            if experience is None:
                return None
            return OwnExperience(
                id=experience.id,
                company_id=experience.company_id,
                company=experience.company.name,
                status=experience.status,
                reject_reason=experience.reject_reason,
                fields={column: getattr(experience, column) for column in EDITABLE_COLUMNS},
                rounds=_round_specs(experience),
            )

    async def resubmit(
        self,
        experience_id: int,
        user_id: int,
        fields: dict[str, Any],
        rounds: Sequence[dict[str, Any]],
    ) -> list[str]:
        """Replace the author's experience with the edited submission; back to pending (see the port).

        The stored values are read and compared before anything is overwritten, so the change list
        describes this submission against the previous one. A published post goes back to pending too
        (hidden from search and cards until a moderator approves the edit), and its company's
        data_version is bumped so cached cards and charts drop it.
        """
        async with self._sessions.begin() as session:
            experience = await session.scalar(
                select(Experience)
                .options(selectinload(Experience.rounds).selectinload(Round.questions))
                .where(Experience.id == experience_id, Experience.user_id == user_id)
            )
            if experience is None:
                raise LookupError(f"experience {experience_id} is not user {user_id}'s")
            new_rounds = [_round_spec(spec) for spec in rounds]
            changed = [
                column
                for column in RESUBMIT_FIELD_NAMES
                if column in fields and column != "rounds" and getattr(experience, column) != fields[column]
            ]
            if new_rounds != _round_specs(experience):
                changed.append("rounds")
            changed.sort(key=list(RESUBMIT_FIELD_NAMES).index)
            if not changed:
                return []
            was_published = experience.status == "approved"
            old_company = experience.company_id
            for column, value in fields.items():
                setattr(experience, column, value)
            experience.status = "pending"
            experience.reject_reason = None
            experience.approved_at = None
            experience.masked_personal_data = None
            names = [RESUBMIT_FIELD_NAMES[column] for column in changed]
            experience.resubmit_changes = names
            await session.execute(delete(Question).where(Question.experience_id == experience.id))
            await session.execute(delete(Round).where(Round.experience_id == experience.id))
            session.expire(experience, ["rounds"])
            await add_rounds(session, experience.id, experience.company_id, new_rounds)
            if was_published:
                await bump_data_version(session, [old_company, experience.company_id])
            logger.info("experience %s resubmitted; changed %s", experience.id, ", ".join(names))
            return names

    async def count_by_user(self, user_id: int) -> int:
        """How many experiences a student has shared."""
        async with self._sessions() as session:
            return (
                await session.scalar(
                    select(func.count()).select_from(Experience).where(Experience.user_id == user_id)
                )
                or 0
            )


# The Experience columns the share flow writes and /fix loads back (OwnExperience.fields).
EDITABLE_COLUMNS = (
    "author_name",
    "linkedin_url",
    "branch",
    "roll_number",
    "passout_year",
    "interview_year",
    "role",
    "role_description",
    "source",
    "preparation",
    "reflections",
    "outcome",
    "difficulty",
    "rating",
    "anonymous",
)


def _round_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """One round in the comparable shape: kind, duration_minutes, difficulty, questions (list of str)."""
    return {
        "kind": spec["kind"],
        "duration_minutes": spec.get("duration_minutes"),
        "difficulty": spec.get("difficulty"),
        "questions": list(spec.get("questions", [])),
    }


def _round_specs(experience: Experience) -> list[dict[str, Any]]:
    """The stored rounds of an experience (loaded with their questions) in the `_round_spec` shape."""
    return [
        {
            "kind": r.kind,
            "duration_minutes": r.duration_minutes,
            "difficulty": r.difficulty,
            "questions": [q.text for q in sorted(r.questions, key=lambda q: q.position)],
        }
        for r in sorted(experience.rounds, key=lambda r: r.position)
    ]


@dataclass
class Repos(SharedRepositories):
    """The shared repositories over one session factory (core.repositories.shared.SharedRepositories)."""

    dialogs: DialogRepo
    users: UserRepo
    companies: CompanyRepo
    experiences: ExperienceRepo
    colleges: CollegeRepo

    @classmethod
    def over(cls, sessions: Sessions) -> Repos:
        """Build every repository on the same session factory."""
        return cls(
            DialogRepo(sessions),
            UserRepo(sessions),
            CompanyRepo(sessions),
            ExperienceRepo(sessions),
            CollegeRepo(sessions),
        )
