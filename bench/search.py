"""Benchmark company answers, search and event-loop responsiveness at 100k and 1M experiences (SQLite).

    python bench/search.py [--sizes 100000,1000000] [--dir /tmp/ii-bench] [--runs 20]

Seeds the 1,200-experience demo set once, analyses it (topics, sentiment, search documents), then
doubles every table with INSERT ... SELECT (ids shifted) until the target size: realistic text and
distributions at scale in minutes. Prints p50/p95 of the bare SQL aggregate, one bare matplotlib
render, a full /company answer (card + five charts) cold and warm, /search (rare and common words,
with and without a company filter), and the worst event-loop stall while charts render.
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

from core.analytics.pipeline import analyse_all  # noqa: E402
from core.features.company import CompanyFeature  # noqa: E402
from core.features.company_charts import ChartService  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.search import SearchRepo  # noqa: E402
from storage.seed_demo import seed_demo  # noqa: E402
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


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def double(path: Path, target: int) -> None:
    """Copy every row (ids shifted) until there are at least `target` experiences."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    exp_cols = [c for c in columns(conn, "experiences") if c != "id"]
    round_cols = [c for c in columns(conn, "rounds") if c not in ("id", "experience_id")]
    q_cols = [c for c in columns(conn, "questions") if c not in ("id", "round_id", "experience_id")]
    while (n := conn.execute("SELECT max(id) FROM experiences").fetchone()[0]) < target:
        take = min(n, target - n)
        r = conn.execute("SELECT max(id) FROM rounds").fetchone()[0]
        q = conn.execute("SELECT max(id) FROM questions").fetchone()[0]
        t0 = time.perf_counter()
        with conn:
            conn.execute(
                f"INSERT INTO experiences (id, {', '.join(exp_cols)}) "
                f"SELECT id + {n}, {', '.join(exp_cols)} FROM experiences WHERE id <= {take}"
            )
            conn.execute(
                f"INSERT INTO rounds (id, experience_id, {', '.join(round_cols)}) SELECT id + {r}, "
                f"experience_id + {n}, {', '.join(round_cols)} FROM rounds WHERE experience_id <= {take}"
            )
            conn.execute(
                f"INSERT INTO questions (id, round_id, experience_id, {', '.join(q_cols)}) SELECT id + {q}, "
                f"round_id + {r}, experience_id + {n}, {', '.join(q_cols)} FROM questions "
                f"WHERE experience_id <= {take}"
            )
            conn.execute(
                f"INSERT INTO experience_topics (experience_id, topic) SELECT experience_id + {n}, topic "
                f"FROM experience_topics WHERE experience_id <= {take}"
            )
            conn.execute(
                f"INSERT INTO search_docs (experience_id, company_id, title, body) "
                f"SELECT experience_id + {n}, company_id, title, body FROM search_docs "
                f"WHERE experience_id <= {take}"
            )
        print(f"  copied {take:,} experiences in {time.perf_counter() - t0:.1f} s", flush=True)
    conn.execute("UPDATE companies SET data_version = data_version + 1")
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def prepare(path: Path, size: int) -> None:
    """Seed, analyse and grow a database file to `size` experiences (kept between runs)."""
    url = f"sqlite+aiosqlite:///{path}"
    db = await open_database(url)
    t0 = time.perf_counter()
    await seed_demo(db.sessions, analyse=False)
    analysed = await analyse_all(db.sessions)
    print(f"  seeded + analysed {analysed:,} in {time.perf_counter() - t0:.1f} s", flush=True)
    await db.dispose()
    t0 = time.perf_counter()
    await asyncio.to_thread(double, path, size)
    print(f"  grown to {size:,} in {time.perf_counter() - t0:.1f} s", flush=True)


async def measure(path: Path, runs: int, workers: int) -> dict[str, str]:
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
    out: dict[str, str] = {"experiences": f"{total:,}"}

    agg = []
    for i in range(runs):
        t0 = time.perf_counter()
        await stats.company(biggest[i % len(biggest)])
        agg.append(time.perf_counter() - t0)
    out["bare aggregate (card SQL, top-5 companies)"] = (
        f"p50 {pct(agg, 0.5):.0f} / p95 {pct(agg, 0.95):.0f} ms"
    )

    from media import charts

    one = await stats.company(biggest[0])
    renders = []
    for _ in range(max(3, runs // 4)):
        t0 = time.perf_counter()
        charts.topics_bar(one.name, dict(one.topics), one.total)
        renders.append(time.perf_counter() - t0)
    out["bare render (topics bar)"] = f"p50 {pct(renders, 0.5):.0f} / p95 {pct(renders, 0.95):.0f} ms"

    cold, warm, stalls = [], [], []
    for i in range(max(3, runs // 2)):
        feature = CompanyFeature(None, stats, ChartService(workers), None)  # type: ignore[arg-type]
        if workers:
            await feature._charts.warm_up()
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
        feature._charts.close()
    out["/company cold (card + 5 charts)"] = f"p50 {pct(cold, 0.5):.0f} / p95 {pct(cold, 0.95):.0f} ms"
    out["/company warm (cached by data_version)"] = f"p50 {pct(warm, 0.5):.1f} / p95 {pct(warm, 0.95):.1f} ms"
    out["worst event-loop stall while rendering"] = (
        f"p50 {pct(stalls, 0.5):.0f} / max {max(stalls) * 1000:.0f} ms"
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
        out[f"/search {label}: {query!r}"] = f"p50 {pct(times, 0.5):.1f} / p95 {pct(times, 0.95):.1f} ms"
    await db.dispose()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dir", default="/tmp/ii-bench")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0, help="chart process pool size (0 = threads)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        path = folder / f"bench-{size}.db"
        print(f"\n== {size:,} experiences ({path})", flush=True)
        if not path.exists():
            await prepare(path, size)
        results = await measure(path, args.runs, args.workers)
        width = max(len(k) for k in results)
        for key, value in results.items():
            print(f"  {key.ljust(width)}  {value}", flush=True)
        print(f"  ({args.runs} runs; chart workers={args.workers})")


if __name__ == "__main__":
    asyncio.run(main())
