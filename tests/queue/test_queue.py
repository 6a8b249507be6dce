"""The durable task queue (storage/queue.py) with real `python main.py worker` processes on PostgreSQL.

A scoring deferred by the bot is scored by a worker process and the student's scorecard is stored and
pushed; a chart drawn by a worker is the same PNG the bot would draw itself; a worker killed mid-job
has its job finished once by another worker and leaves no process behind; with two workers up the
periodic digest reaches every chat once.
"""

from __future__ import annotations

import functools
import os
import signal
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

import main
from core.config import parse_config
from core.features.company.charts import ChartJob, ChartService, render_job
from media import chart_jobs
from storage.models import DigestDelivery, MockAttempt, Subscription
from tests.media_video import clips as C
from tests.queue.blocking import RESULT, go_marker, started_marker
from tests.queue.harness import (
    attempts,
    close_bot,
    open_bot,
    send_answer,
    session_members,
    settings,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]


async def test_a_deferred_scoring_and_chart_run_in_a_worker_process(tmp_path, database_url, workers):
    data = settings(tmp_path)
    app, queue, outbox = await open_bot(tmp_path, database_url, data)
    group = workers(data)
    try:
        clip = C.write_clip(tmp_path / "answer.mp4", lambda t, i: C.place(C.grace()), 3.0)
        reply = await send_answer(app, clip)
        assert "Scoring your answer" in reply
        [waiting] = await attempts(app)
        assert waiting.status == "scoring"  # the bot did not score it itself
        assert outbox.sent == []

        group.start()

        async def scored() -> MockAttempt | None:
            [attempt] = await attempts(app)
            return attempt if attempt.status != "scoring" else None

        attempt = await wait_until(scored, 180, "the worker to score the attempt", group)
        assert attempt.status == "done", attempt.error
        assert 0 <= attempt.overall <= 100 and {"face_visible", "eye_contact"} <= set(attempt.scores)
        # The scorecard was pushed by the worker (console chats are printed on its terminal).
        await wait_until(lambda: "Your scorecard" in group.output(0), 10, "the pushed scorecard", group)
        assert f"Your scorecard: {attempt.overall}/100" in group.output(0)
        assert not any((tmp_path / "mock" / "incoming").iterdir())  # the video is deleted after scoring

        # A chart drawn by the worker is the chart the bot would draw itself, and lands in its cache.
        job = ChartJob("topics", functools.partial(chart_jobs.topics_bar, "Acme", {"dp": 4, "graphs": 2}, 5))
        service = ChartService(0)
        [image] = await service.images("company", 1, 7, [job])
        png, filename, caption = render_job(job)
        assert image.png.startswith(b"\x89PNG") and image.png == png
        assert (image.filename, image.caption) == (filename, caption)
        assert service.cached("company", 1, 7, "topics") == image
        async with app.database.sessions() as session:
            left = await session.scalar(text("SELECT count(*) FROM queue_results"))
        assert left == 0  # the bot took its result
    finally:
        await close_bot(app, queue)


