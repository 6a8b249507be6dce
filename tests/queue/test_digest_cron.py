"""The queue's weekly digest ticks stay on local time across daylight-saving changes without a restart.

procrastinate's cron is UTC; the workers register every UTC line the zone's send time takes over a
year (storage.queue.weekly_crons). Driven by a fake clock over those ticks across the spring change in
Europe/London, each week's digest reaches the student once, at 09:00 London time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.config import DigestConfig
from storage.queue import weekly_cron, weekly_crons
from tests.console.driver import FakeClock, make_app
from tests.digest.conftest import Recorder, command

croniter = pytest.importorskip("croniter").croniter  # procrastinate's cron library (the postgres extra)

LONDON = ZoneInfo("Europe/London")
MONDAY_9 = {"weekday": "mon", "hour": 9, "minute": 0, "timezone": "Europe/London"}
JANUARY = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)  # the workers started in winter (GMT)


def fires(lines: list[str], start: datetime, end: datetime) -> list[datetime]:
    """Every instant (UTC) one of the cron lines fires in [start, end), in order."""
    found: set[datetime] = set()
    for line in lines:
        ticks = croniter(line, start - timedelta(seconds=1))
        while (at := ticks.get_next(datetime)) < end:
            found.add(at.replace(tzinfo=UTC))
    return sorted(found)


def test_every_monday_of_the_year_has_a_tick_at_9_london_time_whatever_the_offset() -> None:
    digest = DigestConfig(**MONDAY_9)
    lines = weekly_crons(digest, now=JANUARY)
    assert lines == ["0 9 * * 1", "0 8 * * 1"]  # GMT and BST
    year = fires(lines, JANUARY, JANUARY + timedelta(days=365))
    local = [at.astimezone(LONDON) for at in year]
    mondays_at_9 = {at.date() for at in local if at.hour == 9 and at.minute == 0}
    assert len(mondays_at_9) == 52 and all(day.weekday() == 0 for day in mondays_at_9)
    assert {(at.weekday(), at.hour) for at in local} <= {(0, 8), (0, 9), (0, 10)}  # the other tick: ±1 h
    # The single line of before fired at 10:00 all summer (the offset it was born with).
    summer = fires(
        [weekly_cron(digest, now=JANUARY)], datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)
    )
    assert {at.astimezone(LONDON).hour for at in summer} == {10}


def test_a_zone_without_daylight_saving_gets_one_line() -> None:
    assert weekly_crons(DigestConfig(), now=JANUARY) == ["30 3 * * 1"]  # Monday 09:00 IST = 03:30 UTC


async def test_driven_over_the_ticks_across_the_spring_change_each_week_is_sent_once_at_9_local(
    tmp_path,
) -> None:
    clock = FakeClock(datetime(2027, 3, 15, 12, 0, tzinfo=UTC))
    app = await make_app(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
        clock,
        digest={**MONDAY_9, "send_pause_s": 0, "enabled": False},
    )
    try:
        await app.handle(command("console", "student-1", "/subscribe"))
        recorder = Recorder()
        app.register_notifier("console", recorder)
        lines = weekly_crons(app.config.digest, now=JANUARY)
        sent_at: list[datetime] = []
        # British Summer Time starts on Sunday 28 March 2027.
        for at in fires(lines, datetime(2027, 3, 16, tzinfo=UTC), datetime(2027, 4, 13, tzinfo=UTC)):
            clock.now = at
            before = len(recorder.sent)
            await app.digest.sender.tick()
            sent_at += [at] * (len(recorder.sent) - before)
        assert [at.astimezone(LONDON).strftime("%a %d %b %H:%M %Z") for at in sent_at] == [
            "Mon 22 Mar 09:00 GMT",
            "Mon 29 Mar 09:00 BST",
            "Mon 05 Apr 09:00 BST",
            "Mon 12 Apr 09:00 BST",
        ]
        assert recorder.chats() == ["student-1"] * 4  # the tick an hour off sent nothing again
    finally:
        await app.close()
