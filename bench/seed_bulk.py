"""Build large SQLite benchmark databases fast: an analysed demo template, copied in bulk to N experiences.

    python bench/seed_bulk.py --size 1000000 [--dir /tmp/ii-bench]

The template (the 1,200-experience demo set, analysed: topics, sentiment, search documents) is built
once per schema revision and kept under --dir. A database of N experiences is a copy of the template
grown with `INSERT ... SELECT` blocks (ids shifted, the engine copies rows natively: no Python per row),
with secondary indexes and full-text triggers dropped during the copy and rebuilt once at the end,
journal off. The finished file is renamed into place, so an interrupted build is never reused.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic.script import ScriptDirectory  # noqa: E402

from storage.analysis import analyse_all  # noqa: E402
from storage.db import alembic_config, open_database  # noqa: E402
from storage.search import INDEX_VERSION  # noqa: E402
from storage.seed_demo import seed_demo  # noqa: E402

logger = logging.getLogger(__name__)

GROWN_TABLES = ("experiences", "rounds", "questions", "experience_topics", "search_docs")
DEFAULT_DIR = Path("/tmp/ii-bench")


def schema_head() -> str:
    """The Alembic head revision: templates and grown files are per schema."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or "base"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def build_template(path: Path) -> None:
    """The analysed demo set in a migrated file (built in a temporary file, then renamed)."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = await open_database(f"sqlite+aiosqlite:///{partial}")
    try:
        await seed_demo(db.sessions, analyse=False)
        await analyse_all(db.sessions)
    finally:
        await db.dispose()
    conn = sqlite3.connect(partial)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)


def template_path(folder: Path) -> Path:
    """Per schema and search-document version (documents are copied, not rebuilt, when growing)."""
    return folder / f"template-{schema_head()}-s{INDEX_VERSION}.db"


async def ensure_template(folder: Path) -> Path:
    """The template for the current schema, built when missing."""
    path = template_path(folder)
    if not path.exists():
        t0 = time.perf_counter()
        await build_template(path)
        print(f"  template built in {time.perf_counter() - t0:.1f} s ({path})", flush=True)
    return path


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _secondary_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the indexes and triggers on the grown tables (not automatic PK indexes)."""
    marks = ",".join("?" * len(GROWN_TABLES))
    return list(
        conn.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({marks}) AND sql IS NOT NULL",
            GROWN_TABLES,
        )
    )


def grow(template: Path, path: Path, size: int) -> None:
    """Copy the template into `path` and grow it to `size` experiences (indexes and FTS rebuilt once)."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    shutil.copyfile(template, partial)
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB page cache: index builds sort in memory mostly
    n0, e_min = conn.execute("SELECT max(id), min(id) FROM experiences").fetchone()
    r0 = conn.execute("SELECT max(id) FROM rounds").fetchone()[0]
    q0 = conn.execute("SELECT max(id) FROM questions").fetchone()[0]
    have = conn.execute("SELECT count(*) FROM experiences").fetchone()[0]
    objects = _secondary_objects(conn)
    for kind, name, _sql in objects:
        conn.execute(f"DROP {kind.upper()} {name}")
    exp_cols = ", ".join(c for c in _columns(conn, "experiences") if c != "id")
    round_cols = ", ".join(c for c in _columns(conn, "rounds") if c not in ("id", "experience_id"))
    q_cols = ", ".join(c for c in _columns(conn, "questions") if c not in ("id", "round_id", "experience_id"))
    t0 = time.perf_counter()
    block = 0
    conn.execute("BEGIN")
    while have < size:
        block += 1
        take = min(size - have, n0 - e_min + 1)
        last = e_min + take - 1  # copy template experiences e_min..last (and their children)
        de, dr, dq = block * n0, block * r0, block * q0
        conn.execute(
            f"INSERT INTO experiences (id, {exp_cols}) SELECT id + {de}, {exp_cols} FROM experiences "
            f"WHERE id <= {last}"
        )
        conn.execute(
            f"INSERT INTO rounds (id, experience_id, {round_cols}) SELECT id + {dr}, experience_id + {de}, "
            f"{round_cols} FROM rounds WHERE id <= {r0} AND experience_id <= {last}"
        )
        conn.execute(
            f"INSERT INTO questions (id, round_id, experience_id, {q_cols}) "
            f"SELECT id + {dq}, round_id + {dr}, experience_id + {de}, {q_cols} "
            f"FROM questions WHERE id <= {q0} AND experience_id <= {last}"
        )
        conn.execute(
            f"INSERT INTO experience_topics (experience_id, topic) SELECT experience_id + {de}, topic "
            f"FROM experience_topics WHERE experience_id <= {last}"
        )
        conn.execute(
            f"INSERT INTO search_docs (experience_id, company_id, title, body) SELECT experience_id + {de}, "
            f"company_id, title, body FROM search_docs WHERE experience_id <= {last}"
        )
        have += conn.execute(f"SELECT count(*) FROM experiences WHERE id <= {last}").fetchone()[0]
        if block % 100 == 0:
            conn.execute("COMMIT")
            print(f"  {have:,} experiences copied ({time.perf_counter() - t0:.0f} s)", flush=True)
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    print(f"  rows copied in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    for kind, _name, sql in objects:
        if kind == "index":
            conn.execute(sql)
    print(f"  indexes rebuilt in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
    for kind, _name, sql in objects:
        if kind == "trigger":
            conn.execute(sql)
    print(f"  full-text index rebuilt in {time.perf_counter() - t0:.1f} s", flush=True)
    conn.execute("UPDATE companies SET data_version = data_version + 1")
    conn.execute("PRAGMA analysis_limit=2000")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    partial.rename(path)


def bench_path(folder: Path, size: int) -> Path:
    return folder / f"bench-{schema_head()}-s{INDEX_VERSION}-{size}.db"


async def ensure_database(folder: Path, size: int) -> Path:
    """A grown benchmark database of `size` experiences for the current schema (built when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = bench_path(folder, size)
    if path.exists():
        return path
    template = await ensure_template(folder)
    t0 = time.perf_counter()
    await asyncio.to_thread(grow, template, path, size)
    size_mb = path.stat().st_size / 1e6
    print(
        f"  grown to {size:,} in {time.perf_counter() - t0:.1f} s, {size_mb:,.0f} MB on disk, "
        f"peak RSS {peak_rss_mb():.0f} MB, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--dir", default=str(DEFAULT_DIR))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(asyncio.run(ensure_database(Path(args.dir), args.size)))


if __name__ == "__main__":
    main()
