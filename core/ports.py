"""The seam's contracts: what adapters may call on the core (AppPort) and what the core calls back.

Adapters type against `AppPort` only, never against `core.app.App`; every test double of the core
subclasses `AppPort` (a Protocol), so a method missing or misspelt on either side is a type error in
CI (mypy runs over core/, bots/ and the test doubles), not a silent drop in production.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from core.events import ChatRef, IncomingEvent
from core.replies import InlineCard, Reply


class Notifier(Protocol):
    """Sends a reply to a chat outside a request/response turn (scores, moderation outcomes, digests)."""

    async def send(self, chat: ChatRef, reply: Reply) -> None: ...


@dataclass(frozen=True)
class CommandInfo:
    """A command the bot offers; adapters register these (setMyCommands, slash commands, /help)."""

    name: str
    description: str
    args_hint: str = ""  # e.g. "<company>"; Discord makes it an option
    moderator_only: bool = False
    personal: bool = False  # runs a personal dialog: moved to a private chat from groups
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MirroredThread:
    """A thread as a mirror publishes it; `author` is a display name or "Anonymous", never an id."""

    id: int  # the core's thread id (shown as #id; /thread <id> opens it on any platform)
    title: str
    author: str
    body: str  # the first post
    company: str | None = None  # company name (a Discord forum tag), or None for a topic thread
    topic: str | None = None  # free tag such as "dsa", "system-design", "hr", "question"
    resolved: bool = False


class ThreadMirror(Protocol):
    """A platform that shows core threads natively (Discord forum threads, Telegram forum topics).

    The returned id is what that platform's adapter later puts in `ChatRef.id` for messages written
    inside the mirrored thread: Discord, the forum thread's channel id (e.g. "1234567890123"); Telegram,
    "<chat id>:<message_thread_id>" (e.g. "-1001234567890:42"). Such a plain-text message becomes a reply
    in the core thread; the core never sends it back to the platform it came from.
    """

    async def open_thread(self, thread: MirroredThread) -> str | None:
        """Create the platform thread with its first post; return its id (None: not mirrored there)."""
        ...

    async def post(self, external_id: str, author: str, body: str) -> None:
        """Add a reply written elsewhere to the mirrored thread, attributed to `author`."""
        ...

    async def mark_resolved(self, external_id: str) -> None:
        """Show the thread as resolved (Discord: the `resolved` tag; Telegram: close the topic)."""
        ...


class AppPort(Protocol):
    """Everything an adapter may call on the core; `core.app.App` implements it.

    Errors: `handle`, `inline`, `complete` and `in_dialog` never raise (a failure is logged and answered
    with an apology, an empty list or False), so an adapter needs no guard around them.
    """

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        """Every command in /help order: adapters publish them (setMyCommands, slash commands)."""
        ...

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Answer one event with zero or more replies, in order."""
        ...

    async def inline(self, query: str, limit: int = 20) -> list[InlineCard]:
        """Cards to share into any chat (Telegram inline mode); [] when nothing matches."""
        ...

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        """Autocomplete values for an option of `kind` (e.g. "company") starting like `prefix`."""
        ...

    async def in_dialog(self, platform: str, chat_id: str, user_id: str) -> bool:
        """Whether this user has a live dialog in this chat: then their plain messages are answers.

        Discord asks before passing a guild-channel message to the core, so ordinary chatter of
        members who are not answering a question never reaches it.
        """
        ...

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        """Let the core push replies to `platform` later (scores, moderation outcomes, digests)."""
        ...

    def unregister_notifier(self, platform: str) -> None:
        """Forget a platform's notifier (its adapter stopped)."""
        ...

    def register_mirror(self, platform: str, mirror: ThreadMirror) -> None:
        """Mirror discussion threads to `platform` (Discord forum threads, Telegram forum topics)."""
        ...

    async def recipient_gone(self, chat: ChatRef) -> None:
        """The platform says this chat blocked or removed the bot (Telegram `my_chat_member` kicked or
        left): stop its subscriptions and drop what is owed to it. Never raises."""
        ...

    async def keep_for_retry(self, chat: ChatRef, reply: Reply) -> None:
        """An answer the adapter could not deliver after its own retries: the core sends it once more
        later from the durable outbox. Never raises."""
        ...


T = TypeVar("T")


class JobRunner(Protocol):
    """Runs CPU-heavy work off the event loop: chart rendering here, video scoring behind `Scorer`.

    Jobs are picklable zero-argument callables (module-level functions, or functools.partial of
    them), run in worker processes that exit with the bot (media.pool.WorkerPool) or in threads
    (media.pool.InlineRunner, for 0 workers). `run` raises TimeoutError or the job's own error.
    """

    def start(self) -> None:
        """Start (and warm) the workers now rather than on the first job."""
        ...

    async def ready(self) -> None:
        """Wait until every worker has run its initializer."""
        ...

    async def run(self, job: Callable[[], T], *, timeout: float | None = None) -> T:
        """The job's result, computed off the event loop."""
        ...

    def close_nowait(self) -> None:
        """Stop the workers without waiting (pending jobs are cancelled)."""
        ...


class UserLock(Protocol):
    """Keeps one user's events one at a time across processes (several workers on one database).

    The router holds `hold(key)` around each event, inside its own per-process asyncio lock, with
    `key = (platform, chat id, user id)`. On PostgreSQL (storage.locks.AdvisoryUserLock) this is a
    transaction-scoped advisory lock on a dedicated connection: a second worker's event of the same
    user waits in the database's lock queue (first come, first served) until the first one is done,
    and a crashed worker's lock goes with its connection. On SQLite (one process) it does nothing.

    `hold` never raises for the lock itself: when the lock cannot be had in time (pool or lock
    timeout) it logs a warning and lets the event run unlocked, where the dialog's version-checked
    save still refuses a lost update. Errors of the body pass through unchanged.
    """

    def hold(self, key: tuple[str, str, str]) -> AbstractAsyncContextManager[None]:
        """An async context manager holding the user's lock while its body runs."""
        ...

    async def close(self) -> None:
        """Release the lock's connections (the app is closing)."""
        ...


class NoUserLock(UserLock):
    """The single-process lock: the router's asyncio lock is enough (SQLite, tests)."""

    def hold(self, key: tuple[str, str, str]) -> AbstractAsyncContextManager[None]:
        """Nothing to hold beyond the router's own per-process lock."""
        return contextlib.nullcontext()

    async def close(self) -> None:
        """Nothing to close."""


#: Durable task names (storage/queue.py registers them; core/queue_tasks.py says what each does).
TASK_SCORE_ATTEMPT = "mock.score_attempt"
TASK_RENDER_CHART = "charts.render"
TASK_DIGEST = "digest.tick"
TASK_OUTBOX = "outbox.retry"


class TaskQueue(Protocol):
    """A durable job queue (storage.queue.ProcrastinateQueue on PostgreSQL, config `queue.backend`).

    A deferred job is stored in the database before `defer` returns and runs once in some
    `python main.py worker` process, even if the bot that deferred it stops; a worker that dies
    mid-job has the job retried by another. Tasks must therefore be idempotent.
    """

    async def defer(self, task: str, args: Mapping[str, Any], *, lock: str | None = None) -> None:
        """Store a job of `task` (one of the TASK_* names) with JSON-serialisable `args`; `lock` (a
        queueing lock) refuses a second waiting job with the same lock (the first one is kept)."""
        ...
