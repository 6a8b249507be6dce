"""Benchmark company answers, search and event-loop responsiveness at 100k and 1M experiences (SQLite).

    python bench/search.py [--sizes 100000,1000000] [--dir /tmp/ii-bench] [--runs 20] [--workers 2,0]

Databases come from bench/seed_bulk.py (the analysed demo set copied in bulk; built once per schema
revision and size under --dir, ~1.5 min for 1M). Prints p50/p95 of the bare card SQL aggregate, one
bare matplotlib render, a full /company answer (card + five charts) cold (fresh caches, chart pool
already started as at bootstrap) and warm, the time until the card's text is ready, /search (rare and
common words, with and without a company filter), and the worst event-loop stall during a cold card,
for each chart mode (N processes, 0 = threads). Every figure is printed with the 1-minute load
average, because other work shares the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seed_bulk import ensure_database, peak_rss_mb  # noqa: E402
from core.features.company.charts import ChartService, shutdown_pools  # noqa: E402
from core.features.company.service import CompanyFeature  # noqa: E402
from core.features.company.views import card_text  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.search import SearchRepo  # noqa: E402
from storage.stats import StatsRepo  # noqa: E402

logger = logging.getLogger(__name__)

SEARCHES = [
    ("rare", "zookeeper"),
    ("rare", "lru cache"),
    ("medium", "dynamic programming"),
    ("medium", "system design"),
    ("common", "dbms"),
    ("common", "tell me about yourself"),
    ("common", "technical interview practice"),
    ("common+filter", "dbms company:tcs"),
]


def pct(values: list[float], q: float) -> float:
    """Percentile in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def load() -> str:
    """The 1-minute load average, printed next to every figure."""
    return f"load {os.getloadavg()[0]:.1f}"


def figure(values: list[float], digits: int = 0) -> str:
    return f"p50 {pct(values, 0.5):.{digits}f} / p95 {pct(values, 0.95):.{digits}f} ms  ({load()})"


async def measure(path: Path, runs: int, modes: list[int]) -> dict[str, str]:
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    stats = StatsRepo(db.sessions)
    async with db.sessions() as session:
        from sqlalchemy import text

        biggest = (
            (
                await session.execute(
                    text(
                        "SELECT company_id FROM experiences GROUP BY company_id "
                        "ORDER BY count(*) DESC LIMIT 5"
                    )
                )
            )
            .scalars()
            .all()
        )
        total = (await session.execute(text("SELECT count(*) FROM experiences"))).scalar_one()
        sizes = [
            (await session.execute(text(f"SELECT count(*) FROM experiences WHERE company_id = {c}"))).scalar()
            for c in biggest
        ]
    top = ", ".join(f"{n:,}" for n in sizes)
    out: dict[str, str] = {"experiences": f"{total:,} (top-5 companies: {top})"}

    agg = []
    for i in range(runs):
        t0 = time.perf_counter()
        await stats.company(biggest[i % len(biggest)])
        agg.append(time.perf_counter() - t0)
    out["bare aggregate (card SQL, top-5 companies)"] = figure(agg)

    from media import charts

    one = await stats.company(biggest[0])
    renders = []
    for _ in range(max(3, runs // 4)):
        t0 = time.perf_counter()
        charts.topics_bar(one.name, dict(one.topics), one.total)
        renders.append(time.perf_counter() - t0)
    out["bare render (topics bar, in this process)"] = figure(renders)

    for workers in modes:
        mode = f"{workers} chart processes" if workers else "chart threads"
        service = ChartService(workers)
        await service.warm_up()  # as at bootstrap: the pool starts before the first request
        cold, text_ready, warm, stalls = [], [], [], []
        for i in range(max(3, runs // 2)):
            service = ChartService(workers)  # empty chart cache; the shared pool stays warm
            feature = CompanyFeature(None, stats, service, None, chart_wait_s=60)  # type: ignore[arg-type]
            company = biggest[i % len(biggest)]
            lag = [0.0]
            done = asyncio.Event()

            async def ticker(done: asyncio.Event = done, lag: list[float] = lag) -> None:
                while not done.is_set():
                    t = time.perf_counter()
                    await asyncio.sleep(0.005)
                    lag[0] = max(lag[0], time.perf_counter() - t - 0.005)

            tick = asyncio.create_task(ticker())
            t0 = time.perf_counter()
            card_stats = await feature.stats_for(company)
            card_text(card_stats)
            text_ready.append(time.perf_counter() - t0)
            replies = await feature.card(company)
            cold.append(time.perf_counter() - t0)
            done.set()
            await tick
            stalls.append(lag[0])
            assert len(replies[1].images) == 5
            for _ in range(3):
                t0 = time.perf_counter()
                await feature.card(company)
                warm.append(time.perf_counter() - t0)
        out[f"[{mode}] /company cold: card text ready"] = figure(text_ready)
        out[f"[{mode}] /company cold: card + 5 charts"] = figure(cold)
        out[f"[{mode}] /company warm (cached by data_version)"] = figure(warm, 1)
        out[f"[{mode}] worst event-loop stall during a cold card"] = (
            f"p50 {pct(stalls, 0.5):.0f} / max {max(stalls) * 1000:.0f} ms  ({load()})"
        )

    repo = SearchRepo(db.sessions)
    tcs = biggest[0]
    for label, query in SEARCHES:
        times = []
        words, _, flt = query.partition(" company:")
        for _ in range(runs):
            t0 = time.perf_counter()
            await repo.search(words, company_id=tcs if flt else None, page=1)
            times.append(time.perf_counter() - t0)
        out[f"/search {label}: {query!r}"] = figure(times, 1)
    await db.dispose()
    out["peak RSS of this process"] = f"{peak_rss_mb():.0f} MB"
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dir", default="/tmp/ii-bench")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", default="2,0", help="chart modes to compare: processes, 0 = threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    folder = Path(args.dir)
    modes = [int(w) for w in args.workers.split(",")]
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    print(
        f"machine: {os.cpu_count()} cores ({cpu}), python {sys.version.split()[0]}, "
        f"sqlite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n== {size:,} experiences", flush=True)
            path = await ensure_database(folder, size)
            results = await measure(path, args.runs, modes)
            width = max(len(k) for k in results)
            for key, value in results.items():
                print(f"  {key.ljust(width)}  {value}", flush=True)
            print(f"  ({args.runs} runs; {path})")
    finally:
        shutdown_pools()


if __name__ == "__main__":
    asyncio.run(main())
