"""Prints what the per-user event lock (storage/locks.py) costs on PostgreSQL (figures, no assertions).

Usage: `python bench/user_lock.py postgresql+asyncpg://user@host/db` (or TEST_POSTGRES_URL set). Prints,
for an empty event body: the wall time of one hold (connect from the lock pool, BEGIN, SET LOCAL,
pg_advisory_xact_lock, COMMIT) one after another, with 64 users at once, and the added time of a whole
/help event through the real router (bootstrap on that database) with and without the lock.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import parse_config  # noqa: E402
from core.events import ChatRef, IncomingEvent, UserRef  # noqa: E402
from core.ports import NoUserLock  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.locks import AdvisoryUserLock  # noqa: E402


def summary(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, n={len(ordered)}"


async def holds(lock: AdvisoryUserLock, users: int, rounds: int) -> list[float]:
    """Wall time of each hold (empty body), `users` different users at once, `rounds` times each."""
    samples: list[float] = []

    async def user(n: int) -> None:
        for _ in range(rounds):
            started = time.perf_counter()
            async with lock.hold(("telegram", str(n), str(n))):
                pass
            samples.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(user(n) for n in range(users)))
    return samples


async def help_events(url: str, locked: bool, count: int) -> list[float]:
    """Wall time of /help through the real App, one after another, with or without the user lock."""
    from core.app import bootstrap

    app = await bootstrap(
        parse_config({"digest": {"enabled": False}, "insights": {"chart_workers": 0}}), db_url=url
    )
    if not locked:
        await app.router.user_lock.close()
        app.router.user_lock = NoUserLock()
    samples = []
    try:
        for n in range(count):
            who = str(n % 50)  # 50 students, so the user rows exist after the warm-up
            event = IncomingEvent(
                user=UserRef("telegram", who, "Asha"),
                chat=ChatRef("telegram", who),
                kind="command",
                command="help",
            )
            started = time.perf_counter()
            await app.handle(event)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        await app.close()
    return samples


async def main(url: str) -> None:
    db = Database(url)
    lock = AdvisoryUserLock(db, pool_size=64)
    try:
        await holds(lock, 1, 20)  # warm the pool
        print("hold, one user after another:", summary(await holds(lock, 1, 500)))
        print("hold, 64 users at once:      ", summary(await holds(lock, 64, 20)))
    finally:
        await lock.close()
        await db.dispose()
    await help_events(url, True, 50)  # warm
    without = await help_events(url, False, 300)
    with_lock = await help_events(url, True, 300)
    print("/help event without the lock:", summary(without))
    print("/help event with the lock:   ", summary(with_lock))
    print(f"added per event (p50): {statistics.median(with_lock) - statistics.median(without):.2f} ms")


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TEST_POSTGRES_URL", "")
    if not target:
        sys.exit("usage: python bench/user_lock.py <postgresql+asyncpg://...> (or set TEST_POSTGRES_URL)")
    asyncio.run(main(target))
