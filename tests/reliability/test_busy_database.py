"""A busy SQLite file (another process holds its write lock longer than the busy timeout, as
`main.py seed-demo` did for 17 s) makes a student's dialog step wait, never "Something went wrong";
the seeder commits in batches so the lock is only ever held for one batch."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select, text

import storage.db
import storage.seed_demo as seed
from storage.db import open_database
from storage.models import User
from storage.seed_demo import seed_demo
from tests.console.driver import Console, make_app

HOLD_S = 1.2  # the other writer's lock, four times the busy timeout below
BUSY_MS = 300


def _hold_write_lock(path: str, started: threading.Event, hold_s: float) -> None:
    """Another process: take the file's write lock (BEGIN IMMEDIATE + a write) and keep it `hold_s`."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE users SET display_name = display_name WHERE id = -1")
        started.set()
        time.sleep(hold_s)
        conn.execute("COMMIT")
    finally:
        conn.close()


async def test_a_dialog_step_waits_for_a_writer_holding_the_lock_past_the_busy_timeout(
    tmp_path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(storage.db, "DEFAULT_BUSY_TIMEOUT_MS", BUSY_MS)
    path = tmp_path / "c.db"
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{path}")
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        first = await student.say("/share")
        assert "Something went wrong" not in first
        started = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(str(path), started, HOLD_S))
        holder.start()
        assert started.wait(5)
        try:
            answered = await student.say("Asha Rao")  # the step saves the dialog: needs the write lock
        finally:
            holder.join()
        assert "Something went wrong" not in answered
        assert "locked" not in answered
        async with app.database.sessions() as session:
            state = (
                await session.execute(text("SELECT answers FROM dialog_states WHERE user_id = 'stu-1'"))
            ).scalar_one()
        assert "Asha Rao" in str(state)
    finally:
        await app.close()


async def test_seed_demo_commits_batch_by_batch(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """Each batch is its own transaction: a watcher between batches sees the students already written."""
    seen: list[int] = []
    sqlite_db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")

    write = seed._write

    async def counting_write(session, *args, **kwargs):
        async with sqlite_db.sessions() as other:  # another connection: sees only committed rows
            seen.append((await other.execute(select(func.count()).select_from(User))).scalar_one())
        return await write(session, *args, **kwargs)

    monkeypatch.setattr(seed, "_write", counting_write)
    try:
        report = await seed_demo(sqlite_db.sessions, experiences=30, seed=1, analyse=False, batch_size=10)
    finally:
        await sqlite_db.dispose()
    assert report.experiences == 30
    assert len(seen) >= 3
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] > 0  # earlier batches were committed
