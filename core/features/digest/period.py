"""Digest weeks: a period ends at the configured weekday and hour (local time) and covers the 7 days before.

Periods are identified by their start instant in UTC, so the unique period_start of digest_runs makes
each week's run exactly one row whichever worker or command (scheduler tick, `main.py digest`) starts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Period:
    """One digest week [start, end) in UTC."""

    start: datetime
    end: datetime


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """`day` at hour:minute local time, in UTC (whole local days, so DST weeks still line up)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def scheduled_end(now: datetime, weekday: str, hour: int, minute: int, timezone: str) -> datetime:
    """The latest scheduled send instant at or before `now` (UTC), in the configured local time."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - WEEKDAYS.index(weekday)) % 7)
    candidate = _at(day, hour, minute, zone)
    return candidate if candidate <= now else _at(day - WEEK, hour, minute, zone)


def due_period(now: datetime, weekday: str, hour: int, minute: int, timezone: str) -> Period:
    """The week that ended most recently (what the weekly job sends)."""
    zone = ZoneInfo(timezone)
    end = scheduled_end(now, weekday, hour, minute, timezone)
    return Period(_at(end.astimezone(zone).date() - WEEK, hour, minute, zone), end)


def current_period(now: datetime, weekday: str, hour: int, minute: int, timezone: str) -> Period:
    """The week in progress (what `main.py digest --now` sends early; its scheduled send is then skipped)."""
    zone = ZoneInfo(timezone)
    start = scheduled_end(now, weekday, hour, minute, timezone)
    return Period(start, _at(start.astimezone(zone).date() + WEEK, hour, minute, zone))
