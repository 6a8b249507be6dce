"""Alembic environment: the same migrations on SQLite (batch mode) and PostgreSQL, from code or the CLI."""

from __future__ import annotations

import asyncio
import logging
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

logger = logging.getLogger(__name__)

config = context.config
target_metadata = Base.metadata
DEFAULT_URL = "sqlite+aiosqlite:///var/interview_insights.db"


def _url() -> str:
    """The URL given by storage.db, else INTERVIEW_INSIGHTS_DB, else the ini option, else the default."""
    url = config.attributes.get("url") or os.environ.get("INTERVIEW_INSIGHTS_DB")
    return str(url or config.get_main_option("sqlalchemy.url") or DEFAULT_URL)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave hand-written, dialect-specific tables (full-text search) out of autogenerate."""
    from storage.db import is_migration_only_table

    return not (type_ == "table" and name is not None and is_migration_only_table(name))


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
        **kwargs,
    )


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on a sync connection (SQLite needs batch mode to alter tables)."""
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (alembic upgrade --sql)."""
    from storage.db import normalize_url

    url = normalize_url(_url())
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """CLI path: open our own engine (with the same pragmas as the app) and migrate on one connection."""
    from storage.db import Database

    db = Database(_url())
    try:
        async with db.engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await db.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    run_migrations_offline()
elif connection is not None:
    # storage.db runs us inside the app's event loop and hands over a sync connection.
    do_run_migrations(connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(run_async_migrations())
