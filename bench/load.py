"""Load bench (issue 14): students sharing at once through the real Telegram adapter, beside an echo bot.

    python bench/load.py [--students 1000] [--db sqlite|postgres] [--workers 1|2] [--think 0]
                         [--limits off|production] [--latency 0] [--json]
    python bench/load.py --core [--students 200] [--db sqlite|postgres] [--json]

This process runs the offline Bot API fake (tests/telegram/fake_bot_api.py) and plays the students;
the bots run as subprocesses of this script against that fake, one after the other in the same run:
1. a bare python-telegram-bot echo bot (a MessageHandler answering each text with reply_text, 64
   updates at once), played the same number of messages per student;
2. the real bot (core bootstrap + bots/telegram/adapter.py, polling; with `--workers 2` two webhook
   worker processes over PostgreSQL, the fake POSTing each update alternately to one of them).

Every student runs the whole step-by-step sharing dialog (tests/support/share_script.py STEP_BY_STEP:
28 updates, 16 of them button presses) as fast as the bot answers ("closed loop": the next step is
sent when the previous step's answer is complete), or with `--think S` seconds between steps. Reply
latency = from pushing an update to the first message the bot sends into that chat; a step is complete
when as many messages arrived as a calibration student (played alone first) got for it. Throughput =
updates / wall time of the phase. Printed: updates/s, p50/p95 latency, CPU ms per update of the bot
processes, the ratio to the echo bot and the goals (>= 50 % of echo throughput, p95 <= 250 ms, more
throughput with the second worker).

`--core` leaves Telegram out: this process bootstraps the core App and plays the same sharing script
straight into `App.handle` (all students at once, closed loop), and prints the CPU ms per update of
this process and the SQL statements per update (a SQLAlchemy `before_cursor_execute` listener on the
main engine, and on the advisory-lock engine on PostgreSQL; transaction ends counted apart), i.e. the
work the core and storage do per update, without an adapter or the fake.

Caveat: in a closed loop with N students at once, latency ≈ N / throughput (Little's law), so the p95
goal is only reachable for N small enough or with think time; both are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch_db  # noqa: E402
from tests.support.share_script import STEP_BY_STEP  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-token-AbCdEf_987654321"
SECRET = "bench-secret"
STUDENT_BASE = 500_000  # user ids of simulated students: STUDENT_BASE + n
STEP_TIMEOUT = 120.0  # seconds a student waits for one step's answer before counting it as lost
GOAL_RATIO, GOAL_P95_MS = 0.5, 250.0


# ------------------------------------------------------------------------------------------ the fake


class BenchFake(FakeBotApi):
    """The fake Bot API, plus: wake the student of a chat when the bot posts there, remember each chat's
    latest keyboards, and deliver updates by webhook POSTs to worker URLs (round robin) when given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(TOKEN, record=False, **kwargs)
        self.arrived: dict[int, asyncio.Event] = {}
        self.keyboards: dict[int, list[dict[str, Any]]] = {}
        self.webhook_targets: list[str] = []
        self._next_target = 0
        self._client: Any = None

    def _store(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = super()._store(params, **content)
        chat = message["chat"]["id"]
        if "reply_markup" in message:
            boards = self.keyboards.setdefault(chat, [])
            boards.append(message)
            del boards[:-4]
        event = self.arrived.get(chat)
        if event is not None:
            event.set()
        return message

    async def push_update(self, update: dict[str, Any]) -> int:
        if not self.webhook_targets:
            return await super().push_update(update)
        import aiohttp

        if self._client is None:
            self._client = aiohttp.ClientSession()
        update_id = next(self._update_ids)
        target = self.webhook_targets[self._next_target % len(self.webhook_targets)]
        self._next_target += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self._client.post(target, json={"update_id": update_id, **update}, headers=headers) as r:
            if r.status != 200:
                raise RuntimeError(f"webhook {target} answered {r.status}")
        return update_id

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        await super().close()


# ------------------------------------------------------------------------------------------ students


@dataclass
class Phase:
    """One bot's run: per-update latencies (seconds), the wall time and what went wrong."""

    name: str
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    lost: int = 0
    cpu: float = 0.0  # CPU seconds of the bot processes
    loadgen_cpu: float = 0.0  # CPU seconds of this process (the fake Bot API and the students)
    too_many: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def updates(self) -> int:
        return len(self.latencies)

    def figures(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        pct = (lambda q: 1000 * lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: 0.0)
        return {
            "updates": self.updates,
            "lost": self.lost,
            "seconds": round(self.wall, 2),
            "updates_per_s": round(self.updates / self.wall, 1) if self.wall else 0.0,
            "p50_ms": round(pct(0.5), 1),
            "p95_ms": round(pct(0.95), 1),
            "cpu_ms_per_update": round(1000 * self.cpu / self.updates, 2) if self.updates else 0.0,
            "loadgen_cpu_ms_per_update": round(1000 * self.loadgen_cpu / self.updates, 2)
            if self.updates
            else 0.0,
            "calls_per_update": round(sum(self.calls.values()) / self.updates, 2) if self.updates else 0.0,
            "calls": self.calls,
            "429s": self.too_many,
        }


def _message(fake: BenchFake, user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": f"Student{user_id}"}
    message: dict[str, Any] = {
        "message_id": fake.new_message_id(),
        "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return message


def _press(fake: BenchFake, user_id: int, label: str, n: int) -> dict[str, Any]:
    for message in reversed(fake.keyboards.get(user_id, [])):
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        found = [b for b in buttons if b["text"] == label]
        found = found or [b for b in buttons if b["text"].startswith(label)]
        if found:
            user = {"id": user_id, "is_bot": False, "first_name": f"Student{user_id}"}
            query = {
                "id": f"cq{user_id}-{n}",
                "from": user,
                "chat_instance": "ci",
                "message": json.loads(json.dumps(message)),
                "data": found[0]["callback_data"],
            }
            return {"callback_query": query}
    raise LookupError(f"student {user_id}: no button {label!r}")


async def _wait_messages(fake: BenchFake, chat: int, count: int, timeout: float) -> bool:
    """Wait until the chat holds `count` messages from the bot; False on timeout."""
    event = fake.arrived.setdefault(chat, asyncio.Event())
    deadline = time.monotonic() + timeout
    while fake.delivered.get(chat, 0) < count:
        event.clear()
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), left)
        except TimeoutError:
            return False
    return True


async def student(
    fake: BenchFake,
    user_id: int,
    script: Sequence[tuple[str, str]],
    expected: Sequence[int] | None,
    phase: Phase,
    think: float,
    quiet: float = 0.0,
) -> list[int]:
    """Play `script` as one student; returns how many messages each step got (for calibration)."""
    got: list[int] = []
    pace = random.Random(user_id)  # the same think times in every run
    if think:
        await asyncio.sleep(pace.uniform(0, think))  # students arrive spread over one think time
    for n, (verb, value) in enumerate(script):
        before = fake.delivered.get(user_id, 0)
        if verb == "pick":
            update = _press(fake, user_id, value, n)
        else:
            update = {"message": _message(fake, user_id, f"/{value}" if verb == "command" else value)}
        started = time.monotonic()
        await fake.push_update(update)
        if not await _wait_messages(fake, user_id, before + 1, STEP_TIMEOUT):
            phase.lost += 1
            return got
        phase.latencies.append(time.monotonic() - started)
        if expected is not None:
            if not await _wait_messages(fake, user_id, before + expected[n], STEP_TIMEOUT):
                phase.lost += 1
                return got
        elif quiet:
            while True:  # calibration: the step is complete when the chat stays quiet
                seen = fake.delivered.get(user_id, 0)
                await asyncio.sleep(quiet)
                if fake.delivered.get(user_id, 0) == seen:
                    break
        got.append(fake.delivered.get(user_id, 0) - before)
        if think:
            await asyncio.sleep(pace.uniform(0.5 * think, 1.5 * think))  # not in lockstep
    return got


# ------------------------------------------------------------------------------------------ the bots


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """A bot subprocess (`--serve bot|echo`): started, READY awaited, stopped with SIGTERM; its CPU read."""

    started: list[BotProcess] = []  # every one of this run, killed if the bench fails part-way

    def __init__(self, argv: list[str]) -> None:
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *argv],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.startup_cpu = 0.0
        BotProcess.started.append(self)

    async def ready(self, timeout: float = 120.0) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), timeout)
        if not line.startswith("READY"):
            raise RuntimeError(f"bot process did not start: {line!r} (exit {self.proc.poll()})")
        self.startup_cpu = float(line.split()[1])

    async def stop(self) -> float:
        """SIGTERM, wait, and return the CPU seconds (user + system) it used after it was READY."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.to_thread(self.proc.communicate, None, 600)
        for line in out.splitlines():
            if line.startswith("CPU "):
                return float(line.split()[1]) - self.startup_cpu
        return 0.0


async def serve(args: argparse.Namespace) -> None:
    """Child process: run the echo bot or the real bot against the fake until SIGTERM."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    if args.serve == "echo":
        from telegram import Update
        from telegram.ext import Application, ContextTypes, MessageHandler, filters

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.message is not None
            await update.message.reply_text(update.message.text or "?")

        application = (
            Application.builder()
            .token(TOKEN)
            .base_url(args.base_url)
            .base_file_url(args.base_url.replace("/bot", "/file/bot"))
            .concurrent_updates(64)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            print(f"READY {_cpu():.3f}", flush=True)
            await stop.wait()
            await application.updater.stop()
            await application.stop()
    else:
        from bots.telegram.adapter import TelegramAdapter
        from bots.telegram.limits import SendLimits
        from core.app import bootstrap
        from core.config import ModerationConfig, TelegramConfig, WebhookConfig, parse_config

        config = parse_config({"insights": {"chart_workers": 0}})
        app = await bootstrap(config, db_url=args.db_url)
        webhook = WebhookConfig()
        mode = "polling"
        if args.webhook_port:
            mode = "webhook"
            webhook = WebhookConfig(
                url=f"http://127.0.0.1:{args.webhook_port}/telegram",
                listen="127.0.0.1",
                port=args.webhook_port,
                secret_token=SECRET,
            )
        tg = TelegramConfig(
            token=TOKEN,
            base_url=args.base_url,
            base_file_url=args.base_url.replace("/bot", "/file/bot"),
            mode=mode,
            webhook=webhook,
        )
        limits = SendLimits() if args.limits == "production" else UNLIMITED
        if args.typing_per_second is not None:
            limits = dataclasses.replace(limits, typing_per_second=args.typing_per_second)
        adapter = TelegramAdapter(app, tg, ModerationConfig(), limits=limits, poll_timeout=1)
        profiler = _profiler(args.profile)
        await adapter.start()
        print(f"READY {_cpu():.3f}", flush=True)
        await stop.wait()
        if profiler is not None:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_text(unicode=False, show_all=False))
        await adapter.stop()
        await app.close()
    print(f"CPU {_cpu():.3f}", flush=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _profiler(path: str | None) -> Any:
    if not path:
        return None
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled", interval=0.001)
    profiler.start()
    return profiler


def _unlimited() -> Any:
    from bots.telegram.limits import SendLimits

    return SendLimits(
        overall_per_second=1_000_000, chat_per_second=0, group_per_minute=1_000_000, max_retries_429=5
    )


UNLIMITED: Any = None  # set in main() of a child (import of bots deferred to the child)


# ------------------------------------------------------------------------------------------ databases


SCRATCH: list[tuple[str, str]] = []  # (server URL, name) of the PostgreSQL databases this run created


async def fresh_database(kind: str, tag: str) -> str:
    """A migrated, empty database with the company TCS; returns its URL. On PostgreSQL a scratch database
    of its own on the server of BENCH_POSTGRES_URL / TEST_POSTGRES_URL (bench/scratch_db.py), dropped by
    `drop_scratch` when the run ends: the database those URLs name is never written."""
    from core.app import bootstrap
    from core.config import parse_config
    from storage.models import Company

    if kind == "sqlite":
        path = Path(f"/tmp/ii-bench-load-{os.getpid()}-{tag}.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL", "")
        if not base:
            raise SystemExit("--db postgres needs BENCH_POSTGRES_URL or TEST_POSTGRES_URL")
        url, name = await scratch_db.create(base, f"ii_bench_load_{tag}")
        SCRATCH.append((base, name))
    app = await bootstrap(parse_config({"insights": {"chart_workers": 0}}), db_url=url)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    await app.close()
    return url


async def drop_scratch() -> None:
    """Drop the PostgreSQL databases `fresh_database` created in this run."""
    while SCRATCH:
        await scratch_db.drop(*SCRATCH.pop())


async def dropping_scratch(run: Any) -> dict[str, Any]:
    """Await the bench coroutine `run`, then drop its scratch databases however it ended."""
    try:
        return await run
    finally:
        await drop_scratch()


# ------------------------------------------------------------------------------------------ --core


@dataclass
class SqlCounter:
    """SQL statements (cursor executes) and transaction ends (COMMIT/ROLLBACK) seen on some engines."""

    statements: int = 0
    commits: int = 0
    rollbacks: int = 0
    by_verb: dict[str, int] = field(default_factory=dict)

    def watch(self, engine: Any) -> None:
        from sqlalchemy import event

        def executed(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            self.statements += 1
            verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
            self.by_verb[verb] = self.by_verb.get(verb, 0) + 1

        def committed(conn: Any) -> None:
            self.commits += 1

        def rolled_back(conn: Any) -> None:
            self.rollbacks += 1

        event.listen(engine, "before_cursor_execute", executed)
        event.listen(engine, "commit", committed)
        event.listen(engine, "rollback", rolled_back)

    def snapshot(self) -> tuple[int, int, int, dict[str, int]]:
        return self.statements, self.commits, self.rollbacks, dict(self.by_verb)


async def core_student(app: Any, user_id: int, script: Sequence[tuple[str, str]], phase: Phase) -> int:
    """Play `script` straight into `app.handle` as one Telegram student; returns the steps played."""
    from core.events import ChatRef, IncomingEvent, UserRef

    user = UserRef("telegram", str(user_id), f"Student{user_id}")
    chat = ChatRef("telegram", str(user_id))
    keyboards: list[Any] = []  # the latest replies with buttons, newest last (as a chat shows them)
    for n, (verb, value) in enumerate(script):
        if verb == "command":
            event = IncomingEvent(user, chat, "command", command=value)
        elif verb == "type":
            event = IncomingEvent(user, chat, "text", text=value)
        else:
            buttons = [b for reply in reversed(keyboards) for row in reply.buttons for b in row if not b.url]
            found = [b for b in buttons if b.label == value] or [
                b for b in buttons if b.label.startswith(value)
            ]
            if not found:
                phase.lost += 1
                return n
            event = IncomingEvent(user, chat, "action", action=found[0].action)
        started = time.monotonic()
        replies = await app.handle(event)
        phase.latencies.append(time.monotonic() - started)
        if not replies or any(r.text.startswith("Something went wrong") for r in replies):
            phase.lost += 1
            return n + 1
        keyboards = [*keyboards, *(r for r in replies if r.buttons)][-4:]
    return len(script)


async def core_bench(args: argparse.Namespace) -> dict[str, Any]:
    """`--core`: the sharing script for every student at once through the core App (no Telegram)."""
    from sqlalchemy import func, select

    from core.app import bootstrap
    from core.config import parse_config
    from storage.models import DialogState

    db_url = await fresh_database(args.db, "core")
    app = await bootstrap(parse_config({"insights": {"chart_workers": 0}}), db_url=db_url)
    counter, lock_counter = SqlCounter(), SqlCounter()
    counter.watch(app.database.engine.sync_engine)
    driver_rollbacks = _count_sqlite_rollbacks() if args.db == "sqlite" else None
    lock_engine = getattr(app.router.user_lock, "engine", None)
    if lock_engine is not None:
        lock_counter.watch(lock_engine.sync_engine)
    n = args.students
    phase = Phase("core")
    try:
        # one student alone first: warms the caches and imports, and is the script's check
        warm = Phase("warm-up")
        if await core_student(app, STUDENT_BASE - 1, STEP_BY_STEP, warm) != len(STEP_BY_STEP) or warm.lost:
            raise SystemExit("the warm-up student got stuck: the script no longer fits the dialog")
        before, lock_before = counter.snapshot(), lock_counter.snapshot()
        rolled_before = driver_rollbacks[0] if driver_rollbacks else 0
        own_cpu = _cpu()
        started = time.monotonic()
        await asyncio.gather(*(core_student(app, STUDENT_BASE + i, STEP_BY_STEP, phase) for i in range(n)))
        phase.wall = time.monotonic() - started
        phase.cpu = _cpu() - own_cpu
        after, lock_after = counter.snapshot(), lock_counter.snapshot()
        rolled = driver_rollbacks[0] - rolled_before if driver_rollbacks else None
        async with app.database.sessions() as session:
            open_dialogs = int(await session.scalar(select(func.count()).select_from(DialogState)) or 0)
    finally:
        await app.close()
    updates = phase.updates or 1

    def per_update(old: tuple[int, int, int, dict[str, int]], new: tuple[int, int, int, dict[str, int]]):
        verbs = {v: round((c - old[3].get(v, 0)) / updates, 2) for v, c in sorted(new[3].items())}
        return {
            "statements_per_update": round((new[0] - old[0]) / updates, 2),
            "commits_per_update": round((new[1] - old[1]) / updates, 2),
            "rollbacks_per_update": round((new[2] - old[2]) / updates, 2),
            "statements_by_verb": {v: c for v, c in verbs.items() if c},
        }

    figures = phase.figures()
    return {
        "mode": "core",
        "students": n,
        "db": args.db,
        "updates": phase.updates,
        "lost": phase.lost,
        "seconds": figures["seconds"],
        "updates_per_s": figures["updates_per_s"],
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "cpu_ms_per_update": figures["cpu_ms_per_update"],
        "sql": per_update(before, after),
        "lock_sql": per_update(lock_before, lock_after) if lock_engine is not None else None,
        # rollbacks that reached aiosqlite (a round trip to its thread each), SQLite only
        "driver_rollbacks_per_update": round(rolled / updates, 2) if rolled is not None else None,
        "dialogs_at_review": open_dialogs - 1,  # the script stops at the review; warm-up's not counted
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


def _count_sqlite_rollbacks() -> list[int]:
    """Count the rollbacks that reach aiosqlite in this process (SQLAlchemy's own "rollback" events
    also count the ones storage.db skips as no-ops); returns the one-element counter."""
    import aiosqlite

    count = [0]
    original = aiosqlite.Connection.rollback

    async def counted(self: Any) -> None:
        count[0] += 1
        await original(self)

    aiosqlite.Connection.rollback = counted  # type: ignore[method-assign]
    return count


def core_report(out: dict[str, Any]) -> str:
    sql = out["sql"]
    lines = [
        f"core bench: {out['students']} students x {len(STEP_BY_STEP)} updates, db={out['db']}, no adapter, "
        f"{out['cpus']} CPUs, load average {out['load_average']}",
        f"  {out['updates']} updates in {out['seconds']:.2f} s = {out['updates_per_s']:.1f} updates/s  "
        f"p50 {out['p50_ms']:.1f} ms  p95 {out['p95_ms']:.1f} ms  lost {out['lost']}",
        f"  CPU {out['cpu_ms_per_update']:.2f} ms/update (this process: core + storage + driver)",
        f"  SQL {sql['statements_per_update']:.2f} statements/update  "
        f"commits {sql['commits_per_update']:.2f}  rollbacks {sql['rollbacks_per_update']:.2f}  "
        f"by verb {sql['statements_by_verb']}",
    ]
    if out["driver_rollbacks_per_update"] is not None:
        lines.append(f"  rollbacks reaching aiosqlite: {out['driver_rollbacks_per_update']:.2f}/update")
    if out["lock_sql"] is not None:
        lock = out["lock_sql"]
        lines.append(
            f"  lock engine: {lock['statements_per_update']:.2f} statements/update  "
            f"by verb {lock['statements_by_verb']}"
        )
    lines.append(f"  {out['dialogs_at_review']} of {out['students']} students' dialogs reached the review")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ phases


async def run_phase(
    fake: BenchFake,
    name: str,
    bots: list[BotProcess],
    scripts: list[Sequence[tuple[str, str]]],
    expected: Sequence[int],
    think: float,
    first_id: int,
) -> Phase:
    phase = Phase(name)
    for bot in bots:
        await bot.ready()
    calls_before = dict(fake.counts)
    too_many_before = fake.too_many
    own_cpu = _cpu()
    started = time.monotonic()
    await asyncio.gather(
        *(student(fake, first_id + n, script, expected, phase, think) for n, script in enumerate(scripts))
    )
    phase.wall = time.monotonic() - started
    phase.loadgen_cpu = _cpu() - own_cpu
    phase.calls = {
        m: fake.counts[m] - calls_before.get(m, 0)
        for m in sorted(fake.counts)
        if m != "getUpdates" and fake.counts[m] - calls_before.get(m, 0)
    }
    phase.too_many = fake.too_many - too_many_before
    for bot in bots:
        phase.cpu += await bot.stop()
    return phase


def _bot_argv(base_url: str, db_url: str, args: argparse.Namespace, port: int = 0, profile: str = "") -> list:
    argv = ["--serve", "bot", "--base-url", base_url, "--db-url", db_url, "--limits", args.limits]
    if args.typing_per_second is not None:
        argv += ["--typing-per-second", str(args.typing_per_second)]
    if port:
        argv += ["--webhook-port", str(port)]
    if profile:
        argv += ["--profile", profile]
    return argv


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    fake = BenchFake(latency=args.latency)
    await fake.start()
    base_url = fake.base_url
    out: dict[str, Any] = {"students": args.students, "db": args.db, "workers": args.workers}
    try:
        # calibration: one student alone tells how many messages each step gets
        db_url = await fresh_database(args.db, "calibration")
        bot = BotProcess(_bot_argv(base_url, db_url, args))
        calibration = Phase("calibration")
        await bot.ready()
        quiet = 1.5 if args.limits == "production" else 0.4  # longer than the 1/s per chat pacing
        expected = await student(fake, STUDENT_BASE - 1, STEP_BY_STEP, None, calibration, 0, quiet=quiet)
        await bot.stop()
        if len(expected) != len(STEP_BY_STEP):
            raise SystemExit(f"calibration student got stuck after {len(expected)} steps")

        n = args.students
        echo_script = [("type", f"echo {i}") for i in range(len(STEP_BY_STEP))]
        echo = (
            Phase("echo")
            if args.no_echo
            else await run_phase(
                fake,
                "echo",
                [BotProcess(["--serve", "echo", "--base-url", base_url])],
                [echo_script] * n,
                [1] * len(echo_script),
                args.think,
                STUDENT_BASE + 1_000_000,
            )
        )
        out["echo"] = echo.figures()
        out["echo_skipped"] = bool(args.no_echo)

        db_url = await fresh_database(args.db, "bot")
        if args.workers == 1:
            bots = [BotProcess(_bot_argv(base_url, db_url, args, profile=args.profile))]
        else:
            ports = [_free_port() for _ in range(args.workers)]
            fake.webhook_targets = [f"http://127.0.0.1:{p}/telegram" for p in ports]
            bots = [BotProcess(_bot_argv(base_url, db_url, args, port=p)) for p in ports]
        bot_phase = await run_phase(fake, "bot", bots, [STEP_BY_STEP] * n, expected, args.think, STUDENT_BASE)
        fake.webhook_targets = []
        out["bot"] = bot_phase.figures()
        out["violations"] = fake.violations[:5]
    finally:
        for proc in BotProcess.started:  # a failed run leaves no bot behind
            if proc.proc.poll() is None:
                proc.proc.kill()
                proc.proc.wait()
        await fake.close()
    ratio = out["bot"]["updates_per_s"] / out["echo"]["updates_per_s"] if out["echo"]["updates_per_s"] else 0
    out["ratio"] = round(ratio, 3)
    out["goals"] = {
        "throughput >= 50 % of echo": ratio >= GOAL_RATIO,
        "p95 <= 250 ms": out["bot"]["p95_ms"] <= GOAL_P95_MS,
        "nothing lost": out["bot"]["lost"] == 0 and out["echo"]["lost"] == 0,
    }
    if out["echo_skipped"]:
        del out["goals"]["throughput >= 50 % of echo"]
    if args.think:  # an open-ish loop: what the students offered, to compare with what was served
        out["offered_updates_per_s"] = round(args.students / args.think, 1)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    out["cpus"] = os.cpu_count()
    return out


def report(out: dict[str, Any]) -> str:
    lines = [
        f"load bench: {out['students']} students x {len(STEP_BY_STEP)} updates, db={out['db']}, "
        f"workers={out['workers']}, {out['cpus']} CPUs, load average {out['load_average']}",
    ]
    if out.get("offered_updates_per_s"):
        lines.append(f"  offered ~{out['offered_updates_per_s']} updates/s (students / mean think time)")
    for name in ("echo", "bot"):
        if name == "echo" and out.get("echo_skipped"):
            lines.append("  echo  skipped (--no-echo)")
            continue
        f = out[name]
        lines.append(
            f"  {name:5} {f['updates']:6d} updates in {f['seconds']:7.2f} s = {f['updates_per_s']:7.1f} "
            f"updates/s  p50 {f['p50_ms']:7.1f} ms  p95 {f['p95_ms']:7.1f} ms  "
            f"CPU {f['cpu_ms_per_update']:5.2f} ms/update (fake+students "
            f"{f['loadgen_cpu_ms_per_update']:.2f})  {f['calls_per_update']:.2f} calls/update  "
            f"lost {f['lost']}  429s {f['429s']}"
        )
    lines.append(f"  bot calls: {out['bot']['calls']}")
    if not out.get("echo_skipped"):
        lines.append(f"  ratio bot/echo throughput: {out['ratio']:.3f}")
    for goal, met in out["goals"].items():
        lines.append(f"  goal {goal}: {'met' if met else 'NOT met'}")
    if out.get("violations"):
        lines.append(f"  fake Bot API violations: {out['violations']}")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds between a student's steps (uniform 0.5-1.5x; first step within one think time)",
    )
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot's phase (with --think)")
    parser.add_argument("--limits", choices=("off", "production"), default="off")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake adds to each call")
    parser.add_argument("--profile", default="", help="pyinstrument text profile of the bot to this file")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--core",
        action="store_true",
        help="drive the core App directly (no Telegram): CPU and SQL per update",
    )
    parser.add_argument(
        "--typing-per-second", type=float, default=None, help="typing indicators/s (default: SendLimits')"
    )
    # child-process options
    parser.add_argument("--serve", choices=("bot", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--webhook-port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers == 2 and args.db != "postgres":
        parser.error("--workers 2 needs --db postgres (two processes share the database)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    global UNLIMITED
    args = parse(argv)
    if args.serve:
        UNLIMITED = _unlimited()
        asyncio.run(serve(args))
        return
    if args.core:
        out = asyncio.run(dropping_scratch(core_bench(args)))
        print(json.dumps(out, indent=2) if args.json else core_report(out))
        return
    out = asyncio.run(dropping_scratch(bench(args)))
    print(json.dumps(out, indent=2) if args.json else report(out))


if __name__ == "__main__":
    main()
