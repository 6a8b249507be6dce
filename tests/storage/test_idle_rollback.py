"""SQLite: a read-only session ends without a ROLLBACK round trip to the driver's thread (issue 14),
and everything that did write is still rolled back: a failed unit, a session closed without commit."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import func, select

from storage.db import open_database
from storage.models import Company


async def test_reads_skip_the_rollback_and_writes_are_still_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rollbacks: list[bool] = []
    rollback = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        rollbacks.append(self.in_transaction)
        await rollback(self)

    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    try:
        async with db.sessions() as session:  # reads only: nothing to roll back, no round trip
            assert await session.scalar(select(func.count()).select_from(Company)) == 0
        assert rollbacks == []

        with pytest.raises(RuntimeError):
            async with db.sessions.begin() as session:  # a failed unit of work
                session.add(Company(name="Acme", slug="acme"))
                await session.flush()
                raise RuntimeError("the step failed")
        async with db.sessions() as session:  # a write closed without commit
            session.add(Company(name="Beta", slug="beta"))
            await session.flush()
        assert rollbacks == [True, True]

        async with db.sessions.begin() as session:  # nothing was kept, and the write lock is free
            assert await session.scalar(select(func.count()).select_from(Company)) == 0
            session.add(Company(name="Gamma", slug="gamma"))
        async with db.sessions() as session:
            assert (await session.scalars(select(Company.name))).all() == ["Gamma"]
    finally:
        await db.dispose()
