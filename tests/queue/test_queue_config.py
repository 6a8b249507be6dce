"""The queue's pieces that need no PostgreSQL: refusing SQLite, URLs, the digest's UTC cron, job pickles."""

from __future__ import annotations

import functools
import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

import main
from core.config import ConfigError, DigestConfig, parse_config
from core.features.company.charts import ChartJob
from media import chart_jobs
from storage.queue import QueueUnavailable, conninfo, dump_job, load_job, weekly_cron


def test_the_worker_refuses_sqlite(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({}), encoding="utf-8")
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    assert main.main(["--config", str(path), "--db", db, "worker"]) == 2
    assert (
        "the task queue needs PostgreSQL; on SQLite the bot runs jobs in-process" in capsys.readouterr().err
    )


def test_the_worker_refuses_a_config_whose_bots_never_defer_jobs(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"queue": {"backend": "inprocess"}}), encoding="utf-8")
    # refused before connecting: nothing listens on this port
    db = "postgresql+asyncpg://nobody@127.0.0.1:9/ii"
    assert main.main(["--config", str(path), "--db", db, "worker"]) == 2
    err = capsys.readouterr().err
    assert "queue.backend is inprocess" in err and "INTERVIEW_INSIGHTS_QUEUE=procrastinate" in err
    assert len(err.strip().splitlines()) == 1


def test_a_worker_that_cannot_reach_postgresql_exits_1_with_one_line(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"queue": {"backend": "procrastinate"}}), encoding="utf-8")
    db = "postgresql+asyncpg://nobody@127.0.0.1:9/ii"  # nothing listens there
    assert main.main(["--config", str(path), "--db", db, "worker"]) == 1  # a supervisor restarts it
    err = capsys.readouterr().err
    assert err.startswith("error: the queue worker cannot start: ") and len(err.strip().splitlines()) == 1


async def test_the_bot_refuses_the_queue_backend_on_sqlite(tmp_path):
    config = parse_config({"queue": {"backend": "procrastinate"}})
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        await main.open_task_queue(config, f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert await main.open_task_queue(parse_config({}), f"sqlite+aiosqlite:///{tmp_path / 'x.db'}") is None


def test_queue_settings_are_checked():
    with pytest.raises(ConfigError, match="queue.backend"):
        parse_config({"queue": {"backend": "celery"}})
    with pytest.raises(ConfigError, match="stalled_after_s must be longer than heartbeat_s"):
        parse_config({"queue": {"heartbeat_s": 30, "stalled_after_s": 10}})


def test_asyncpg_urls_become_psycopg_conninfo():
    assert conninfo("postgresql+asyncpg://bot:p%40ss@db:5433/ii?ssl=require") == (
        "postgresql://bot:p%40ss@db:5433/ii?sslmode=require"
    )
    assert conninfo("postgresql://bot@db/ii") == "postgresql://bot@db/ii"
    with pytest.raises(QueueUnavailable):
        conninfo("sqlite+aiosqlite:///x.db")


def test_the_weekly_digest_cron_is_the_local_time_in_utc():
    # Monday 09:00 in Kolkata (UTC+5:30) is Monday 03:30 UTC; cron weekday 1 is Monday.
    kolkata = DigestConfig(weekday="mon", hour=9, minute=0, timezone="Asia/Kolkata")
    assert weekly_cron(kolkata, datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))) == "30 3 * * 1"
    # Monday 02:00 in Kolkata is Sunday 20:30 UTC.
    early = DigestConfig(weekday="mon", hour=2, minute=0, timezone="Asia/Kolkata")
    assert weekly_cron(early, datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))) == "30 20 * * 0"


def test_chart_jobs_travel_but_other_pickles_are_refused():
    job = ChartJob("topics", functools.partial(chart_jobs.topics_bar, "Acme", {"dp": 3}, 4))
    back = load_job(dump_job(job))
    assert (
        back.view == "topics" and back.draw.func is chart_jobs.topics_bar and back.draw.args[1] == {"dp": 3}
    )
    import base64
    import os

    evil = base64.b64encode(pickle.dumps(functools.partial(os.system, "true"))).decode()
    with pytest.raises(pickle.UnpicklingError, match="posix.system is not allowed"):
        load_job(evil)
