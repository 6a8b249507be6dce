"""A bot process SIGKILLed mid-dialog and mid-scoring (issue #14): after a restart on the same database the
dialog resumes at the saved step; the attempt cut off while scoring is failed with a message (never
stuck at "scoring") and its upload removed; no process the bot started outlives it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select as sql_select

from core.features.mock.service import INTERRUPTED
from storage.db import Database
from storage.models import DialogState, MockAttempt, OutboxMessage
from tests.media_pool.test_pool import alive, children_of
from tests.media_video import clips

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
DEADLINE_S = 60.0  # generous: the shared CI machine is slow to start Python processes


class Child:
    """tests/reliability/child_bot.py: type lines, wait for what it prints, kill it."""

    def __init__(self, db_url: str, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.child_bot", db_url, str(folder)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.out = ""
        self.err = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def _read(self, stream, until: re.Pattern[str]) -> str:
        deadline = time.monotonic() + DEADLINE_S
        buffer = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stream.fileno()], [], [], 0.2)
            if ready:
                chunk = os.read(stream.fileno(), 65536).decode(errors="replace")
                if not chunk:
                    break
                buffer += chunk
                if until.search(buffer):
                    return buffer
        raise AssertionError(f"never saw {until.pattern!r}; got {buffer[-800:]!r}")

    def expect(self, phrase: str) -> str:
        """Read stdout until `phrase` was printed; returns everything read."""
        text = self._read(self.proc.stdout, re.compile(re.escape(phrase)))
        self.out += text
        return text

    def report(self) -> dict:
        """The scorer's {"pid", "workers"} line from stderr."""
        text = self._read(self.proc.stderr, re.compile(r'\{"pid".*\}\n'))
        return json.loads(re.search(r'\{"pid".*\}', text).group(0))

    def tree(self) -> set[int]:
        """Every process below the bot now (workers, the multiprocessing resource tracker)."""
        found, todo = set(), [self.pid]
        while todo:
            kids = children_of(todo.pop())
            todo.extend(kids - found)
            found |= kids
        return found

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def wait_gone(pids: set[int]) -> set[int]:
    """The pids still alive once the deadline passes (normally none, long before it)."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return {p for p in pids if alive(p)}


def rows(url: str, model):
    async def query():
        db = Database(url)
        try:
            async with db.sessions() as session:
                return list((await session.scalars(sql_select(model))).all())
        finally:
            await db.dispose()

    return asyncio.run(query())


def choice(printed: str, label: str) -> str:
    """The number the console shows for the choice starting with `label`."""
    match = re.search(rf"\[(\d+)\] {re.escape(label)}", printed)
    assert match, printed
    return match.group(1)


@linux_only
def test_a_bot_killed_mid_dialog_resumes_at_the_saved_step_and_leaves_no_processes(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    bot = Child(url, tmp_path)
    try:
        bot.say("/share")
        bot.expect("share your interview experience")
        bot.say("Asha Rao")
        bot.expect("LinkedIn profile URL")
        tree = bot.tree()
        bot.kill()
    finally:
        if bot.proc.poll() is None:
            bot.kill()
    assert wait_gone(tree) == set()
    [state] = rows(url, DialogState)
    assert (state.step, state.answers.get("name")) == ("linkedin", "Asha Rao")

    again = Child(url, tmp_path)  # the restart
    try:
        again.say("https://www.linkedin.com/in/asha-rao")
        again.expect("Which branch are you from?")  # saved before it is printed
        again.kill()
    finally:
        if again.proc.poll() is None:
            again.kill()
    [state] = rows(url, DialogState)
    assert state.step == "branch"
    assert state.answers.get("name") == "Asha Rao" and "asha-rao" in state.answers.get("linkedin", "")


@linux_only
def test_a_bot_killed_mid_scoring_fails_the_attempt_with_a_message_and_leaves_no_processes(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    frame = np.full((96, 128, 3), 128, dtype=np.uint8)
    clip = clips.write_clip(tmp_path / "answer.mp4", lambda t, i: frame, 3.5)
    bot = Child(url, tmp_path)
    try:
        bot.say("/mock")
        shown = bot.expect("Not now")
        bot.say(choice(shown, "✅ I agree (delete"))
        bot.expect("Question:")
        bot.say(str(clip))
        bot.expect("Scoring your answer")
        report = bot.report()
        tree = bot.tree()
        assert set(report["workers"]) <= tree  # the scoring worker is the bot's
        [attempt] = rows(url, MockAttempt)
        assert attempt.status == "scoring"
        bot.kill()
    finally:
        if bot.proc.poll() is None:
            bot.kill()
    assert wait_gone(tree) == set(), "processes outlived the killed bot"
    incoming = tmp_path / "mock" / "incoming"
    assert len(list(incoming.iterdir())) == 1  # the upload the killed bot was scoring

    again = Child(url, tmp_path)  # the restart recovers the interrupted attempt
    try:
        again.say("/help")
        again.expect("What I can do")  # the recovery ran at start, before the console
        again.kill()
    finally:
        if again.proc.poll() is None:
            again.kill()
    [attempt] = rows(url, MockAttempt)
    assert (attempt.status, attempt.error) == ("failed", INTERRUPTED)
    assert list(incoming.iterdir()) == []
    [owed] = rows(url, OutboxMessage)  # the student is told through the outbox
    assert (owed.platform, owed.chat_id, owed.status) == ("console", "console-user", "pending")
