"""Constraints the features rely on, checked on both databases: uniqueness, cascades, datetimes, JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import (
    Company,
    CompanyAlias,
    DialogState,
    DigestDelivery,
    DigestRun,
    Experience,
    ExperienceTopic,
    Identity,
    Post,
    Question,
    Round,
    Thread,
    User,
    Vote,
)
from tests.storage import rows

IST = timezone(timedelta(hours=5, minutes=30))


async def _count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_one_platform_account_belongs_to_one_user(database: Database) -> None:
    async with database.sessions.begin() as session:
        await rows.user(session, "Asha", "telegram", "42")
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            await rows.user(session, "Impostor", "telegram", "42")
    async with database.sessions.begin() as session:
        await rows.user(session, "Asha on Discord", "discord", "42")  # same id, other platform: fine
    assert await _count(database, Identity) == 2


async def test_a_digest_goes_to_each_recipient_once_per_run(database: Database) -> None:
    start = datetime(2025, 3, 3, tzinfo=UTC)
    async with database.sessions.begin() as session:
        run = DigestRun(period_start=start, period_end=start + timedelta(days=7))
        session.add(run)
        await session.flush()
        session.add(DigestDelivery(run_id=run.id, platform="telegram", chat_id="100"))
        session.add(DigestDelivery(run_id=run.id, platform="discord", chat_id="100"))
        run_id = run.id
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            session.add(DigestDelivery(run_id=run_id, platform="telegram", chat_id="100"))
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:  # the same week cannot start a second run
            session.add(DigestRun(period_start=start, period_end=start + timedelta(days=7)))
    assert await _count(database, DigestDelivery) == 2


async def test_one_vote_per_user_and_target(database: Database) -> None:
    async with database.sessions.begin() as session:
        voter = await rows.user(session)
        session.add(Vote(user_id=voter.id, target_type="experience", target_id=7))
        session.add(Vote(user_id=voter.id, target_type="post", target_id=7))
        voter_id = voter.id
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            session.add(Vote(user_id=voter_id, target_type="experience", target_id=7))
    assert await _count(database, Vote) == 2


async def test_company_names_and_aliases_are_unique(database: Database) -> None:
    async with database.sessions.begin() as session:
        acme = await rows.company(session, "Acme")
        session.add(CompanyAlias(company_id=acme.id, alias="acme corp"))
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            session.add(Company(name="Acme", slug="acme-2"))
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            other = await rows.company(session, "Other")
            session.add(CompanyAlias(company_id=other.id, alias="acme corp"))


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            session.add(Identity(user_id=999_999, platform="console", platform_user_id="ghost"))


async def test_deleting_a_company_removes_its_experiences_rounds_questions_and_aliases(
    database: Database,
) -> None:
    """Database-level ON DELETE CASCADE (a Core DELETE, no ORM cascade involved)."""
    async with database.sessions.begin() as session:
        gone, kept = await rows.company(session, "Gone Inc"), await rows.company(session, "Kept Inc")
        session.add(CompanyAlias(company_id=gone.id, alias="gone"))
        exp = await rows.experience(session, gone)
        session.add(ExperienceTopic(experience_id=exp.id, topic="dsa"))
        await rows.experience(session, kept)
        gone_id = gone.id
    async with database.sessions.begin() as session:
        await session.execute(delete(Company).where(Company.id == gone_id))
    assert await _count(database, Experience) == 1
    assert await _count(database, Round) == 1
    assert await _count(database, Question) == 2
    assert await _count(database, ExperienceTopic) == 0
    assert await _count(database, CompanyAlias) == 0


async def test_deleting_a_user_keeps_their_experiences_and_posts_but_drops_identities_and_votes(
    database: Database,
) -> None:
    async with database.sessions.begin() as session:
        author = await rows.user(session)
        acme = await rows.company(session)
        exp = await rows.experience(session, acme, author)
        thread = Thread(title="Acme OA pattern?", author_user_id=author.id)
        session.add(thread)
        await session.flush()
        session.add(Post(thread_id=thread.id, author_user_id=author.id, body="Two DP questions"))
        session.add(Vote(user_id=author.id, target_type="experience", target_id=exp.id))
        author_id, exp_id = author.id, exp.id
    async with database.sessions.begin() as session:
        await session.execute(delete(User).where(User.id == author_id))
    async with database.sessions() as session:
        kept = await session.get(Experience, exp_id)
        assert kept is not None and kept.user_id is None
        post = (await session.scalars(select(Post))).one()
        assert post.author_user_id is None and post.body == "Two DP questions"
    assert await _count(database, Identity) == 0
    assert await _count(database, Vote) == 0


async def test_deleting_a_thread_removes_its_posts(database: Database) -> None:
    async with database.sessions.begin() as session:
        thread = Thread(title="HR round tips")
        session.add(thread)
        await session.flush()
        session.add_all(
            [Post(thread_id=thread.id, body="Be honest"), Post(thread_id=thread.id, body="Smile")]
        )
        thread_id = thread.id
    async with database.sessions.begin() as session:
        await session.execute(delete(Thread).where(Thread.id == thread_id))
    assert await _count(database, Post) == 0


async def test_timezone_aware_datetimes_round_trip_as_the_same_instant(database: Database) -> None:
    local = datetime(2025, 1, 31, 23, 30, 15, 123456, tzinfo=IST)  # 18:00:15 UTC the same day
    async with database.sessions.begin() as session:
        session.add(
            DialogState(
                platform="console", chat_id="c", user_id="u", flow="submit", step="name", updated_at=local
            )
        )
    async with database.sessions() as session:
        state = await session.get(DialogState, ("console", "c", "u"))
        assert state is not None
        assert state.updated_at.tzinfo is not None and state.updated_at.utcoffset() == timedelta(0)
        assert state.updated_at == local
        assert state.updated_at == datetime(2025, 1, 31, 18, 0, 15, 123456, tzinfo=UTC)


async def test_datetime_filters_compare_instants_not_wall_clock(database: Database) -> None:
    """An expiry query with a UTC cutoff must see a row stored with an IST offset correctly."""
    stored = datetime(2025, 6, 1, 9, 0, tzinfo=IST)  # 03:30 UTC
    async with database.sessions.begin() as session:
        session.add(
            DialogState(
                platform="console", chat_id="c", user_id="u", flow="submit", step="name", updated_at=stored
            )
        )
    async with database.sessions() as session:
        older_than = select(DialogState.user_id).where(
            DialogState.updated_at < datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
        )
        newer_than = select(DialogState.user_id).where(
            DialogState.updated_at > datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
        )
        assert (await session.scalars(older_than)).all() == ["u"]
        assert (await session.scalars(newer_than)).all() == ["u"]


async def test_defaults_json_and_booleans_round_trip(database: Database) -> None:
    answers = {"name": "Asha", "rounds": [{"kind": "coding", "questions": ["Two sum", "LRU cache"]}], "n": 3}
    async with database.sessions.begin() as session:
        session.add(
            DialogState(
                platform="telegram",
                chat_id="1",
                user_id="2",
                flow="submit",
                step="review",
                answers=answers,
                history=["name", "branch"],
            )
        )
        acme = await rows.company(session)
        await rows.experience(session, acme, anonymous=True)
    async with database.sessions() as session:
        state = await session.get(DialogState, ("telegram", "1", "2"))
        assert state is not None and state.answers == answers and state.history == ["name", "branch"]
        assert state.version == 0
        exp = (await session.scalars(select(Experience))).one()
        assert exp.anonymous is True and exp.verified is False and exp.status == "pending"
        assert exp.keywords == [] and exp.created_at.tzinfo is not None


async def test_a_chat_has_one_general_digest_subscription(database: Database) -> None:
    from storage.models import Subscription

    async with database.sessions.begin() as session:
        session.add(Subscription(platform="telegram", chat_id="100", company_id=None))
        company = Company(name="TCS", slug="tcs")
        session.add(company)
        await session.flush()
        session.add(Subscription(platform="telegram", chat_id="100", company_id=company.id))  # a follow: fine
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            session.add(Subscription(platform="telegram", chat_id="100", company_id=None))
    assert await _count(database, Subscription) == 2
