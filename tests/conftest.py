"""Shared fixtures: a migrated Database on SQLite and PostgreSQL (`database`), and a cheap in-memory one."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database, normalize_url, open_database

logger = logging.getLogger(__name__)

# Parametrise any fixture or test over these to run it on both databases.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_base_url() -> URL:
    """TEST_POSTGRES_URL; a missing one skips locally but fails in CI, where PostgreSQL is required."""
    raw = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not raw:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL first")
        pytest.skip("PostgreSQL tests need TEST_POSTGRES_URL (start a server with: .ci/run --postgres-only)")
    return normalize_url(raw)


async def _admin(base: URL, *statements: str) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the TEST_POSTGRES_URL database."""
    engine = create_async_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database with no tables at all (migration tests build it up from nothing), on each backend.

    SQLite: a file in a folder that does not exist yet (opening must create it); PostgreSQL: a fresh
    database on TEST_POSTGRES_URL's server, dropped afterwards.
    """
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


async def _migrated(url: URL | str) -> None:
    db = await open_database(url)
    await db.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[URL, str]]:
    """A PostgreSQL database migrated once per session; each test gets a copy made with CREATE DATABASE."""
    base = postgres_base_url()
    name = f"ii_template_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(_migrated(base.set(database=name)))
        yield base, name
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test copies it (much cheaper than migrating)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))  # dispose checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, migrated database of its own for this test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "var" / "test.db"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    base, template = request.getfixturevalue("postgres_template")
    name = f"ii_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated Database (SQLite file under tmp_path, or a fresh PostgreSQL database), disposed after."""
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def sqlite_db() -> AsyncIterator[Database]:
    """A cheap migrated in-memory SQLite Database for unit tests (one shared connection)."""
    db = await open_database("sqlite+aiosqlite://")
    try:
        yield db
    finally:
        await db.dispose()
