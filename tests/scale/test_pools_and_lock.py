"""The database pool settings reach SQLAlchemy, the app takes the user lock its database calls for, and
the router holds it around each event with the event's key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from core.app import bootstrap
from core.config import parse_config
from core.events import ChatRef, IncomingEvent, UserRef
from core.ports import NoUserLock, UserLock
from storage.db import Database
from storage.locks import AdvisoryUserLock, lock_key

POOLS = {"pool_size": 3, "max_overflow": 4, "pool_timeout_s": 7.5, "lock_pool_size": 2}


async def test_pool_settings_size_the_postgres_pools_and_sqlite_ignores_them(database_url: str) -> None:
    config = parse_config({"database": {"url": database_url, **POOLS}})
    app = await bootstrap(config, db_url=database_url)
    try:
        lock = app.router.user_lock
        if app.database.dialect == "postgresql":
            pool = app.database.engine.pool
            assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 4, 7.5)  # type: ignore[attr-defined]
            assert isinstance(lock, AdvisoryUserLock)
            assert lock.engine.pool.size() == 2 and lock.engine.pool._max_overflow == 0  # type: ignore[attr-defined]
        else:
            assert isinstance(lock, NoUserLock)
    finally:
        await app.close()


class RecordingLock(UserLock):
    """Records the keys it holds and whether a handler ran inside the hold."""

    def __init__(self) -> None:
        self.held: list[tuple[str, str, str]] = []
        self.inside = False

    def hold(self, key: tuple[str, str, str]) -> AbstractAsyncContextManager[None]:
        @contextlib.asynccontextmanager
        async def held() -> AsyncIterator[None]:
            self.held.append(key)
            self.inside = True
            try:
                yield
            finally:
                self.inside = False

        return held()

    async def close(self) -> None:
        pass


async def test_router_runs_each_event_inside_the_user_lock(tmp_path) -> None:
    app = await bootstrap(
        parse_config({"insights": {"chart_workers": 0}}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db"
    )
    lock = RecordingLock()
    app.router.user_lock = lock
    seen_inside: list[bool] = []
    resolve = app.router._resolve

    async def resolving(event: IncomingEvent):  # the actor lookup is the first database work of an event
        seen_inside.append(lock.inside)
        return await resolve(event)

    app.router._resolve = resolving
    try:
        event = IncomingEvent(
            user=UserRef("telegram", "42", "Asha"),
            chat=ChatRef("telegram", "42"),
            kind="command",
            command="help",
        )
        replies = await app.handle(event)
        assert "/share" in replies[0].text
        assert lock.held == [("telegram", "42", "42")] and seen_inside == [True]
    finally:
        await app.close()


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    key = lock_key(("telegram", "1001", "1001"))
    assert key == lock_key(("telegram", "1001", "1001")) and -(2**63) <= key < 2**63
    assert len({lock_key(("telegram", a, b)) for a, b in (("1", "23"), ("12", "3"), ("1", "2"))}) == 3


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_second_process_waits_for_the_first_and_a_stuck_lock_times_out(database_url: str) -> None:
    db = Database(database_url)
    first, second = AdvisoryUserLock(db), AdvisoryUserLock(db, lock_timeout_s=0.3)
    key = ("telegram", "7", "7")
    order: list[str] = []

    async def event(lock: AdvisoryUserLock, name: str, work: float) -> None:
        async with lock.hold(key):
            order.append(f"{name} starts")
            await asyncio.sleep(work)
            order.append(f"{name} ends")

    try:
        entered = asyncio.Event()

        async def long_first() -> None:
            async with first.hold(key):
                entered.set()
                order.append("first starts")
                await asyncio.sleep(1.0)
                order.append("first ends")

        task = asyncio.create_task(long_first())
        await entered.wait()
        await event(second, "second", 0)  # lock_timeout 0.3 s: runs unlocked, with a warning
        await task
        assert order == ["first starts", "second starts", "second ends", "first ends"]
        order.clear()
        patient = AdvisoryUserLock(db)
        try:
            entered.clear()
            task = asyncio.create_task(long_first())
            await entered.wait()
            await event(patient, "second", 0)  # waits for the first to end
            await task
            assert order == ["first starts", "first ends", "second starts", "second ends"]
        finally:
            await patient.close()
    finally:
        await first.close()
        await second.close()
        await db.dispose()
