"""Real bot worker processes for the scale tests: `python main.py --adapter telegram` in webhook mode.

Each worker is its own OS process with its own webhook port, all pointed at one FakeBotApi (the test's,
on 127.0.0.1) and one PostgreSQL database, as a load balancer would see them. Students are played by
`WebhookStudent`: it posts updates to a worker's webhook URL with the secret token header, exactly what
Telegram does, and waits for the bot's answers in the fake's sent messages.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.telegram.conftest import TOKEN, Harness
from tests.telegram.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
SECRET = "scale-Webhook_secret-0123456789"
START_TIMEOUT_S = 90.0  # a worker on a loaded 2-core machine: imports, bootstrap, getMe, setWebhook
REPLY_TIMEOUT_S = 60.0  # the production send limits (1 message/s per chat, bursts of 3) apply
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    """A TCP port nothing listens on now (the worker binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_config(fake: FakeBotApi, database_url: str, port: int) -> dict[str, Any]:
    """One worker's config.yaml: webhook on `port`, the shared fake and database, no scheduler."""
    return {
        "database": {"url": database_url, "pool_size": 3, "max_overflow": 2, "lock_pool_size": 4},
        "adapters": ["telegram"],
        "telegram": {
            "token": TOKEN,
            "base_url": fake.base_url,
            "base_file_url": fake.base_file_url,
            "mode": "webhook",
            "webhook": {
                "url": "https://bot.example.org/telegram",
                "listen": "127.0.0.1",
                "port": port,
                "secret_token": SECRET,
            },
        },
        "digest": {"enabled": False},  # one scheduler elsewhere (docs/DEPLOY.md section 1)
        "insights": {"chart_workers": 0},  # no chart processes: the sharing dialog draws none
    }


@dataclass
class Worker:
    """One running `main.py` process and the URL its webhook listens on."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def wait_listening(self, timeout: float = START_TIMEOUT_S) -> None:
        """Wait until the webhook port accepts connections; fail with the log if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.2)
        raise AssertionError(f"worker did not listen on {self.port} in {timeout} s:\n{self.log_tail()}")

    def terminate(self) -> int:
        """SIGTERM, then wait for the exit code (SIGKILL after 60 s so no process outlives the test)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"worker ignored SIGTERM for 60 s:\n{self.log_tail()}") from None


def start_worker(tmp: Path, fake: FakeBotApi, database_url: str, name: str) -> Worker:
    """Start one webhook worker (its config, logs and var/ under tmp/name)."""
    home = tmp / name
    home.mkdir(parents=True)
    port = free_port()
    config = home / "config.yaml"
    config.write_text(yaml.safe_dump(worker_config(fake, database_url, port)), encoding="utf-8")
    log = home / "worker.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for secret in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "INTERVIEW_INSIGHTS_OPS_PORT"):
        env.pop(secret, None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "--adapter", "telegram"],
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Worker(process, port, log)


class WebhookStudent(Harness):
    """A student in a private chat whose updates go to the workers' webhooks, round-robin by default.

    `expected` lists, for each step, how many messages the chat must hold once that step is answered
    (taken from a reference run in one process): the student waits for them before the next step, as a
    person waits for the next question. `replies` keeps what each step was answered with.
    """

    def __init__(
        self,
        fake: FakeBotApi,
        urls: list[str],
        user_id: int,
        name: str,
        expected: list[int],
        session: aiohttp.ClientSession,
    ) -> None:
        super().__init__(fake, adapter=None)  # type: ignore[arg-type]  # no adapter: updates go over HTTP
        self.urls, self.user_id, self.name, self.expected, self.session = (
            urls,
            user_id,
            name,
            expected,
            session,
        )
        self.replies: list[list[dict[str, Any]]] = []
        self._turn = itertools.cycle(range(len(urls)))
        self._update_ids = itertools.count(user_id * 1000)

    def user(self, user_id: int | None = None, name: str | None = None) -> dict[str, Any]:  # type: ignore[override]
        return {"id": self.user_id, "is_bot": False, "first_name": self.name}

    async def post(self, update: dict[str, Any], worker: int) -> None:
        """Deliver one update to worker `worker` as Telegram does; the webhook must accept it (200)."""
        update = {"update_id": next(self._update_ids), **copy.deepcopy(update)}
        headers = {SECRET_HEADER: SECRET}
        async with self.session.post(self.urls[worker], json=update, headers=headers) as response:
            assert response.status == 200, (response.status, await response.text())

    async def wait_for_step(self) -> list[dict[str, Any]]:
        """Wait until the chat holds as many messages as the reference run had after this step."""
        want = self.expected[len(self.replies)]
        before = sum(len(r) for r in self.replies)
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while len(self.fake.sent_to(self.user_id)) < want:
            if time.monotonic() > deadline:
                got = [m.get("text") for m in self.fake.sent_to(self.user_id)[before:]]
                raise AssertionError(f"step {len(self.replies) + 1}: {len(got)} of {want - before}: {got}")
            await asyncio.sleep(0.05)
        new = self.fake.sent_to(self.user_id)[before:want]
        self.replies.append(new)
        return new

    async def _push(self, update: dict[str, Any], chat_id: int) -> list[dict[str, Any]]:
        await self.post(update, next(self._turn))
        return await self.wait_for_step()

    def message_update(self, text: str) -> dict[str, Any]:
        """The update of this student typing `text` in the private chat."""
        user = self.user()
        return {"message": self._message(user, None, text=text)}


class ReferenceStudent(Harness):
    """The same student played in one in-process bot (polling): records each step's message count."""

    def __init__(self, fake: FakeBotApi, adapter: Any, user_id: int, name: str) -> None:
        super().__init__(fake, adapter)
        self.user_id, self.name = user_id, name
        self.counts: list[int] = []

    def user(self, user_id: int | None = None, name: str | None = None) -> dict[str, Any]:  # type: ignore[override]
        return {"id": self.user_id, "is_bot": False, "first_name": self.name}

    async def _push(self, update: dict[str, Any], chat_id: int) -> list[dict[str, Any]]:
        sent = await super()._push(update, chat_id)
        self.counts.append(len(self.fake.sent_to(self.user_id)))
        return sent
