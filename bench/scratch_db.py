"""Scratch PostgreSQL databases for the benches: created fresh on a server, dropped when the bench ends.

A bench never writes into the database its URL names (that may be someone's test or real database): it
creates `<prefix>_<pid>` beside it on the same server and drops it afterwards, however the run ended.
Used by bench/load.py, bench/digest.py and bench/task_queue.py (imported as a sibling module, since the
scripts run as `python bench/x.py`).
"""

from __future__ import annotations

import os


async def admin(base: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server of the URL `base`, outside a transaction."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from storage.db import normalize_url

    engine = create_async_engine(normalize_url(base), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def create(base: str, prefix: str) -> tuple[str, str]:
    """A fresh, empty database `<prefix>_<pid>` on `base`'s server (an old one of that name is dropped
    first): its URL (password kept) and its name."""
    from storage.db import normalize_url

    name = f"{prefix}_{os.getpid()}"
    await drop(base, name)
    await admin(base, f'CREATE DATABASE "{name}"')
    return normalize_url(base).set(database=name).render_as_string(hide_password=False), name


async def drop(base: str, name: str) -> None:
    """Drop the database `name` on `base`'s server, closing its connections (PostgreSQL 13+)."""
    await admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
