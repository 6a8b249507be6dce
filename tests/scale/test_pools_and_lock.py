"""The database pool settings reach SQLAlchemy, the app takes the user lock its database calls for, and
the router holds it around each event with the event's key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest
from sqlalchemy import text

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


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_more_events_than_lock_connections_all_run_locked_and_in_order(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14: 200 students at once through one worker used to run out of lock connections and run
    events unlocked. Here 6 users send 8 events each at once through a worker whose lock pool has 2
    connections and a 0.05 s pool wait, while a second worker sends the same users' events too: every
    event runs holding its user's lock (another session cannot take it), one user's events never overlap,
    and each worker runs one user's events in the order they arrived."""
    db = Database(database_url)
    worker = AdvisoryUserLock(db, pool_size=2, pool_timeout_s=0.05)
    other = AdvisoryUserLock(db, pool_size=2, pool_timeout_s=0.05)
    users = [("telegram", str(n), str(n)) for n in range(6)]
    local = {(id(lock), key): asyncio.Lock() for lock in (worker, other) for key in users}  # the router's
    inside: set[tuple[str, str, str]] = set()
    overlaps: list[tuple[str, str, str]] = []
    unlocked: list[tuple[str, str, str]] = []
    ran: dict[tuple[int, tuple[str, str, str]], list[int]] = {}

    async def held_elsewhere(key: tuple[str, str, str]) -> bool:
        async with db.engine.connect() as conn:  # another session: it must not get the user's lock
            return not await conn.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock_key(key)})

    async def event(lock: AdvisoryUserLock, key: tuple[str, str, str], n: int) -> None:
        async with local[(id(lock), key)], lock.hold(key):
            if key in inside:
                overlaps.append(key)
            inside.add(key)
            if not await held_elsewhere(key):
                unlocked.append(key)
            await asyncio.sleep(0.02)
            ran.setdefault((id(lock), key), []).append(n)
            inside.discard(key)

    try:
        with caplog.at_level("WARNING", logger="storage.locks"):
            await asyncio.gather(
                *(event(lock, key, n) for n in range(8) for key in users for lock in (worker, other))
            )
        assert overlaps == [] and unlocked == []
        assert all(ran[(id(lock), key)] == list(range(8)) for lock in (worker, other) for key in users)
        assert "without its lock" not in caplog.text and "busy too long" not in caplog.text
    finally:
        await worker.close()
        await other.close()
        await db.dispose()
