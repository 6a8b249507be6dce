"""The durable task queue (storage/queue.py) with real `python main.py worker` processes on PostgreSQL.

A scoring deferred by the bot is scored by a worker process and the student's scorecard is stored and
pushed; a chart drawn by a worker is the same PNG the bot would draw itself; a worker killed mid-job
has its job finished once by another worker and leaves no process behind; with two workers up the
periodic digest reaches every chat once.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select, text

import main
from core.app import bootstrap
from core.config import parse_config
from core.features.company import charts
from core.features.company.charts import ChartJob, ChartService, render_job
from media import chart_jobs
from storage.models import DigestDelivery, MockAttempt, Subscription
from tests.console.driver import Console, Outbox
from tests.media_video import clips as C
from tests.queue.blocking import RESULT, go_marker, started_marker
from tests.support.config import test_settings

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]

ROOT = Path(__file__).resolve().parents[2]
# Fast failure detection for tests: heartbeats every 0.5 s, a worker silent for 3 s is dead.
FAST_QUEUE = {
    "backend": "procrastinate",
    "heartbeat_s": 0.5,
    "stalled_after_s": 3.0,
    "stalled_check_s": 0.5,
    "poll_s": 0.5,
}


def settings(tmp_path: Path, **sections: Any) -> dict[str, Any]:
    """Test settings with the queue on; charts in threads unless a test asks for processes."""
    base = {"queue": FAST_QUEUE, "insights": {"chart_workers": 0}, "digest": {"enabled": False}}
    for key, value in sections.items():
        base[key] = {**base.get(key, {}), **value}
    return test_settings(tmp_path, **base)


def write_config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "worker.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class Workers:
    """`python main.py worker` subprocesses, each the leader of its own session; all killed at the end."""

    def __init__(self, tmp_path: Path, url: str, config: Path) -> None:
        self.tmp_path, self.url, self.config = tmp_path, url, config
        self.procs: list[subprocess.Popen] = []

    def start(self, *imports: str) -> subprocess.Popen:
        n = len(self.procs)
        args = [sys.executable, "main.py", "--config", str(self.config), "--db", self.url, "worker"]
        for module in imports:
            args += ["--import", module]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=open(self.tmp_path / f"worker{n}.out", "wb"),  # noqa: SIM115 - closed with the process
            stderr=open(self.tmp_path / f"worker{n}.err", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def output(self, n: int) -> str:
        return (self.tmp_path / f"worker{n}.out").read_text(encoding="utf-8", errors="replace")

    def errors(self, n: int) -> str:
        return (self.tmp_path / f"worker{n}.err").read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for session_member in session_members(proc.pid):
                os.kill(session_member, signal.SIGKILL)


def session_members(sid: int) -> list[int]:
    """Live processes (not zombies) of session `sid`: a worker's children stay in its session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def workers(tmp_path: Path, database_url: str) -> Iterator[Callable[[dict[str, Any]], Workers]]:
    made: list[Workers] = []

    def make(data: dict[str, Any]) -> Workers:
        made.append(Workers(tmp_path, database_url, write_config(tmp_path, data)))
        return made[-1]

    yield make
    for group in made:
        group.close()


async def wait_until(check: Callable[[], Any], timeout: float, what: str, workers: Workers) -> Any:
    """Poll `check` (sync or async) until it returns something truthy; fail with the workers' stderr."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(workers.errors(n)[-3000:] for n in range(len(workers.procs)))
            pytest.fail(f"timed out waiting for {what}; worker logs:\n{logs}")
        await asyncio.sleep(0.2)


async def open_bot(tmp_path: Path, database_url: str, data: dict[str, Any]):
    """The bot's side as main.run_bot wires it: the queue opened, charts and scorings sent to it."""
    config = parse_config(data)
    queue = await main.open_task_queue(config, database_url)
    app = await bootstrap(config, db_url=database_url)
    app.mock.use_queue(queue)
    outbox = Outbox()
    app.register_notifier("console", outbox)
    return app, queue, outbox


async def close_bot(app, queue) -> None:
    charts.use_runner(None)
    await app.close()
    await queue.close()


async def attempts(app) -> list[MockAttempt]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(MockAttempt))).all())


async def send_answer(app, video: Path) -> str:
    """A student agrees to the recording terms and sends `video` as the answer; the bot's reply."""
    student = Console(app, app.config)
    await student.say("/mock")
    await student.pick("✅ I agree (delete")
    return await student.say(str(video))


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
