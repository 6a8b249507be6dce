"""SIGTERM (systemd, Docker, Kubernetes) stops a worker gracefully: the event in flight is finished,
its dialog step saved and answered, and the process exits 0.

To have an event provably in flight when the signal arrives, the test holds the student's user lock
(the same advisory lock key the worker takes, storage.locks.lock_key) on its own connection: the
worker's /share waits in PostgreSQL's lock queue, the test sends SIGTERM, then releases the lock.
Python's default SIGTERM would end the process at once, leaving no dialog and no answer.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text

from storage.db import Database
from storage.locks import lock_key
from storage.models import DialogState
from tests.scale.workers import SECRET, SECRET_HEADER, start_worker
from tests.telegram.conftest import TOKEN
from tests.telegram.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.postgres
POSTGRES = [pytest.param("postgres", marks=pytest.mark.postgres)]
STUDENT = 3001


async def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("database_url", POSTGRES, indirect=True)
async def test_sigterm_finishes_the_event_in_flight_and_exits_0(tmp_path: Path, database_url: str) -> None:
    fake = FakeBotApi(TOKEN)
    await fake.start()
    db = Database(database_url)
    worker = start_worker(tmp_path, fake, database_url, "worker")
    try:
        await worker.wait_listening()
        async with db.engine.connect() as holder:
            await holder.begin()
            key = lock_key(("telegram", str(STUDENT), str(STUDENT)))
            await holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            update = {
                "update_id": 1,
                "message": {
                    "message_id": fake.new_message_id(),
                    "date": int(time.time()),
                    "from": {"id": STUDENT, "is_bot": False, "first_name": "Chitra"},
                    "chat": {"id": STUDENT, "type": "private", "first_name": "Chitra"},
                    "text": "/share",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            headers = {SECRET_HEADER: SECRET}
            async with (
                aiohttp.ClientSession() as session,
                session.post(worker.url, json=update, headers=headers) as sent,
            ):
                assert sent.status == 200

            async def waiting_for_the_lock() -> bool:
                async with db.engine.connect() as probe:
                    waiting = await probe.scalar(
                        text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                    )
                return bool(waiting)

            await wait_until(waiting_for_the_lock)  # the worker's /share is in flight, blocked
            worker.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(1.0)  # the worker is stopping: it must not exit with the event unfinished
            assert worker.process.poll() is None, worker.log_tail()
            await holder.rollback()  # release: the event goes on
        code = await asyncio.to_thread(worker.process.wait, 60)
        assert code == 0, worker.log_tail()
        async with db.sessions() as session:
            [state] = (await session.scalars(select(DialogState))).all()
        assert (state.user_id, state.flow) == (str(STUDENT), "share")  # the step /share started was saved
        answer = "\n".join(m.get("text", "") for m in fake.sent_to(STUDENT))
        assert "Let's share" in answer, answer  # and answered before the exit
        assert "SIGTERM" in worker.log.read_text()
    finally:
        worker.terminate()
        await db.dispose()
        await fake.close()
    assert fake.violations == []
