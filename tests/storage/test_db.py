"""Database from a URL: SQLite pragmas in effect, in-memory sharing, friendly errors for bad URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage.db import Database, DatabaseURLError, normalize_url, open_database
from storage.models import Company


async def _pragma(db: Database, name: str) -> object:
    async with db.engine.connect() as conn:
        return (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()


async def test_sqlite_file_gets_wal_foreign_keys_normal_sync_and_busy_timeout(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'bot.db'}", busy_timeout_ms=1234)
    try:
        assert db.dialect == "sqlite"
        assert await _pragma(db, "journal_mode") == "wal"
        assert await _pragma(db, "foreign_keys") == 1
        assert await _pragma(db, "synchronous") == 1  # NORMAL
        assert await _pragma(db, "busy_timeout") == 1234
        assert (tmp_path / "var").is_dir(), "the parent folder of the database file is created"
    finally:
        await db.dispose()


async def test_pragmas_apply_to_every_pooled_connection(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with db.engine.connect() as first, db.engine.connect() as second:
            for conn in (first, second):
                assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
                assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        await db.dispose()


async def test_relative_sqlite_path_creates_its_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = await open_database("sqlite+aiosqlite:///var/nested/bot.db")
    try:
        assert (tmp_path / "var" / "nested" / "bot.db").is_file()
    finally:
        await db.dispose()


async def test_in_memory_database_is_shared_by_all_sessions(sqlite_db: Database) -> None:
    assert await _pragma(sqlite_db, "foreign_keys") == 1
    async with sqlite_db.sessions.begin() as session:
        session.add(Company(name="Acme", slug="acme"))
    async with sqlite_db.sessions() as other:
        assert (await other.scalars(select(Company.slug))).all() == ["acme"]


async def test_objects_stay_readable_after_commit(sqlite_db: Database) -> None:
    """expire_on_commit=False: repositories can return ORM rows that the core reads after the session."""
    async with sqlite_db.sessions() as session:
        row = Company(name="Acme", slug="acme")
        session.add(row)
        await session.commit()
    assert row.name == "Acme" and row.id is not None and row.data_version == 0


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_plain_urls_get_the_async_driver(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("not a url", "is not a database URL"),
        ("mysql+aiomysql://u@h/db", "'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/db", "is not async"),
    ],
)
def test_bad_urls_get_a_message_saying_what_to_write(url: str, hint: str) -> None:
    with pytest.raises(DatabaseURLError) as caught:
        Database(url)
    assert hint in str(caught.value)
    assert "sqlite+aiosqlite:///var/interview_insights.db" in str(caught.value)


async def test_repr_hides_the_password() -> None:
    db = Database("postgresql+asyncpg://bot:s3cret@localhost/ii")
    try:
        assert "s3cret" not in repr(db) and "bot" in repr(db)
        assert db.dialect == "postgresql"
    finally:
        await db.dispose()


async def test_database_fixture_is_migrated_and_empty(database: Database) -> None:
    async with database.sessions() as session:
        assert (await session.execute(text("SELECT COUNT(*) FROM companies"))).scalar() == 0
    assert await database.current_revision() is not None
