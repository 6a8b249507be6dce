"""Privacy queries: everything stored about a user (/mydata), forgetting them (/forget), email codes."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories.privacy import ForgetMode, ForgetOutcome, PrivacyRepository
from core.repositories.verification import ActiveCode, VerificationRepository
from storage.analysis import Author, remask_in
from storage.models import (
    Base,
    Company,
    DialogState,
    DigestDelivery,
    Experience,
    ExperienceTopic,
    Faq,
    Identity,
    MockAttempt,
    ModerationLog,
    Post,
    Question,
    Report,
    Resource,
    Round,
    Subscription,
    Thread,
    ThreadMirror,
    User,
    UserBadge,
    VerificationCode,
    Vote,
)
from storage.repos import Sessions, bump_data_version

logger = logging.getLogger(__name__)

__all__ = [
    "MIN_NEEDLE",
    "REMOVED",
    "ActiveCode",
    "ForgetMode",
    "ForgetOutcome",
    "PrivacyRepo",
    "VerificationRepo",
    "row_dict",
    "scrub",
]

REMOVED = "[removed]"
MIN_NEEDLE = 3  # shorter names are not scrubbed from text (too many false hits)


def _value(value: Any) -> Any:
    """A column value as JSON: datetimes as ISO 8601 UTC, bytes never (file contents stay out)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    return value