async def test_a_worker_killed_mid_scoring_is_replaced_and_the_result_stored_once(
    tmp_path, database_url, workers
):
    data = settings(tmp_path)
    app, queue, outbox = await open_bot(tmp_path, database_url, data)
    # chart processes in the worker, so killing it has children that must not outlive it
    group = workers({**data, "insights": {**data["insights"], "chart_workers": 1}})
    try:
        video = tmp_path / "answer.mp4"
        C.write_clip(video, lambda t, i: C.place(C.grace()), 3.0)
        assert "Scoring your answer" in await send_answer(app, video)
        [waiting] = await attempts(app)
        incoming = tmp_path / "mock" / "incoming"
        [stored] = list(incoming.iterdir())  # the upload the job scores

        first = group.start("tests.queue.blocking")
        await wait_until(started_marker(stored).exists, 60, "the first worker to start scoring", group)
        assert started_marker(stored).read_text() == str(first.pid)
        await wait_until(lambda: len(session_members(first.pid)) >= 2, 30, "its chart process", group)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        await wait_until(lambda: not session_members(first.pid), 10, "no process of the dead worker", group)

        started_marker(stored).unlink()
        go_marker(stored).write_text("go")
        second = group.start("tests.queue.blocking")

        async def finished() -> MockAttempt | None:
            [attempt] = await attempts(app)
            return attempt if attempt.status != "scoring" else None

        attempt = await wait_until(finished, 60, "the second worker to finish the job", group)
        assert started_marker(stored).read_text() == str(second.pid)
        assert (attempt.id, attempt.status, attempt.overall) == (waiting.id, "done", RESULT["overall"])
        await wait_until(lambda: "Your scorecard" in group.output(1), 10, "the pushed scorecard", group)

        # The same job once more (a duplicate delivery) does not score or push again.
        await queue.defer(
            "mock.score_attempt",
            {
                "attempt": attempt.id,
                "path": str(stored),
                "platform": "console",
                "chat": "console-user",
                "private": True,
                "keep": False,
                "question": "again",
            },
        )
        await wait_until(lambda: _jobs_done(app, "mock.score_attempt", 2), 30, "the duplicate job", group)
        async with app.database.sessions() as session:
            runs = (
                (
                    await session.execute(
                        text(
                            "SELECT attempts FROM procrastinate_jobs"
                            " WHERE task_name = 'mock.score_attempt' ORDER BY id"
                        )
                    )
                )
                .scalars()
                .all()
            )
        # procrastinate counts a retry and a finished run: the killed worker's job was handed back once
        # and finished once; the duplicate ran once
        assert list(runs) == [2, 1]
        logs = group.errors(0) + group.errors(1)
        assert logs.count("(mock.score_attempt) of a dead worker handed back to the queue") == 1
        assert group.output(1).count("Your scorecard") == 1 and "Your scorecard" not in group.output(0)
        assert len(await attempts(app)) == 1
        assert not stored.exists()  # deleted after scoring, as the student chose
    finally:
        await close_bot(app, queue)


async def _jobs_done(app, task: str, count: int) -> bool:
    async with app.database.sessions() as session:
        done = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = 'succeeded'"),
            {"t": task},
        )
    return done == count


async def test_two_workers_send_the_periodic_digest_once_per_chat(tmp_path, database_url, workers):
    today = datetime.now(UTC).strftime("%a").lower()
    data = settings(
        tmp_path,
        # The week ends today at 00:00 UTC: due, and inside the catch-up window whenever this runs.
        digest={"weekday": today, "hour": 0, "minute": 0, "timezone": "UTC", "send_pause_s": 0},
        queue={"digest_cron": "* * * * * */2"},  # a tick every 2 seconds (6th column: seconds)
    )
    chats = ["console-user", "student-2", "student-3"]
    app, queue, _outbox = await open_bot(tmp_path, database_url, data)
    try:
        async with app.database.sessions.begin() as session:
            session.add_all(Subscription(platform="console", chat_id=chat, kind="user") for chat in chats)
        group = workers(data)
        group.start()
        group.start()

        await wait_until(lambda: _jobs_at_least(app, "digest.tick", 4), 90, "four digest ticks", group)
        async with app.database.sessions() as session:
            rows = (
                await session.execute(
                    select(DigestDelivery.chat_id, DigestDelivery.status, func.count()).group_by(
                        DigestDelivery.chat_id, DigestDelivery.status
                    )
                )
            ).all()
            per_tick = (
                await session.execute(
                    text(
                        "SELECT args->>'timestamp', count(*) FROM procrastinate_jobs"
                        " WHERE task_name = 'digest.tick' GROUP BY 1"
                    )
                )
            ).all()
        assert sorted(rows) == [(chat, "sent", 1) for chat in sorted(chats)]
        assert len(per_tick) >= 4 and all(count == 1 for _, count in per_tick)  # each tick deferred once
        shown = group.output(0) + group.output(1)
        assert shown.count("Weekly interview digest") == 1  # console-user's digest, printed by one worker
    finally:
        await close_bot(app, queue)


async def _jobs_at_least(app, task: str, n: int) -> bool:
    async with app.database.sessions() as session:
        done = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = 'succeeded'"),
            {"t": task},
        )
    return done >= n


async def test_migrate_applies_the_queue_schema_once(database_url, capsys):
    config = parse_config({})
    assert await main.run_migrate(config, database_url) == 0
    assert await main.run_migrate(config, database_url) == 0  # again: nothing to create, no error
    assert capsys.readouterr().out.count("Database is at the latest schema.") == 2
    from storage.db import Database

    db = Database(database_url)
    try:
        async with db.sessions() as session:
            tables = set(
                (
                    await session.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'"
                            " OR tablename = 'queue_results'"
                        )
                    )
                ).scalars()
            )
    finally:
        await db.dispose()
    assert {
        "procrastinate_jobs",
        "procrastinate_workers",
        "procrastinate_periodic_defers",
        "queue_results",
    } <= tables
