"""`seed-demo` on a migrated database, on SQLite and on PostgreSQL (when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Company, CompanyAlias, Experience, Question, Round
from storage.seed_demo import seed_demo

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def test_seed_on_migrated_database_then_new_rows_still_insert(database: Database) -> None:
    report = await seed_demo(database.sessions, experiences=60, now=NOW)
    assert report.experiences == 60 and report.rounds >= 120 and report.questions >= report.rounds
    again = await seed_demo(database.sessions, experiences=60, now=NOW)
    assert again.skipped
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Experience)) == 60
        tcs = await session.scalar(
            select(Company)
            .join(CompanyAlias, CompanyAlias.company_id == Company.id)
            .where(CompanyAlias.alias == "tcs")
        )
        assert tcs is not None and tcs.name == "TCS"
    async with database.sessions() as session, session.begin():
        # A student's own share after the seed: ids must not collide with the bulk-inserted rows.
        experience = Experience(
            company_id=tcs.id, branch="CSE", passout_year=2026, interview_year=2025, role="Ninja",
            source="on_campus", outcome="selected", difficulty=2, rating=4, status="pending",
        )  # fmt: skip
        experience.rounds.append(Round(position=1, kind="technical", difficulty=2))
        session.add(experience)
        await session.flush()
        session.add(
            Question(
                round_id=experience.rounds[0].id, experience_id=experience.id, company_id=tcs.id, text="OOPs"
            )
        )
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Experience)) == 61
