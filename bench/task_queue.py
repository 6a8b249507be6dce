"""Task-queue bench (issue 14): chart renders and a trivial job through procrastinate on PostgreSQL.

(Not bench/queue.py: run as a script, its folder comes first on sys.path and a file named queue.py there
hides the standard library's `queue` from every bench script, multiprocessing among its importers.)

    python bench/task_queue.py [--jobs 200] [--workers 1|2 ...] [--in-flight K] [--db-url URL] [--json]

Needs PostgreSQL: `--db-url`, else BENCH_POSTGRES_URL, else TEST_POSTGRES_URL names the server; the
bench creates a database of its own there (migrated, a small demo data set seeded) and drops it at the
end. For each worker count (`--workers`, default 1 and 2) it starts that many `python main.py worker`
processes (production queue settings, `insights.chart_workers` 2 each) and, from this process as the
bot's side:

  * charts: `QueueRunner.run` (the JobRunner port core/features/company/charts.py uses when
    `queue.backend` is procrastinate) renders `--jobs` real company chart jobs, the five views of the
    demo company with the most experiences (`company_jobs`, each wrapped in `render_job` as
    ChartService does), cycled; latency is from the call (defer) to the PNG back in this process,
    including QueueRunner's result polling (50 ms, growing to 500 ms);
  * trivial: `--jobs` outbox jobs with nothing due (one SELECT on the outbox) deferred the way the
    periodic task is, minus its locks; latency is procrastinate's own, from its `deferred` to its
    `succeeded` event (server clock), i.e. the queue's overhead per job.

Both keep `--in-flight` jobs outstanding (default: workers x queue.concurrency, what the workers run at
once), like that many students opening company cards back to back. Then the same chart jobs are drawn
by the in-process pool (`shared_runner(2)`, the default on SQLite) in this process, `--in-flight`
(default 2, its pool size) at a time. Warm-up jobs (not counted) run first on every path.

Printed per run: jobs done and failed, jobs/s (done / wall time of the run), p50/p95 latency, CPU per
job of the workers (each worker process and its chart processes, from /proc) and of this process, and
the 1-minute load average at start and end. `--json` prints the same as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch_db  # noqa: E402
from tests.queue import harness  # noqa: E402

CONCURRENCY = 2  # queue.concurrency's default: jobs one worker runs at once
POOL_WORKERS = 2  # insights.chart_workers' default: the in-process pool, and each worker's chart pool
SEED_EXPERIENCES = 300
TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------ database


async def chart_jobs_of_demo(url: str) -> tuple[list[Any], dict[str, Any]]:
    """Migrate and seed the demo set; the five chart jobs of the company with the most experiences, as
    the company feature builds them, each wrapped as ChartService._render hands it to its runner."""
    from sqlalchemy import func, select

    from core.app import bootstrap
    from core.config import parse_config
    from core.features.company.charts import render_job
    from core.features.company.service import CompanyFeature, company_jobs
    from storage.models import Experience
    from storage.seed_demo import seed_demo

    app = await bootstrap(parse_config({"insights": {"chart_workers": 0}}), db_url=url)
    try:
        await seed_demo(app.database.sessions, experiences=SEED_EXPERIENCES, seed=42)
        async with app.database.sessions() as session:
            company_id, count = (
                await session.execute(
                    select(Experience.company_id, func.count())
                    .group_by(Experience.company_id)
                    .order_by(func.count().desc(), Experience.company_id)
                    .limit(1)
                )
            ).one()
        stats = await app.feature(CompanyFeature).stats_for(company_id)
        assert stats is not None
        jobs = company_jobs(stats, stats.cloud)
    finally:
        await app.close()
    about = {"company": stats.name, "experiences": int(count), "views": [job.view for job in jobs]}
    return [functools.partial(render_job, job) for job in jobs], about


# ------------------------------------------------------------------------------------------ processes


def cpu_seconds(pids: Sequence[int]) -> float:
    """utime + stime of the live processes `pids`."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def _procs() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, session, state) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found.append((int(entry.name), int(fields[1]), int(fields[3]), fields[0]))
    return found


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (the in-process chart pool)."""
    return [child for child, ppid, _, state in _procs() if ppid == pid and state != "Z"]


class Workers(harness.Workers):
    """`python main.py worker` processes (tests/queue/harness.py's, each leading its own session with its
    chart pool in it), with the bench's settings: the queue on, the digest off, warnings only."""

    def __init__(self, folder: Path, url: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        settings = {
            "console": {"output_dir": str(folder / "console")},
            "mock": {"video_dir": str(folder / "mock")},
            "queue": {"backend": "procrastinate"},
            "digest": {"enabled": False},
            "logging": {"level": "WARNING"},
        }
        super().__init__(folder, url, harness.write_config(folder, settings))

    def start_many(self, count: int) -> None:
        for _ in range(count):
            self.start()

    def pids(self) -> list[int]:
        return [pid for proc in self.procs for pid in harness.session_members(proc.pid)]

    def all_errors(self) -> str:
        return "\n".join(self.errors(n)[-2000:] for n in range(len(self.procs)))

    def stop(self) -> None:
        """SIGINT (running jobs finish), then SIGKILL for whatever of their sessions is left."""
        self.close()
        self.procs.clear()


async def wait_for_workers(connector: Any, workers: Workers, count: int, timeout: float = 120.0) -> None:
    """Until `count` procrastinate workers have registered (heartbeat rows)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await connector.execute_query_all_async("SELECT count(*) AS n FROM procrastinate_workers")
        if rows[0]["n"] >= count:
            return
        if time.monotonic() > deadline or any(p.poll() is not None for p in workers.procs):
            raise RuntimeError(f"the queue workers did not start; their stderr:\n{workers.all_errors()}")
        await asyncio.sleep(0.2)


# ------------------------------------------------------------------------------------------ runs


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))]


async def closed_loop(
    count: int, in_flight: int, one: Callable[[int], Awaitable[float | None]]
) -> dict[str, Any]:
    """`count` calls of `one(n)`, `in_flight` at a time; each returns its latency in seconds (None: the
    latency is read elsewhere) or raises. Jobs done and failed, wall seconds, client latencies."""
    latencies: list[float] = []
    failures: list[str] = []
    counter = iter(range(count))

    async def lane() -> None:
        for n in counter:
            try:
                latency = await one(n)
            except Exception as problem:  # noqa: BLE001 - counted and shown, the run goes on
                failures.append(f"{type(problem).__name__}: {problem}")
                continue
            if latency is not None:
                latencies.append(latency)

    start = time.monotonic()
    await asyncio.gather(*(lane() for _ in range(max(1, in_flight))))
    seconds = time.monotonic() - start
    return {
        "done": count - len(failures),
        "failed": len(failures),
        "failures": failures[:3],
        "seconds": seconds,
        "latencies": latencies,
    }


def figures(
    path: str, task: str, workers: int, jobs: int, in_flight: int, run: dict[str, Any], cpu: dict[str, float]
) -> dict[str, Any]:
    latencies = run["latencies"]
    done = run["done"]
    return {
        "path": path,
        "task": task,
        "workers": workers,
        "jobs": jobs,
        "in_flight": in_flight,
        "done": done,
        "failed": run["failed"],
        "failures": run["failures"],
        "seconds": round(run["seconds"], 3),
        "jobs_per_s": round(done / run["seconds"], 1) if run["seconds"] > 0 else 0.0,
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "worker_cpu_s": round(cpu["workers"], 2),
        "worker_cpu_ms_per_job": round(1000 * cpu["workers"] / done, 1) if done else 0.0,
        "bot_cpu_s": round(cpu["bot"], 2),
        "bot_cpu_ms_per_job": round(1000 * cpu["bot"] / done, 1) if done else 0.0,
    }


async def measured(pids: Callable[[], list[int]], body: Callable[[], Awaitable[dict[str, Any]]]) -> tuple:
    """`body()`'s result and the CPU seconds `pids()` and this process spent meanwhile."""
    before_workers, before_bot = cpu_seconds(pids()), time.process_time()
    result = await body()
    cpu = {"workers": cpu_seconds(pids()) - before_workers, "bot": time.process_time() - before_bot}
    return result, cpu


async def events(connector: Any, ids: Sequence[int] | None, task: str, after: int) -> dict[str, Any]:
    """procrastinate's own figures of the run's jobs (`ids`, or every `task` job with an id above
    `after`): how many succeeded, and deferred->started (wait) and deferred->succeeded latencies."""
    rows = await connector.execute_query_all_async(
        "SELECT j.id, j.status::text AS status,"
        " extract(epoch FROM max(e.at) FILTER (WHERE e.type = 'deferred')) AS deferred,"
        " extract(epoch FROM max(e.at) FILTER (WHERE e.type = 'started')) AS started,"
        " extract(epoch FROM max(e.at) FILTER (WHERE e.type = 'succeeded')) AS succeeded"
        " FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id"
        " WHERE j.task_name = %(task)s AND j.id > %(after)s GROUP BY j.id, j.status",
        task=task,
        after=after,
    )
    if ids is not None:
        wanted = set(ids)
        rows = [row for row in rows if row["id"] in wanted]
    finished = [row for row in rows if row["status"] == "succeeded" and row["succeeded"] is not None]
    total = [float(row["succeeded"] - row["deferred"]) for row in finished]
    wait = [float(row["started"] - row["deferred"]) for row in finished if row["started"] is not None]
    return {
        "jobs": len(rows),
        "succeeded": len(finished),
        "p50_ms": round(1000 * percentile(total, 0.50), 1),
        "p95_ms": round(1000 * percentile(total, 0.95), 1),
        "wait_p50_ms": round(1000 * percentile(wait, 0.50), 1),
        "wait_p95_ms": round(1000 * percentile(wait, 0.95), 1),
    }


async def max_job_id(connector: Any) -> int:
    rows = await connector.execute_query_all_async(
        "SELECT coalesce(max(id), 0) AS id FROM procrastinate_jobs"
    )
    return int(rows[0]["id"])


def chart_call(runner: Any, jobs: Sequence[Any], pngs: list[int]) -> Callable[[int], Awaitable[float]]:
    """One chart render through `runner`: its latency; the PNG's size appended to `pngs`."""

    async def one(n: int) -> float:
        start = time.monotonic()
        png, _filename, _caption = await runner.run(jobs[n % len(jobs)], timeout=30.0)
        latency = time.monotonic() - start
        if not bytes(png).startswith(b"\x89PNG"):
            raise RuntimeError("the chart job returned something else than a PNG")
        pngs.append(len(png))
        return latency

    return one


async def queue_runs(
    args: argparse.Namespace, url: str, folder: Path, count: int, jobs: Sequence[Any]
) -> list[dict[str, Any]]:
    """Charts and trivial jobs through `count` worker processes."""
    from core.ports import TASK_OUTBOX, TASK_RENDER_CHART
    from storage.queue import open_queue

    in_flight = args.in_flight or count * CONCURRENCY
    queue = await open_queue(url)
    runner = queue.runner()
    connector = queue.app.connector
    workers = Workers(folder / f"w{count}", url)
    out: list[dict[str, Any]] = []
    try:
        workers.start_many(count)
        await wait_for_workers(connector, workers, count)
        warm = await closed_loop(2 * in_flight, in_flight, chart_call(runner, jobs, []))
        if warm["failed"]:
            raise RuntimeError(f"warm-up charts failed: {warm['failures']}; workers:\n{workers.all_errors()}")

        pngs: list[int] = []
        after = await max_job_id(connector)
        run, cpu = await measured(
            workers.pids, lambda: closed_loop(args.jobs, in_flight, chart_call(runner, jobs, pngs))
        )
        row = figures("queue", "chart", count, args.jobs, in_flight, run, cpu)
        row["pngs"] = len(pngs)
        row["queue_side"] = await events(connector, None, TASK_RENDER_CHART, after)
        out.append(row)

        ids: list[int] = []
        deferring = queue.app.configure_task(name=TASK_OUTBOX)  # the periodic task's job, without its locks

        async def trivial(n: int) -> None:
            job_id = await deferring.defer_async(timestamp=n)
            ids.append(job_id)
            pause = 0.002
            while True:
                rows = await connector.execute_query_all_async(
                    "SELECT status::text AS status FROM procrastinate_jobs WHERE id = %(id)s", id=job_id
                )
                status = rows[0]["status"]
                if status == "succeeded":
                    return None
                if status not in ("todo", "doing"):
                    raise RuntimeError(f"outbox job {job_id} ended {status}")
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 0.05)

        await closed_loop(in_flight, in_flight, trivial)  # warm-up
        ids.clear()
        run, cpu = await measured(workers.pids, lambda: closed_loop(args.jobs, in_flight, trivial))
        side = await events(connector, ids, TASK_OUTBOX, 0)
        run["latencies"] = []
        row = figures("queue", "trivial", count, args.jobs, in_flight, run, cpu)
        row.update(p50_ms=side["p50_ms"], p95_ms=side["p95_ms"], queue_side=side, deferred=len(ids))
        out.append(row)
    finally:
        workers.stop()
        await queue.close()
    return out


