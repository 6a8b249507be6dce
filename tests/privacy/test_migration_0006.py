"""Migration 0006_masked_personal_data: posts published before it are masked by the next catch-up run.

Up from 0005 keeps every row and adds `experiences.masked_personal_data` as NULL ("never masked");
`analyse_all` then masks those public posts; down to 0005 drops the column and leaves the text masked.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect, select

from storage.analysis import analyse_all
from storage.db import Database
from storage.models import Company, Experience

pytestmark = pytest.mark.asyncio

BEFORE = "0005_thread_mirrors"
REVISION = "0006_masked_personal_data"
PREP = "Myself Prathamesh Kadam (Roll no. 21659808). Mail prathamesh.k@gmail.com for doubts."


async def _columns(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("experiences")})


async def test_posts_published_before_0006_are_masked_after_it_and_downgrade_keeps_them_masked(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    try:
        await db.upgrade(BEFORE)
        assert "masked_personal_data" not in await _columns(db)
        now = datetime(2026, 11, 1, tzinfo=UTC)
        async with db.sessions.begin() as session:
            await session.execute(insert(Company.__table__).values(id=1, name="PharmaACE", slug="pharmaace"))
            row = dict(
                company_id=1, author_name="Prathamesh Kadam", branch="CSE", roll_number="21659808",
                passout_year=2024, interview_year=2024, role="Analyst", role_description="",
                source="on_campus", preparation=PREP, reflections="Be calm.", outcome="selected",
                difficulty=3, rating=4,
                anonymous=True, status="approved", platform="import", verified=False, keywords=[],
                helpful_count=0, report_count=0, created_at=now, approved_at=now,
            )  # fmt: skip
            await session.execute(insert(Experience.__table__).values(id=1, **row))

        await db.upgrade("head")  # the ORM model has the later columns too; they do not touch masking
        async with db.sessions() as session:
            stored = await session.get(Experience, 1)
            assert stored is not None and stored.preparation == PREP and stored.masked_personal_data is None

        assert await analyse_all(db.sessions) == 1  # the catch-up masks the post published before 0006
        async with db.sessions() as session:
            stored = await session.get(Experience, 1)
            assert stored is not None
            assert stored.masked_personal_data == ["name", "roll_number", "email"]
            assert stored.preparation == "Myself [name] (Roll no. [roll number]). Mail [e-mail] for doubts."
        assert await analyse_all(db.sessions) == 0

        await db.downgrade(BEFORE)
        assert "masked_personal_data" not in await _columns(db)
        async with db.sessions() as session:
            masked = await session.scalar(select(Experience.__table__.c.preparation))
        assert masked is not None and "Kadam" not in masked and "21659808" not in masked
    finally:
        await db.dispose()
