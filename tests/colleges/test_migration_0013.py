"""Migration 0013_colleges: every existing row joins the one default college; down keeps every row.

Rows of each table that gains `college_id` are written at 0012 with plain SQL, then the database goes up
to head and back to 0012, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from storage.db import Database

pytestmark = pytest.mark.asyncio

BEFORE = "0012_resubmission"
SCOPED = ("experiences", "threads", "resources", "faqs", "subscriptions", "digest_runs")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


SEED = [
    "INSERT INTO users (id, display_name, reputation, verified, ask_me_opt_in, settings, created_at) "
    "VALUES (1, 'Asha', 0, false, false, '{}', :now)",
    "INSERT INTO companies (id, name, slug, data_version, created_at) VALUES (1, 'TCS', 'tcs', 1, :now)",
    *[
        "INSERT INTO experiences (id, user_id, company_id, author_name, branch, passout_year, "
        "interview_year, "
        "role, role_description, source, preparation, reflections, outcome, difficulty, rating, anonymous, "
        f"status, platform, verified, keywords, helpful_count, report_count, created_at) VALUES ({i}, 1, 1, "
        f"'Asha', 'CSE', 2024, 2024, 'SDE', '', 'on_campus', 'prep', 'tips', 'selected', 3, 4, false, "
        f"'{status}', 'console', false, '[]', 0, 0, :now)"
        for i, status in ((1, "approved"), (2, "pending"), (3, "rejected"))
    ],
    "INSERT INTO threads (id, company_id, title, anonymous, status, report_count, created_at, last_post_at) "
    "VALUES (1, 1, 'TCS OA?', false, 'open', 0, :now, :now)",
    "INSERT INTO resources (id, company_id, user_id, title, url, status, created_at) "
    "VALUES (1, 1, 1, 'Notes', 'https://example.com/notes', 'approved', :now)",
    "INSERT INTO faqs (id, company_id, question, answer, pinned, created_at) "
    "VALUES (1, 1, 'Is there an OA?', 'Yes', true, :now)",
    "INSERT INTO subscriptions (id, user_id, platform, chat_id, kind, active, created_at) "
    "VALUES (1, 1, 'telegram', '42', 'user', true, :now)",
    "INSERT INTO digest_runs (id, period_start, period_end, status, created_at) "
    "VALUES (1, :now, :now, 'done', :now)",
]
EXPECTED = {"experiences": 3, "threads": 1, "resources": 1, "faqs": 1, "subscriptions": 1, "digest_runs": 1}


async def _columns(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns(table)})


async def test_every_existing_row_joins_the_default_college_and_downgrade_keeps_every_row(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    try:
        await db.upgrade(BEFORE)
        async with db.engine.begin() as conn:
            for statement in SEED:
                await conn.execute(text(statement), {"now": NOW})

        await db.upgrade("head")
        async with db.engine.connect() as conn:
            colleges = (await conn.execute(text("SELECT id, code, is_default FROM colleges"))).all()
            assert [(code, bool(default)) for _, code, default in colleges] == [("default", True)]
            default_id = colleges[0][0]
            for table in SCOPED:
                rows = (await conn.execute(text(f"SELECT college_id FROM {table}"))).scalars().all()
                assert rows == [default_id] * EXPECTED[table], table
            statuses = (
                (await conn.execute(text("SELECT status FROM experiences ORDER BY id"))).scalars().all()
            )
            assert statuses == ["approved", "pending", "rejected"]

        await db.downgrade(BEFORE)
        async with db.engine.connect() as conn:
            for table in SCOPED:
                assert "college_id" not in await _columns(db, table)
                count = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
                assert count == EXPECTED[table], table
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {"colleges", "college_members", "college_communities", "college_invites"}.isdisjoint(tables)
        await db.upgrade("head")  # and up again: the default college comes back, every row in it
        async with db.engine.connect() as conn:
            assert (
                await conn.execute(text("SELECT count(*) FROM experiences WHERE college_id IS NULL"))
            ).scalar() == 0
    finally:
        await db.dispose()
