"""Alembic migrations: empty -> head builds exactly storage/models.py on both databases, and back to empty."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from storage.db import (
    Database,
    alembic_config,
    is_migration_only_table,
    migrate,
    open_database,
    table_names,
)
from storage.models import Base, Company
from tests.conftest import BACKENDS, _admin, postgres_base_url


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'empty.db'}"
        return
    base = postgres_base_url()
    name = f"ii_empty_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and is_migration_only_table(name))


def _schema_diff(sync_conn) -> list:
    opts = {"compare_type": True, "compare_server_default": True, "include_name": _include_name}
    return compare_metadata(MigrationContext.configure(sync_conn, opts=opts), Base.metadata)


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_upgrade_from_empty_matches_models_then_downgrade_to_empty(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert await table_names(db) == []
        assert await db.current_revision() is None

        await db.upgrade()
        assert await db.current_revision() == _head()
        tables = set(await table_names(db))
        assert {t for t in tables if not is_migration_only_table(t)} == set(Base.metadata.tables) | {
            "alembic_version"
        }
        assert "search_docs" in tables, "the full-text search migration ran"
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []

        await db.downgrade("base")
        assert await table_names(db) == ["alembic_version"]
        assert await db.current_revision() is None
    finally:
        await db.dispose()


async def test_migrate_is_safe_to_run_on_every_start_and_keeps_data(empty_url: str) -> None:
    await migrate(empty_url)
    db = await open_database(empty_url)  # migrates again: must be a no-op
    try:
        async with db.sessions.begin() as session:
            session.add(Company(name="Zeta Labs", slug="zeta-labs"))
        await migrate(empty_url)
        async with db.sessions() as session:
            assert (await session.scalars(select(Company.name))).all() == ["Zeta Labs"]
        assert await db.current_revision() == _head()
    finally:
        await db.dispose()


async def test_open_database_without_migrate_creates_nothing(empty_url: str) -> None:
    db = await open_database(empty_url, migrate=False)
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        assert await table_names(db) == []
    finally:
        await db.dispose()


def test_migrations_form_a_single_line_of_history() -> None:
    """One head and every revision reachable from it, so `upgrade head` is unambiguous."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(rev.module.__doc__ for rev in revisions), (
        "every revision needs a docstring saying what it changes"
    )


def test_alembic_config_does_not_depend_on_the_current_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == _head()
