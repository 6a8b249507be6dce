"""Digest bench (issue 14): one week's digest to many subscribers through the real sender, ledger and adapter.

    python bench/digest.py [--subscribers 100000] [--rate 30|3000] [--concurrency 8] [--latency 0.1]
                           [--db sqlite|postgres] [--db-url URL] [--senders N [--no-share]] [--claim-batch 50]
                           [--ambiguous resend|skip] [--kill-at | --kills N] [--json]

This process runs the offline Bot API fake (tests/telegram/fake_bot_api.py) with its flood limit set to
`--rate` messages per second (a 429 with retry_after beyond it) and seeds a SQLite database with that
many general-digest subscriptions (private chats). A subprocess then sends the week in progress the way
`main.py digest --now` does: core bootstrap, the Telegram adapter opened for sending with its send
limits at the same rate, `DigestSender.send_early()` (claim + write-ahead parts in one transaction ->
send -> record, storage/digest.py; recipients streamed in pages to `--concurrency` slots, default
digest.send_concurrency; `--latency` adds a network round trip to each answer of the fake), then the
outbox job for parts a crash left owed (run with the clock moved past
their lease, as the scheduler would 10 minutes later).

`--db postgres` seeds a fresh database of its own on the server of `--db-url` (default
TEST_POSTGRES_URL) and drops it afterwards; `--senders N` (PostgreSQL only) starts N sender processes at
once on that one ledger (each chat is claimed by one of them, `digest.claim_batch` chats per
transaction, `--claim-batch`); the outbox job runs once after every sender has ended (in a process of
its own, with the clock past the parts' lease). The N senders share the token's rate as
`telegram.send_limits.processes: N` makes them (each allows `--rate` / N messages per second);
`--no-share` gives each the whole `--rate`, as before that setting (together they then exceed the
fake's limit). `--ambiguous skip` sets `digest.ambiguous_sends: skip`: a message cut off by a kill is
given up instead of resent (at most once: no duplicate, but that chat may have got nothing; the ledger
calls it "unconfirmed").

Printed: messages delivered, the achieved rate (messages / time from the first to the last message
the fake accepted) against the allowed rate (goal >= 90 %), 429s (goal 0), chats that got the digest
twice (goal 0) or never, and the sender's peak RSS. `--kill-at` SIGKILLs the sender at a random instant
(between 10 % and 90 % of the subscribers) and starts it again, then checks every chat got exactly one
digest. A kill that lands after Telegram accepted a message but before the ledger recorded it leaves that
part owed, and the outbox job sends it again: one duplicate (no Bot API call can tell whether a message
went out); with N slots up to N messages are on their way at once, so a kill at full speed can leave
up to N such duplicates. `--kills N` kills it N times in one run, to show how often that window is hit.
The week is empty by default (each chat gets one "nothing new" message); the real-world time for 100,000
subscribers at Telegram's 30 messages/s is computed, not run: 100,000 / 30 = 3,333 s ≈ 56 min.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch_db  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-digest-AbCdEf_987654321"
CHAT_BASE = 700_000_000  # subscriber chat ids: CHAT_BASE + n
GOAL_SHARE = 0.9
REAL_WORLD_RATE = 30.0  # Telegram's bulk limit, messages per second (core.telegram.org/bots/faq)


class DigestFake(FakeBotApi):
    """The fake with the time of the first and last accepted message (the achieved rate's window)."""

    def __init__(self, rate: float, latency: float = 0.0) -> None:
        super().__init__(TOKEN, record=False, rate_limit=rate, latency=latency)
        self.first: float | None = None
        self.last: float = 0.0

    def _store(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = super()._store(params, **content)
        now = time.monotonic()
        self.first = self.first if self.first is not None else now
        self.last = now
        return message


# ------------------------------------------------------------------------------------------ database


async def database(kind: str, base: str | None) -> tuple[str, str | None]:
    """A URL for the bench's own database: a SQLite file under /tmp, or a fresh PostgreSQL database
    on `base`'s server; and the PostgreSQL database's name (to drop afterwards)."""
    if kind == "sqlite":
        path = Path(f"/tmp/ii-bench-digest-{os.getpid()}.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}", None
    if not base:
        raise SystemExit("--db postgres needs --db-url or TEST_POSTGRES_URL")
    return await scratch_db.create(base, "ii_bench_digest")


async def drop(url: str, base: str | None, name: str | None) -> None:
    """Remove the bench's database."""
    if name is None:
        path = url.removeprefix("sqlite+aiosqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif base:
        await scratch_db.drop(base, name)


async def seed(url: str, subscribers: int) -> str:
    """Migrate the database at `url` and add `subscribers` active general-digest subscriptions."""
    from sqlalchemy import insert

    from core.app import bootstrap
    from core.config import parse_config
    from storage.models import DEFAULT_COLLEGE_SQL, Subscription

    app = await bootstrap(parse_config({"insights": {"chart_workers": 0}}), db_url=url)
    async with app.database.sessions() as session:  # Core bulk inserts name the college themselves
        college_id = await session.scalar(DEFAULT_COLLEGE_SQL)
    rows = [
        {
            "platform": "telegram",
            "chat_id": str(CHAT_BASE + n),
            "kind": "user",
            "active": True,
            "college_id": college_id,
        }
        for n in range(subscribers)
    ]
    async with app.database.sessions.begin() as session:
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(Subscription), rows[start : start + 10_000])
    await app.close()
    return url


async def ledger(url: str) -> dict[str, int]:
    """Delivery rows by status, and outbox parts still owed."""
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.models import DigestDelivery, OutboxMessage

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status))
        out = {str(status): int(n) for status, n in rows}
        out["owed_parts"] = int(await conn.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
    await engine.dispose()
    return out


# ------------------------------------------------------------------------------------------ sender


async def send(args: argparse.Namespace) -> None:
    """Child process: `--phase send` sends the week in progress like `main.py digest --now`;
    `--phase outbox` runs the outbox job once, as it runs when the parts' lease has ended."""
    import logging

    from bots.telegram.adapter import TelegramAdapter
    from bots.telegram.limits import SendLimits
    from core.app import bootstrap
    from core.config import ModerationConfig, TelegramConfig, parse_config
    from core.features.digest.send import PART_LEASE
    from storage.models import utcnow

    logging.basicConfig(level=logging.WARNING)
    shift = PART_LEASE + timedelta(minutes=1) if args.phase == "outbox" else timedelta(0)
    digest: dict[str, Any] = {"send_pause_s": 0, "ambiguous_sends": args.ambiguous}
    if args.concurrency:
        digest["send_concurrency"] = args.concurrency
    if args.claim_batch:
        digest["claim_batch"] = args.claim_batch
    config = parse_config({"digest": digest, "insights": {"chart_workers": 0}})
    app = await bootstrap(config, db_url=args.db_url, clock=lambda: utcnow() + shift)
    # this sender's share of the rate, as telegram.send_limits.processes makes it (limits_for); the bench
    # builds SendLimits itself since --rate may exceed the config's 1000/s ceiling
    limits = SendLimits(overall_per_second=args.rate / args.processes, chat_per_second=1.0, chat_burst=3)
    tg = TelegramConfig(
        token=TOKEN, base_url=args.base_url, base_file_url=args.base_url.replace("/bot", "/file/bot")
    )
    adapter = TelegramAdapter(app, tg, ModerationConfig(), limits=limits)
    await adapter.open_for_sending()
    print("READY", flush=True)
    sender = app.digest.sender
    out: dict[str, Any] = {"phase": args.phase}
    if args.phase == "send":
        report = await sender.send_early()
        out.update(sent=report.sent, failed=report.failed, skipped=report.skipped)
    else:
        assert sender.retry_outbox is not None
        outbox = await sender.retry_outbox()
        out["outbox_sent"] = getattr(outbox, "sent", 0)
    await adapter.close_sending()
    await app.close()
    out.update(
        concurrency=config.digest.send_concurrency,
        claim_batch=config.digest.claim_batch,
        ambiguous_sends=config.digest.ambiguous_sends,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        cpu_s=round(time.process_time(), 1),
    )
    print("REPORT " + json.dumps(out), flush=True)


def _start_sender(args: argparse.Namespace, base_url: str, db_url: str, phase: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    argv = ["--serve-send", "--phase", phase, "--base-url", base_url, "--db-url", db_url]
    argv += ["--rate", str(args.rate), "--ambiguous", args.ambiguous, "--processes", str(processes(args))]
    argv += ["--concurrency", str(args.concurrency)] if args.concurrency else []
    argv += ["--claim-batch", str(args.claim_batch)] if args.claim_batch else []
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *argv],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def processes(args: argparse.Namespace) -> int:
    """telegram.send_limits.processes of each sender: --senders N share the rate unless --no-share."""
    return 1 if args.no_share else args.senders


async def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = await asyncio.to_thread(proc.communicate)
    for line in out.splitlines():
        if line.startswith("REPORT "):
            return json.loads(line[len("REPORT ") :])
    raise RuntimeError(f"the sender exited {proc.returncode} without a report")


async def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = await asyncio.to_thread(proc.stdout.readline)
    if not line.startswith("READY"):
        raise RuntimeError(f"the sender did not start: {line!r}")


# ------------------------------------------------------------------------------------------ bench


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    base = args.db_url or os.environ.get("TEST_POSTGRES_URL")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    url, name = await database(args.db, base)
    try:  # the bench's own database is dropped however the run ends
        return await _run(args, url, load_at_start)
    finally:
        await drop(url, base, name)


async def _run(args: argparse.Namespace, url: str, load_at_start: list[float]) -> dict[str, Any]:
    """Seed `url`, serve the fake, run the senders and the outbox job; the figures."""
    await seed(url, args.subscribers)
    fake = DigestFake(args.rate, args.latency)
    await fake.start()
    out: dict[str, Any] = {
        "subscribers": args.subscribers,
        "allowed_rate": args.rate,
        "latency_s": args.latency,
        "db": args.db,
        "senders": args.senders,
        "send_limits_processes": processes(args),
        "per_sender_rate": args.rate / processes(args),
        "ambiguous_sends": args.ambiguous,
        "killed": [],
        "load_average_start": load_at_start,
    }
    procs: list[subprocess.Popen[str]] = []
    fake_cpu = time.process_time()
    try:
        procs = [_start_sender(args, fake.base_url, url, "send") for _ in range(args.senders)]
        for proc in procs:
            await _wait_ready(proc)
        kills = args.kills or (1 if args.kill_at else 0)
        rng = random.Random(args.seed)
        low, high = max(1, args.subscribers // 10), max(1, 9 * args.subscribers // 10)
        points = sorted(rng.randint(low, high) for _ in range(kills))
        for kill_after in points:  # kills the first sender (--senders 1: the only one)
            while sum(fake.delivered.values()) < kill_after and procs[0].poll() is None:
                await asyncio.sleep(0.001)
            if procs[0].poll() is not None:
                break
            assert fake.first is not None
            interval = (fake.last - fake.first) / max(1, sum(fake.delivered.values()) - 1)
            await asyncio.sleep(rng.uniform(0, interval))  # a random instant of a delivery's cycle
            procs[0].send_signal(signal.SIGKILL)
            await asyncio.to_thread(procs[0].wait)
            state = await ledger(url)
            out["killed"].append({"after_messages": sum(fake.delivered.values()), "ledger": state})
            procs[0] = _start_sender(args, fake.base_url, url, "send")
            await _wait_ready(procs[0])
        out["per_sender"] = [await _finish(proc) for proc in procs]
        window_end = fake.last
        out["fake_cpu_s"] = round(time.process_time() - fake_cpu, 1)  # this process: the fake Bot API
        outbox = _start_sender(args, fake.base_url, url, "outbox")  # once every sender has ended
        procs.append(outbox)
        await _wait_ready(outbox)
        out["outbox"] = await _finish(outbox)
    finally:
        for proc in procs:  # a failed run leaves no sender behind
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        await fake.close()
    out["sender"] = {
        "sent": sum(s.get("sent", 0) for s in out["per_sender"]),
        "outbox_sent": out["outbox"].get("outbox_sent", 0),
        "concurrency": out["per_sender"][0].get("concurrency"),
        "claim_batch": out["per_sender"][0].get("claim_batch"),
        "peak_rss_mb": max(s.get("peak_rss_mb", 0) for s in out["per_sender"]),
    }
    counts = [fake.delivered.get(CHAT_BASE + n, 0) for n in range(args.subscribers)]
    messages = sum(fake.delivered.values())
    window = (window_end - fake.first) if fake.first is not None else 0.0
    sent_in_window = messages - out["outbox"].get("outbox_sent", 0)
    achieved = (sent_in_window - 1) / window if window > 0 else 0.0
    out.update(
        messages=messages,
        seconds=round(window, 2),
        achieved_rate=round(achieved, 1),
        share_of_allowed=round(achieved / args.rate, 3),
        too_many=fake.too_many,
        duplicates=sum(1 for c in counts if c > 1),
        never=sum(1 for c in counts if c == 0),
        ledger=await ledger(url),
        violations=fake.violations[:5],
        real_world_minutes_at_30=round(args.subscribers / REAL_WORLD_RATE / 60, 1),
        load_average=[round(x, 2) for x in os.getloadavg()],
        cpus=os.cpu_count(),
    )
    out["goals"] = {
        "rate >= 90 % of allowed": out["share_of_allowed"] >= GOAL_SHARE,
        "no 429": out["too_many"] == 0,
        "no duplicates": out["duplicates"] == 0,
        "every chat served": out["never"] == 0,
    }
    return out


def report(out: dict[str, Any]) -> str:
    per_sender = ", ".join(
        f"{s.get('sent')} sent / {s.get('skipped')} skipped / {s.get('peak_rss_mb')} MB"
        for s in out["per_sender"]
    )
    lines = [
        f"digest bench: {out['subscribers']} subscribers on {out['db']}, fake limit "
        f"{out['allowed_rate']:g} msg/s, {out['cpus']} CPUs, load average {out['load_average_start']} at "
        f"start, {out['load_average']} at end, {out['senders']} sender(s) x "
        f"{out['sender'].get('concurrency')} sending slots, claim batch {out['sender'].get('claim_batch')}, "
        f"ambiguous sends: {out['ambiguous_sends']}, {out['latency_s']:g} s added per call",
        f"  send_limits.processes {out['send_limits_processes']}: each sender allows "
        f"{out['per_sender_rate']:g} msg/s"
        + (" (--no-share)" if out["send_limits_processes"] == 1 and out["senders"] > 1 else ""),
        f"  {out['messages']} messages in {out['seconds']} s = {out['achieved_rate']} msg/s "
        f"({100 * out['share_of_allowed']:.1f} % of allowed)",
        f"  429s {out['too_many']}  duplicates {out['duplicates']}  never served {out['never']}  "
        f"peak RSS per sender {[s.get('peak_rss_mb') for s in out['per_sender']]} MB",
        f"  senders: {per_sender}; outbox job sent {out['sender'].get('outbox_sent')}",
        f"  CPU seconds: senders {[s.get('cpu_s') for s in out['per_sender']]}, "
        f"fake Bot API {out.get('fake_cpu_s')} (over {out['seconds']} s of sending)",
        f"  ledger: {out['ledger']}",
    ]
    for killed in out["killed"] or []:
        lines.append(f"  SIGKILLed after {killed['after_messages']} messages: {killed['ledger']}")
    lines.append(
        f"  real world: {out['subscribers']} messages at {REAL_WORLD_RATE:g}/s = "
        f"{out['real_world_minutes_at_30']} min (computed, not run)"
    )
    for goal, met in out["goals"].items():
        lines.append(f"  goal {goal}: {'met' if met else 'NOT met'}")
    if out["violations"]:
        lines.append(f"  fake Bot API violations: {out['violations']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=3000.0, help="messages/s the fake allows")
    parser.add_argument(
        "--concurrency", type=int, default=0, help="digest.send_concurrency (0: the config's default)"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the fake adds to each answer (a network round trip)",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--db-url",
        help="PostgreSQL server for --db postgres (default TEST_POSTGRES_URL); a database of "
        "the bench's own is created there and dropped",
    )
    parser.add_argument("--senders", type=int, default=1, help="sender processes at once (PostgreSQL)")
    parser.add_argument(
        "--no-share",
        action="store_true",
        help="each of --senders N allows the whole --rate (telegram.send_limits.processes: 1)",
    )
    parser.add_argument("--claim-batch", type=int, default=0, help="digest.claim_batch (0: the default)")
    parser.add_argument("--ambiguous", choices=("resend", "skip"), default="resend")
    parser.add_argument("--kill-at", action="store_true", help="SIGKILL the sender at random, restart")
    parser.add_argument("--kills", type=int, default=0, help="SIGKILL and restart this many times")
    parser.add_argument("--seed", type=int, default=None, help="random seed of --kill-at")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve-send", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("send", "outbox"), default="send", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.senders < 1 or (args.senders > 1 and args.db != "postgres"):
        parser.error("--senders N > 1 needs --db postgres (the senders share one ledger)")
    if args.senders > 1 and (args.kills or args.kill_at):
        parser.error("--kills runs with one sender")
    if args.serve_send:
        asyncio.run(send(args))
        return
    out = asyncio.run(bench(args))
    print(json.dumps(out, indent=2) if args.json else report(out))


if __name__ == "__main__":
    main()
