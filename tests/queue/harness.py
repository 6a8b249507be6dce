"""What the queue tests share: real `python main.py worker` subprocesses, the bot's side wired as
main.run_bot wires it, and polling with the workers' stderr on failure (fixtures: conftest.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

import main
from core.app import bootstrap
from core.config import parse_config
from core.features.company import charts
from storage.models import MockAttempt
from tests.console.driver import Console, Outbox
from tests.support.config import test_settings

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

    def start(self, *imports: str, extra: Sequence[str] = ()) -> subprocess.Popen:
        """One more worker importing `imports` (e.g. a test task module), with `extra` worker options."""
        n = len(self.procs)
        args = [sys.executable, "main.py", "--config", str(self.config), "--db", self.url, "worker", *extra]
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
