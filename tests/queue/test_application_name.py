"""Each process kind names its PostgreSQL connections (pg_stat_activity.application_name), so an operator
tells a queue worker's connections from a bot's: a real `python main.py worker` process's SQLAlchemy
pool and procrastinate's psycopg pool both show up as interview-insights-worker."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.queue.harness import close_bot, open_bot, settings, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]

NAMES = (
    "SELECT application_name, backend_type, count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1, 2"
)


async def test_a_worker_names_its_postgresql_connections(
    tmp_path,
    database_url,
    workers,
):
    data = settings(tmp_path)
    app, queue, _outbox = await open_bot(tmp_path, database_url, data)
    try:
        group = workers(data)
        group.start()

        async def worker_connections() -> int:
            async with app.database.sessions() as session:
                rows = (await session.execute(text(NAMES))).all()
            return sum(count for name, _kind, count in rows if name == "interview-insights-worker") >= 6

        # procrastinate's pool (4) and its LISTEN connection, and SQLAlchemy's pool (the start's sweep)
        await wait_until(worker_connections, 60, "the worker's connections", group)
    finally:
        await close_bot(app, queue)
