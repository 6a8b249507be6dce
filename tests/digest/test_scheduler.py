"""The APScheduler wiring (inspected, never waited for) and the digest weeks it sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.config import parse_config
from core.features.digest.period import current_period, due_period
from core.scheduler import RETRY_JOB, WEEKLY_JOB, DigestScheduler
from tests.digest.conftest import Recorder, command
from tests.digest.data import WEEK_END, WEEK_START


def fields(trigger: CronTrigger) -> dict[str, str]:
    return {f.name: str(f) for f in trigger.fields if f.name in ("day_of_week", "hour", "minute")}


async def test_default_weekly_job_is_monday_0900_kolkata_and_sends_the_digest(app_ids):
    app, ids = app_ids
    scheduler = DigestScheduler(app.digest.sender, app.config.digest)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(WEEKLY_JOB)
        assert isinstance(job.trigger, CronTrigger)
        assert fields(job.trigger) == {"day_of_week": "mon", "hour": "9", "minute": "0"}
        assert str(job.trigger.timezone) == "Asia/Kolkata"
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
        now = datetime.now(UTC)
        assert job.next_run_time == current_period(now, "mon", 9, 0, "Asia/Kolkata").end
        retry = scheduler.scheduler.get_job(RETRY_JOB)
        assert isinstance(retry.trigger, IntervalTrigger) and retry.trigger.interval == timedelta(minutes=30)
        assert now < retry.next_run_time <= now + timedelta(seconds=31)  # resumes soon after a restart

        # The job's function is the digest tick: calling it (instead of waiting a week) sends the digest.
        await app.handle(command("telegram", "1001", "/subscribe"))
        recorder = Recorder()
        app.register_notifier("telegram", recorder)
        await job.func()
        assert recorder.chats() == ["1001"] and "4 new experiences" in recorder.sent[0][1].text
    finally:
        await scheduler.stop()
    assert not scheduler.scheduler.running


async def test_configured_trigger_and_a_failing_tick_keeps_the_scheduler_alive(caplog):
    config = parse_config(
        {
            "digest": {
                "weekday": "Friday",
                "hour": 18,
                "minute": 30,
                "timezone": "Europe/Berlin",
                "retry_minutes": 15,
                "misfire_grace_minutes": 90,
            }
        }
    ).digest

    class Broken:
        stopping = False

        async def tick(self):
            raise ConnectionError("database is down")

    scheduler = DigestScheduler(Broken(), config)  # type: ignore[arg-type]
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(WEEKLY_JOB)
        assert fields(job.trigger) == {"day_of_week": "fri", "hour": "18", "minute": "30"}
        assert str(job.trigger.timezone) == "Europe/Berlin" and job.misfire_grace_time == 90 * 60
        assert job.next_run_time == current_period(datetime.now(UTC), "fri", 18, 30, "Europe/Berlin").end
        assert scheduler.scheduler.get_job(RETRY_JOB).trigger.interval == timedelta(minutes=15)
        await job.func()  # logs, does not raise
        assert "digest tick failed" in caplog.text and "database is down" in caplog.text
        assert scheduler.scheduler.get_job(WEEKLY_JOB) is not None
    finally:
        await scheduler.stop()


async def test_a_stopping_sender_leaves_chats_for_the_next_start(app_ids):
    app, ids = app_ids
    await app.handle(command("telegram", "1001", "/subscribe"))
    recorder = Recorder()
    app.register_notifier("telegram", recorder)
    app.digest.sender.stopping = True  # set by DigestScheduler.stop() at shutdown
    assert (await app.digest.sender.tick()).sent == 0 and recorder.sent == []
    app.digest.sender.stopping = False
    assert (await app.digest.sender.tick()).sent == 1


def test_weeks_end_at_the_configured_local_time():
    when = ("mon", 9, 0, "Asia/Kolkata")
    wednesday = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert due_period(wednesday, *when) == current_period(WEEK_START + timedelta(hours=1), *when)
    assert (due_period(wednesday, *when).start, due_period(wednesday, *when).end) == (WEEK_START, WEEK_END)
    # Exactly at the send instant the new week is due; a second before, the previous one.
    assert due_period(WEEK_END, *when).end == WEEK_END
    assert due_period(WEEK_END - timedelta(seconds=1), *when).end == WEEK_START
    # Across a DST change the week still ends at 09:00 local time (07:00 UTC in summer, 08:00 in winter).
    berlin = ("mon", 9, 0, "Europe/Berlin")
    week = due_period(datetime(2026, 3, 30, 12, tzinfo=UTC), *berlin)
    assert (week.start, week.end) == (
        datetime(2026, 3, 23, 8, tzinfo=UTC),
        datetime(2026, 3, 30, 7, tzinfo=UTC),
    )
    assert current_period(datetime(2026, 3, 25, tzinfo=UTC), *berlin) == week