def row_dict(row: Base, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of an ORM row as a JSON-ready mapping, minus `exclude`."""
    skip = set(exclude)
    return {c.key: _value(getattr(row, c.key)) for c in row.__table__.columns if c.key not in skip}


def scrub(text: str, needles: Iterable[str]) -> str:
    """Replace every case-insensitive occurrence of the needles (names, roll numbers) with [removed]."""
    words = sorted({n.strip() for n in needles if n and len(n.strip()) >= MIN_NEEDLE}, key=len, reverse=True)
    if not words or not text:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return pattern.sub(REMOVED, text)


class PrivacyRepo(PrivacyRepository):
    """Reads and removes one user's data across every table that references them (the privacy port)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    # ------------------------------------------------------------------ /mydata

    async def user_data(self, user_id: int) -> dict[str, Any] | None:
        """Everything stored about a user (never other people's identities, file bytes or code hashes)."""
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                return None
            identities = (await session.scalars(select(Identity).where(Identity.user_id == user_id))).all()
            keys = [(i.platform, i.platform_user_id) for i in identities]
            data: dict[str, Any] = {
                "user": row_dict(user),
                "identities": [row_dict(i, ("user_id",)) for i in identities],
                "experiences": await self._experiences(session, user_id),
                "threads_started": await self._threads(session, user_id),
                "posts": await self._posts(session, user_id),
                "resources": await self._resources(session, user_id),
                "faqs_created": await self._rows(session, Faq, Faq.created_by_user_id == user_id),
                "helpful_votes_given": await self._rows(session, Vote, Vote.user_id == user_id),
                "reports_made": await self._rows(session, Report, Report.reporter_user_id == user_id),
                "badges": await self._rows(session, UserBadge, UserBadge.user_id == user_id),
                "mock_attempts": await self._rows(session, MockAttempt, MockAttempt.user_id == user_id),
                "subscriptions": await self._rows(session, Subscription, Subscription.user_id == user_id),
                "digest_deliveries": await self._deliveries(session, user_id, keys),
                "verification_codes": await self._rows(
                    session, VerificationCode, VerificationCode.user_id == user_id, exclude=("code_hash",)
                ),
                "dialog_states": await self._dialogs(session, keys),
                "moderation_actions": await self._rows(
                    session, ModerationLog, ModerationLog.moderator_user_id == user_id
                ),
            }
            data["ask_me"] = {"opted_in": user.ask_me_opt_in, "settings": user.settings}
            return data

    @staticmethod
    async def _rows(session: AsyncSession, model: type[Base], where: Any, exclude=()) -> list[dict[str, Any]]:
        rows = (await session.scalars(select(model).where(where))).all()
        return [row_dict(row, exclude) for row in rows]

    @staticmethod
    async def _experiences(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
        experiences = (
            await session.scalars(
                select(Experience).where(Experience.user_id == user_id).order_by(Experience.id)
            )
        ).all()
        out = []
        for experience in experiences:
            item = row_dict(experience)
            item["company"] = await session.scalar(
                select(Company.name).where(Company.id == experience.company_id)
            )
            rounds = (
                await session.scalars(
                    select(Round).where(Round.experience_id == experience.id).order_by(Round.position)
                )
            ).all()
            item["rounds"] = []
            for round_row in rounds:
                questions = (
                    await session.scalars(
                        select(Question).where(Question.round_id == round_row.id).order_by(Question.position)
                    )
                ).all()
                shown = row_dict(round_row)
                shown["questions"] = [row_dict(q) for q in questions]
                item["rounds"].append(shown)
            item["topics"] = list(
                (
                    await session.scalars(
                        select(ExperienceTopic.topic).where(ExperienceTopic.experience_id == experience.id)
                    )
                ).all()
            )
            out.append(item)
        return out

    @staticmethod
    async def _threads(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
        # Only the thread itself (and where it is mirrored): replies in it are other people's data.
        threads = await PrivacyRepo._rows(session, Thread, Thread.author_user_id == user_id)
        mirrors = (
            await session.execute(
                select(ThreadMirror.thread_id, ThreadMirror.platform, ThreadMirror.external_id)
                .where(ThreadMirror.thread_id.in_([thread["id"] for thread in threads]))
                .order_by(ThreadMirror.platform)
            )
        ).all()
        for thread in threads:
            thread["mirrors"] = {
                platform: external for owner, platform, external in mirrors if owner == thread["id"]
            }
        return threads

    @staticmethod
    async def _posts(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
        rows = (
            await session.execute(
                select(Post, Thread.title)
                .join(Thread, Thread.id == Post.thread_id)
                .where(Post.author_user_id == user_id)
                .order_by(Post.id)
            )
        ).all()
        return [{**row_dict(post), "thread_title": title} for post, title in rows]

    @staticmethod
    async def _resources(session: AsyncSession, user_id: int) -> list[dict[str, Any]]:
        columns = [c for c in Resource.__table__.columns if c.key != "file_data"]
        rows = (
            await session.execute(
                select(*columns, func.length(Resource.file_data).label("file_size")).where(
                    Resource.user_id == user_id
                )
            )
        ).all()
        return [{key: _value(value) for key, value in row._mapping.items()} for row in rows]

    @staticmethod
    async def _deliveries(
        session: AsyncSession, user_id: int, keys: list[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        clause = DigestDelivery.subscription_id.in_(
            select(Subscription.id).where(Subscription.user_id == user_id)
        )
        for platform, chat in keys:
            clause = or_(clause, (DigestDelivery.platform == platform) & (DigestDelivery.chat_id == chat))
        return await PrivacyRepo._rows(session, DigestDelivery, clause)

    @staticmethod
    async def _dialogs(session: AsyncSession, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for platform, platform_user_id in keys:
            out += await PrivacyRepo._rows(
                session,
                DialogState,
                (DialogState.platform == platform) & (DialogState.user_id == platform_user_id),
            )
        return out

    # ------------------------------------------------------------------ /forget

    async def forget(self, user_id: int, mode: ForgetMode) -> ForgetOutcome | None:
        """Delete a user, and delete or anonymise what they contributed, in one transaction."""
        outcome = ForgetOutcome(mode)
        async with self._sessions.begin() as session:
            user = await session.get(User, user_id)
            if user is None:
                return None
            identities = (
                await session.execute(
                    select(Identity.platform, Identity.platform_user_id, Identity.username).where(
                        Identity.user_id == user_id
                    )
                )
            ).all()
            experiences = (
                await session.execute(
                    select(
                        Experience.id,
                        Experience.company_id,
                        Experience.status,
                        Experience.author_name,
                        Experience.roll_number,
                    ).where(Experience.user_id == user_id)
                )
            ).all()
            needles = {user.display_name, *(i.username for i in identities)}
            needles |= {e.author_name for e in experiences} | {e.roll_number or "" for e in experiences}
            changed: set[int] = set()
            if mode == "delete":
                doomed = [e.id for e in experiences]
            else:
                doomed = [e.id for e in experiences if e.status == "rejected"]
                kept = [e.id for e in experiences if e.status != "rejected"]
                await self._anonymise_experiences(session, kept, needles, outcome)
            changed |= {e.company_id for e in experiences if e.status == "approved"}
            await self._delete_experiences(session, doomed, outcome)
            await self._threads_and_posts(session, user_id, mode, needles, outcome)
            changed |= await self._resources_of(session, user_id, mode, needles, outcome)
            changed |= await self._votes_and_reports(session, user_id, outcome)
            await self._personal_rows(session, user_id, [(i[0], i[1]) for i in identities], outcome)
            if changed:
                await bump_data_version(session, changed)
            outcome.companies_changed = sorted(changed)
        logger.info("user %s forgotten (%s): %s", user_id, mode, outcome.deleted)
        return outcome

    @staticmethod
    async def _delete_experiences(session: AsyncSession, ids: list[int], outcome: ForgetOutcome) -> None:
        if not ids:
            return
        for model, column in (
            (Question, Question.experience_id),
            (Round, Round.experience_id),
            (ExperienceTopic, ExperienceTopic.experience_id),
        ):
            outcome.count(
                model.__tablename__, (await session.execute(delete(model).where(column.in_(ids)))).rowcount
            )
        await _delete_targets(session, "experience", ids, outcome)
        result = await session.execute(delete(Experience).where(Experience.id.in_(ids)))
        outcome.count("experiences", result.rowcount)

    @staticmethod
    async def _anonymise_experiences(
        session: AsyncSession, ids: list[int], needles: set[str], outcome: ForgetOutcome
    ) -> None:
        # Mask with what identified the author before those columns are cleared (core/domain/privacy.py):
        # the text of a post made anonymous must not name its author, even by first name or roll number.
        authors: dict[int, Author] = {}
        for experience in (await session.scalars(select(Experience).where(Experience.id.in_(ids)))).all():
            authors[experience.id] = Author(
                experience.author_name, experience.roll_number, experience.linkedin_url, anonymous=True
            )
            experience.user_id = None
            experience.author_name = ""
            experience.linkedin_url = None
            experience.roll_number = None
            experience.anonymous = True
            for name in ("role", "role_description", "preparation", "reflections"):
                setattr(experience, name, scrub(getattr(experience, name), needles))
            experience.keywords = [k for k in experience.keywords or [] if scrub(str(k), needles) == str(k)]
            outcome.count("experiences", 1, anonymised=True)
        if ids:
            for question in (
                await session.scalars(select(Question).where(Question.experience_id.in_(ids)))
            ).all():
                question.text = scrub(question.text, needles)
                question.normalized = scrub(question.normalized, needles)
        await session.flush()
        await remask_in(session, ids, authors, bump=False)  # forget bumps the changed companies itself

    @staticmethod
    async def _threads_and_posts(
        session: AsyncSession, user_id: int, mode: ForgetMode, needles: set[str], outcome: ForgetOutcome
    ) -> None:
        threads = (await session.scalars(select(Thread).where(Thread.author_user_id == user_id))).all()
        thread_ids = [t.id for t in threads]
        shared = set()
        if thread_ids:
            shared = set(
                (
                    await session.scalars(
                        select(Post.thread_id).where(
                            Post.thread_id.in_(thread_ids),
                            or_(Post.author_user_id.is_(None), Post.author_user_id != user_id),
                        )
                    )
                ).all()
            )
        for thread in threads:
            if mode == "delete" and thread.id not in shared:
                continue
            # Kept (anonymise mode, or other people replied in it): the question stays without its author.
            thread.author_user_id, thread.anonymous = None, True
            thread.title = scrub(thread.title, needles)
            outcome.count("threads", 1, anonymised=True)
        posts = (await session.scalars(select(Post).where(Post.author_user_id == user_id))).all()
        if mode == "delete":
            post_ids = [p.id for p in posts]
            await _delete_targets(session, "post", post_ids, outcome)
            if post_ids:
                result = await session.execute(delete(Post).where(Post.id.in_(post_ids)))
                outcome.count("posts", result.rowcount)
            lonely = [t for t in thread_ids if t not in shared]
            if lonely:
                await session.execute(
                    update(Faq).where(Faq.source_thread_id.in_(lonely)).values(source_thread_id=None)
                )
                await _delete_targets(session, "thread", lonely, outcome)
                result = await session.execute(delete(Thread).where(Thread.id.in_(lonely)))
                outcome.count("threads", result.rowcount)
        else:
            for post in posts:
                post.author_user_id, post.anonymous = None, True
                post.body = scrub(post.body, needles)
                outcome.count("posts", 1, anonymised=True)
        await session.flush()

    @staticmethod
    async def _resources_of(
        session: AsyncSession, user_id: int, mode: ForgetMode, needles: set[str], outcome: ForgetOutcome
    ) -> set[int]:
        resources = (await session.scalars(select(Resource).where(Resource.user_id == user_id))).all()
        changed = {r.company_id for r in resources if r.status == "approved" and r.company_id is not None}
        if mode == "delete":
            ids = [r.id for r in resources]
            await _delete_targets(session, "resource", ids, outcome)
            if ids:
                outcome.count(
                    "resources",
                    (await session.execute(delete(Resource).where(Resource.id.in_(ids)))).rowcount,
                )
        else:
            for resource in resources:
                resource.user_id = None
                resource.title = scrub(resource.title, needles)
                outcome.count("resources", 1, anonymised=True)
        await session.flush()
        return changed

    @staticmethod
    async def _votes_and_reports(session: AsyncSession, user_id: int, outcome: ForgetOutcome) -> set[int]:
        """Remove the user's votes and reports, taking them out of the public counts."""
        changed: set[int] = set()
        counters = {"experience": Experience, "post": Post, "thread": Thread}
        votes = (
            await session.execute(select(Vote.target_type, Vote.target_id).where(Vote.user_id == user_id))
        ).all()
        for target_type, target_id in votes:
            model = counters.get(target_type)
            if model is not None and hasattr(model, "helpful_count"):
                await session.execute(
                    update(model)
                    .where(model.id == target_id, model.helpful_count > 0)
                    .values(helpful_count=model.helpful_count - 1)
                )
            if target_type == "experience":
                changed |= set(
                    (
                        await session.scalars(
                            select(Experience.company_id).where(
                                Experience.id == target_id, Experience.status == "approved"
                            )
                        )
                    ).all()
                )
        outcome.count("votes", (await session.execute(delete(Vote).where(Vote.user_id == user_id))).rowcount)
        reports = (
            await session.execute(
                select(Report.target_type, Report.target_id).where(
                    Report.reporter_user_id == user_id, Report.resolved_at.is_(None)
                )
            )
        ).all()
        for target_type, target_id in reports:
            model = counters.get(target_type)
            if model is not None:
                await session.execute(
                    update(model)
                    .where(model.id == target_id, model.report_count > 0)
                    .values(report_count=model.report_count - 1)
                )
        result = await session.execute(delete(Report).where(Report.reporter_user_id == user_id))
        outcome.count("reports", result.rowcount)
        return changed

    @staticmethod
    async def _personal_rows(
        session: AsyncSession, user_id: int, keys: list[tuple[str, str]], outcome: ForgetOutcome
    ) -> None:
        outcome.video_paths = [
            path
            for path in (
                await session.scalars(select(MockAttempt.video_path).where(MockAttempt.user_id == user_id))
            ).all()
            if path
        ]
        subscription_ids = select(Subscription.id).where(Subscription.user_id == user_id)
        deliveries = DigestDelivery.subscription_id.in_(subscription_ids)
        for platform, chat in keys:
            deliveries = or_(
                deliveries, (DigestDelivery.platform == platform) & (DigestDelivery.chat_id == chat)
            )
        outcome.count(
            "digest_deliveries", (await session.execute(delete(DigestDelivery).where(deliveries))).rowcount
        )
        for model, column in (
            (Subscription, Subscription.user_id),
            (MockAttempt, MockAttempt.user_id),
            (UserBadge, UserBadge.user_id),
            (VerificationCode, VerificationCode.user_id),
        ):
            outcome.count(
                model.__tablename__, (await session.execute(delete(model).where(column == user_id))).rowcount
            )
        for platform, platform_user_id in keys:
            result = await session.execute(
                delete(DialogState).where(
                    DialogState.platform == platform, DialogState.user_id == platform_user_id
                )
            )
            outcome.count("dialog_states", result.rowcount)
        await session.execute(
            update(ModerationLog)
            .where(ModerationLog.moderator_user_id == user_id)
            .values(moderator_user_id=None)
        )
        await session.execute(
            update(Faq).where(Faq.created_by_user_id == user_id).values(created_by_user_id=None)
        )
        outcome.count(
            "identities",
            (await session.execute(delete(Identity).where(Identity.user_id == user_id))).rowcount,
        )
        outcome.count("users", (await session.execute(delete(User).where(User.id == user_id))).rowcount)


async def _delete_targets(
    session: AsyncSession, target_type: str, ids: list[int], outcome: ForgetOutcome
) -> None:
    """Votes and reports about rows that are being deleted go with them."""
    if not ids:
        return
    for model in (Vote, Report):
        result = await session.execute(
            delete(model).where(model.target_type == target_type, model.target_id.in_(ids))
        )
        outcome.count(model.__tablename__, result.rowcount)


# ---------------------------------------------------------------------- verification


class VerificationRepo(VerificationRepository):
    """One-time email codes and the verified flag of users and experiences (the verification port)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def sends_since(self, user_id: int, email: str, since: datetime) -> int:
        """Codes sent to this user or to this address since a moment (the larger count: both are limited)."""
        async with self._sessions() as session:
            by_user = await session.scalar(
                select(func.count())
                .select_from(VerificationCode)
                .where(VerificationCode.user_id == user_id, VerificationCode.created_at >= since)
            )
            by_email = await session.scalar(
                select(func.count())
                .select_from(VerificationCode)
                .where(VerificationCode.email == email, VerificationCode.created_at >= since)
            )
            return max(by_user or 0, by_email or 0)

    async def store_code(
        self, user_id: int, email: str, code_hash: str, expires_at: datetime, now: datetime
    ) -> int:
        """Save a new code; earlier unused codes of the user stop working."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(VerificationCode)
                .where(VerificationCode.user_id == user_id, VerificationCode.used_at.is_(None))
                .values(used_at=now)
            )
            row = VerificationCode(
                user_id=user_id, email=email, code_hash=code_hash, expires_at=expires_at, created_at=now
            )
            session.add(row)
            await session.flush()
            return row.id

    async def void_code(self, code_id: int, now: datetime) -> None:
        """Make a code unusable (its email could not be sent); it still counts towards the send limit."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(VerificationCode).where(VerificationCode.id == code_id).values(used_at=now)
            )

    async def active_code(self, user_id: int) -> ActiveCode | None:
        """The newest unused code of a user, expired or not (the caller tells the two apart)."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(VerificationCode)
                .where(VerificationCode.user_id == user_id, VerificationCode.used_at.is_(None))
                .order_by(VerificationCode.id.desc())
                .limit(1)
            )
            if row is None:
                return None
            return ActiveCode(row.id, row.email, row.code_hash, row.attempts, row.expires_at)

    async def count_attempt(self, code_id: int, max_attempts: int) -> bool:
        """Use up one attempt; False when none is left (or the code was used meanwhile)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(VerificationCode)
                .where(
                    VerificationCode.id == code_id,
                    VerificationCode.used_at.is_(None),
                    VerificationCode.attempts < max_attempts,
                )
                .values(attempts=VerificationCode.attempts + 1)
            )
            return result.rowcount == 1

    async def complete(self, code_id: int, user_id: int, email: str, now: datetime) -> bool:
        """Consume the code (single use) and mark the user verified; False if it was already used."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(VerificationCode)
                .where(VerificationCode.id == code_id, VerificationCode.used_at.is_(None))
                .values(used_at=now)
            )
            if result.rowcount != 1:
                return False
            await session.execute(
                update(User).where(User.id == user_id).values(verified=True, verified_email=email)
            )
            return True

    async def is_verified(self, user_id: int) -> bool:
        """Whether a user passed verification (by email or by a moderator)."""
        async with self._sessions() as session:
            return bool(await session.scalar(select(User.verified).where(User.id == user_id)))

    async def verify_author(
        self, experience_id: int, moderator_user_id: int | None
    ) -> tuple[bool, int | None]:
        """A moderator checked the roll number: badge the experience and verify its author.

        Returns (experience found, author user id or None when no account is linked)."""
        async with self._sessions.begin() as session:
            experience = await session.get(Experience, experience_id)
            if experience is None:
                return False, None
            experience.verified = True
            if experience.status == "approved":
                await bump_data_version(session, [experience.company_id])
            if experience.user_id is not None:
                await session.execute(update(User).where(User.id == experience.user_id).values(verified=True))
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="experience",
                    target_id=experience_id,
                    action="verify_author",
                )
            )
            return True, experience.user_id
