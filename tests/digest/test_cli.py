"""`python main.py digest [--now]` for cron users: sends once, repeats safely, prints what it did."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import yaml

import main
from storage.db import Database
from storage.models import Subscription


async def _subscribe_console(url: str) -> None:
    db = Database(url)
    try:
        async with db.sessions.begin() as session:
            session.add(Subscription(platform="console", chat_id="console-user", kind="user"))
    finally:
        await db.dispose()


def test_digest_command_sends_once_and_now_sends_the_week_in_progress(tmp_path, database_url, capsys):
    today = datetime.now(UTC).strftime("%a").lower()
    config = {
        "console": {"output_dir": str(tmp_path / "console")},
        # The week ends today at 00:00 UTC, so it is due and inside the catch-up window whenever this runs.
        "digest": {"weekday": today, "hour": 0, "minute": 0, "timezone": "UTC", "send_pause_s": 0},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    asyncio.run(_subscribe_console(database_url))
    argv = ["--config", str(path), "--db", database_url, "digest"]

    assert main.main(argv) == 0
    out = capsys.readouterr().out
    assert "Weekly interview digest" in out and "Nothing new this week" in out
    assert "1 sent, 0 failed, 0 already sent, 0 waiting for their platform" in out

    assert main.main(argv) == 0
    out = capsys.readouterr().out
    assert "Weekly interview digest" not in out and "0 sent, 0 failed, 1 already sent" in out

    assert main.main([*argv, "--now"]) == 0
    out = capsys.readouterr().out
    assert "Weekly interview digest" in out and "1 sent" in out


def test_digest_command_rejects_a_bad_digest_config(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"digest": {"weekday": "someday"}}), encoding="utf-8")
    assert main.main(["--config", str(path), "digest"]) == 2
    assert "digest.weekday" in capsys.readouterr().err