async def inprocess_run(args: argparse.Namespace, jobs: Sequence[Any]) -> dict[str, Any]:
    """The same chart jobs on this process's own pool, as with queue.backend inprocess."""
    from core.features.company.charts import shared_runner, shutdown_pools

    in_flight = args.in_flight or POOL_WORKERS
    runner = shared_runner(POOL_WORKERS)
    try:
        runner.start()
        await runner.ready()
        warm = await closed_loop(2 * in_flight, in_flight, chart_call(runner, jobs, []))
        if warm["failed"]:
            raise RuntimeError(f"warm-up charts failed in-process: {warm['failures']}")
        pngs: list[int] = []
        run, cpu = await measured(
            lambda: children(os.getpid()),
            lambda: closed_loop(args.jobs, in_flight, chart_call(runner, jobs, pngs)),
        )
    finally:
        shutdown_pools()
    row = figures("in-process pool", "chart", 0, args.jobs, in_flight, run, cpu)
    row["pngs"] = len(pngs)
    return row


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    base = args.db_url or os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not base:
        raise SystemExit("task_queue.py needs PostgreSQL: --db-url, BENCH_POSTGRES_URL or TEST_POSTGRES_URL")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    url, name = await scratch_db.create(base, "ii_bench_queue")
    out: dict[str, Any] = {"jobs": args.jobs, "load_average_start": load_at_start, "cpus": os.cpu_count()}
    try:
        from storage.queue import apply_schema

        jobs, out["chart"] = await chart_jobs_of_demo(url)
        await apply_schema(url)
        runs: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="ii-bench-queue-") as folder:
            for count in args.workers:
                runs += await queue_runs(args, url, Path(folder), count, jobs)
        runs.append(await inprocess_run(args, jobs))
        out["runs"] = runs
    finally:
        await scratch_db.drop(base, name)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def report(out: dict[str, Any]) -> str:
    chart = out["chart"]
    lines = [
        f"queue bench: {out['jobs']} jobs a run, {out['cpus']} CPUs, load average {out['load_average_start']}"
        f" at start, {out['load_average']} at end",
        f"  chart jobs: the {', '.join(chart['views'])} charts of {chart['company']} "
        f"({chart['experiences']} demo experiences), cycled",
        f"  {'path':16} {'task':8} {'workers':>7} {'in flight':>9} {'done':>5} {'failed':>6} {'jobs/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'worker CPU ms/job':>18} {'bot CPU ms/job':>15}",
    ]
    for row in out["runs"]:
        workers = str(row["workers"]) if row["path"] == "queue" else "-"
        lines.append(
            f"  {row['path']:16} {row['task']:8} {workers:>7} {row['in_flight']:>9} {row['done']:>5} "
            f"{row['failed']:>6} {row['jobs_per_s']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} "
            f"{row['worker_cpu_ms_per_job']:>18} {row['bot_cpu_ms_per_job']:>15}"
        )
    lines.append(
        "  chart latency: call to PNG back in the bot; trivial: procrastinate's deferred -> succeeded"
    )
    for row in out["runs"]:
        side = row.get("queue_side")
        if side:
            lines.append(
                f"  {row['task']} with {row['workers']} worker(s), procrastinate's view: "
                f"{side['succeeded']} of {side['jobs']} succeeded, deferred -> started p50 "
                f"{side['wait_p50_ms']} / p95 {side['wait_p95_ms']} ms, deferred -> succeeded p50 "
                f"{side['p50_ms']} / p95 {side['p95_ms']} ms"
            )
        if row["failures"]:
            lines.append(f"  {row['path']} {row['task']} failures: {row['failures']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs a run")
    parser.add_argument(
        "--workers",
        type=int,
        choices=(1, 2),
        action="append",
        help="`main.py worker` processes (repeat for several runs; default 1 and 2)",
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        default=0,
        help="jobs outstanding at once (default: workers x queue.concurrency; in-process: the pool's size)",
    )
    parser.add_argument("--db-url", help="PostgreSQL server (default BENCH_POSTGRES_URL, TEST_POSTGRES_URL)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.workers = args.workers or [1, 2]
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    import logging

    logging.basicConfig(level=logging.WARNING)
    out = asyncio.run(bench(args))
    print(json.dumps(out, indent=2) if args.json else report(out))


if __name__ == "__main__":
    main()
