"""Per-user event locks across processes: PostgreSQL advisory locks behind the core's UserLock port.

Why: several Telegram webhook workers behind one load balancer may each receive an update of the same
student. The router's asyncio lock only orders events inside one process; this lock makes a second
worker's event of the same (platform, chat, user) wait until the first is done, so one student's events
never run at once anywhere and each sees the state the previous one saved.

How: each event takes a connection from a pool of its own (so events holding a lock can never take every
connection their work needs from the main pool), opens a transaction, and runs
`SELECT pg_advisory_xact_lock(<64-bit hash of the key>)`. PostgreSQL grants waiting advisory locks in
the order they were requested, so two updates delivered one after the other run in that order. The
transaction ends (COMMIT, or ROLLBACK on an error) when the event is done, which releases the lock; if
the worker dies, its connection closes and the lock goes with it. The transaction writes nothing and,
in READ COMMITTED, holds no snapshot between statements, so it does not hold back vacuum.

Overload (issue 14): when more events run at once than the pool has connections (200 students through
one worker), the others wait for a connection in arrival order (a FIFO semaphore of the pool's size in
front of the pool), with no deadline: an event never runs unlocked merely because many other users'
events are queued in this process. The wait is bounded anyway: each connection is held for one event,
whose lock wait is bounded by `lock_timeout_s`. A wait longer than `pool_timeout_s` is logged (with how
many events were waiting) and counted (`slow_waits`, `longest_wait_s`).

Failure policy: when the lock is not granted within `lock_timeout_s` (a stuck event of the same user in
ANOTHER worker), the event runs without the cross-process lock and a warning is logged: the dialog's
version-checked save (core/dialog/engine.py) still refuses a lost update, which is better than leaving
the student without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from core.ports import NoUserLock, UserLock
from storage.db import Database, application_name

logger = logging.getLogger(__name__)

LOCK_SQL = text("SELECT pg_advisory_xact_lock(:key)")
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock_timeout
NAMESPACE = b"interview-insights:user-event:"  # keeps these keys apart from other advisory-lock users


def lock_key(key: tuple[str, str, str]) -> int:
    """A stable signed 64-bit number for (platform, chat id, user id): pg_advisory_xact_lock's bigint.

    The same key gives the same number in every process and release (blake2b, not Python's salted
    hash); parts are joined with NUL so ("a", "bc") and ("ab", "c") differ.
    """
    digest = hashlib.blake2b(NAMESPACE + "\0".join(key).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryUserLock(UserLock):
    """UserLock on PostgreSQL: a transaction-scoped advisory lock per event, on a pool of its own."""

    def __init__(
        self,
        database: Database,
        *,
        pool_size: int = 10,
        pool_timeout_s: float = 30.0,
        lock_timeout_s: float = 30.0,
    ) -> None:
        """`pool_size` connections (no overflow) hold the locks of that many events at once; the others
        wait for one in arrival order without a deadline, and a wait longer than `pool_timeout_s` is
        logged; an event waits up to `lock_timeout_s` for another worker's event of the same user before
        running unlocked (seconds; module docstring)."""
        if database.dialect != "postgresql":
            raise ValueError(f"advisory locks need PostgreSQL, not {database.dialect}")
        self.lock_timeout_ms = max(1, int(lock_timeout_s * 1000))
        self.slow_wait_s = pool_timeout_s
        self.slow_waits = 0  # events that waited longer than slow_wait_s for a lock connection
        self.longest_wait_s = 0.0
        self._slots = asyncio.Semaphore(pool_size)  # FIFO: one per connection, so checkouts never wait
        self._waiting = 0
        self.engine: AsyncEngine = create_async_engine(
            database.url,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=max(pool_timeout_s, 30.0),  # not reached: the semaphore hands out free ones
            pool_pre_ping=True,
            # these connections only ever take advisory locks, so lock_timeout is a session setting,
            # sent when connecting: no SET per event (issue 14)
            connect_args={
                "server_settings": {
                    "application_name": application_name(),
                    "lock_timeout": str(self.lock_timeout_ms),
                }
            },
        )

    def hold(self, key: tuple[str, str, str]) -> AbstractAsyncContextManager[None]:
        """Hold the user's advisory lock while the body runs (released when it ends, however it ends)."""
        return self._hold(key)

    @contextlib.asynccontextmanager
    async def _hold(self, key: tuple[str, str, str]) -> AsyncIterator[None]:
        await self._slot(key)
        try:
            held = await self._acquire(key)
            if held is None:
                yield  # unlocked (warned); the version check still guards the dialog
                return
            async with held:  # the transaction, and the lock, end here: commit, or rollback on an error
                yield
        finally:
            self._slots.release()

    async def _slot(self, key: tuple[str, str, str]) -> None:
        """Wait for a free lock connection, in arrival order and without a deadline; log a slow wait."""
        if not self._slots.locked():
            await self._slots.acquire()
            return
        self._waiting += 1
        started = time.monotonic()
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        waited = time.monotonic() - started
        self.longest_wait_s = max(self.longest_wait_s, waited)
        if waited > self.slow_wait_s:
            self.slow_waits += 1
            logger.warning(
                "a %s event waited %.1f s for a free lock connection (%d events still waiting): the lock "
                "pool is too small for this load (database.lock_pool_size)",
                key[0],
                waited,
                self._waiting,
            )

    async def _acquire(self, key: tuple[str, str, str]) -> contextlib.AsyncExitStack | None:
        """Connect, begin, lock: the open connection and transaction, or None (with a warning, nothing
        left open) when the lock timed out (or, which the semaphore prevents, the pool did). Other
        database errors are raised."""
        async with contextlib.AsyncExitStack() as stack:
            try:
                conn: AsyncConnection = await stack.enter_async_context(self.engine.connect())
            except PoolTimeout:
                logger.error("no free lock connection in time: a %s event runs without its lock", key[0])
                return None
            await stack.enter_async_context(conn.begin())  # lock_timeout: set on the connection
            try:
                await conn.execute(LOCK_SQL, {"key": lock_key(key)})
            except DBAPIError as problem:
                if getattr(problem.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                logger.warning("a %s user's lock was busy too long: the event runs without it", key[0])
                return None  # the stack rolls back and returns the connection
            return stack.pop_all()
        return None  # unreachable: keeps type checkers sure every path returns

    async def close(self) -> None:
        """Close the lock connections (held locks end with their transactions first)."""
        await self.engine.dispose()


def user_lock_for(
    database: Database,
    *,
    pool_size: int = 10,
    pool_timeout_s: float = 30.0,
    lock_timeout_s: float = 30.0,
) -> UserLock:
    """The UserLock for this database: advisory locks on PostgreSQL, nothing more on SQLite (one
    process writes a SQLite file's dialogs at a time anyway)."""
    if database.dialect == "postgresql":
        return AdvisoryUserLock(
            database, pool_size=pool_size, pool_timeout_s=pool_timeout_s, lock_timeout_s=lock_timeout_s
        )
    return NoUserLock()
