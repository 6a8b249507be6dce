"""Async engine and session factory from a URL, and Alembic migrations run from code (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import sqltypes

logger = logging.getLogger(__name__)

STORAGE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = STORAGE_DIR / "alembic.ini"
MIGRATIONS_DIR = STORAGE_DIR / "migrations"
DEFAULT_BUSY_TIMEOUT_MS = 5000
LOCK_WAIT_S = 60.0  # how long a statement waits in all for another process's SQLite write lock
LOCK_RETRY_PAUSE_S = 0.05
#: PostgreSQL `application_name` of this process's connections, shown in pg_stat_activity and the server
#: log; main.py names each process kind (interview-insights-bot, -worker, -migrate, ...).
APPLICATION_NAME = ["interview-insights"]


def set_application_name(name: str) -> None:
    """Name this process's PostgreSQL connections opened from now on (at most 63 bytes are kept)."""
    APPLICATION_NAME[0] = name


def application_name() -> str:
    """The `application_name` this process's PostgreSQL connections carry."""
    return APPLICATION_NAME[0]


def is_migration_only_table(name: str) -> bool:
    """Tables that migrations create by hand, per dialect, outside storage.models (full-text search).

    Autogenerate and the schema comparison in tests skip them instead of proposing to drop them.
    """
    return name == "search_docs" or name.startswith("search_fts")


URL_HELP = (
    "use e.g. sqlite+aiosqlite:///var/interview_insights.db or postgresql+asyncpg://user:password@host/dbname"
)
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class DatabaseURLError(ValueError):
    """The database URL is malformed or names a driver we cannot use; the message says what to write."""


class _UTCDateTime(SQLITE_DATETIME):
    """SQLite DATETIME that stores aware values as UTC and reads timezone=True columns back as aware UTC.

    SQLite has no timezone type: by default SQLAlchemy drops the offset on write and returns naive values,
    so the same model would behave differently on SQLite and PostgreSQL.
    """

    def bind_processor(self, dialect: Any) -> Any:
        process = super().bind_processor(dialect)

        def bind(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return process(value) if process else value

        return bind

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        process = super().result_processor(dialect, coltype)
        if not self.timezone:
            return process

        def result(value: Any) -> Any:
            value = process(value) if process else value
            if isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value

        return result


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL and pick the async driver for plain sqlite:// or postgresql:// URLs."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"{url!r} is not a database URL; {URL_HELP}") from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in ASYNC_DRIVERS:
        raise DatabaseURLError(f"database {backend!r} is not supported; {URL_HELP}")
    if not driver:
        parsed = parsed.set(drivername=ASYNC_DRIVERS[backend])
    elif parsed.drivername not in ASYNC_DRIVERS.values():
        raise DatabaseURLError(f"driver {parsed.drivername!r} is not async; {URL_HELP}")
    return parsed


def pool_options(
    pool_size: int | None = None, max_overflow: int | None = None, pool_timeout_s: float | None = None
) -> dict[str, Any]:
    """create_async_engine keywords for a PostgreSQL pool; unset values keep SQLAlchemy's defaults."""
    options: dict[str, Any] = {}
    if pool_size is not None:
        options["pool_size"] = pool_size
    if max_overflow is not None:
        options["max_overflow"] = max_overflow
    if pool_timeout_s is not None:
        options["pool_timeout"] = pool_timeout_s
    return options


def is_memory_sqlite(url: URL) -> bool:
    """True for an in-memory SQLite URL ("sqlite+aiosqlite://"), which must share one connection."""
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and (
        database in ("", ":memory:") or "mode=memory" in database or url.query.get("mode") == "memory"
    )


class Database:
    """One async engine and session factory; SQLite connections get WAL, foreign keys and a busy timeout."""

    def __init__(
        self,
        url: str | URL,
        *,
        busy_timeout_ms: int | None = None,
        echo: bool = False,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        pool_timeout_s: float | None = None,
    ):
        """`pool_size`, `max_overflow` and `pool_timeout_s` (seconds) size PostgreSQL's connection pool
        per process (None: SQLAlchemy's 5, 10 and 30); SQLite ignores them (aiosqlite opens a connection
        per checkout, and one shared connection for in-memory databases)."""
        self.url = normalize_url(url)
        self.busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        kwargs: dict[str, Any] = {"echo": echo}
        if self.url.get_backend_name() == "sqlite":
            if is_memory_sqlite(self.url):
                kwargs["poolclass"] = StaticPool
            else:
                self._make_parent_dir()
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"server_settings": {"application_name": application_name()}}
            kwargs.update(pool_options(pool_size, max_overflow, pool_timeout_s))
        try:
            self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        except ModuleNotFoundError as exc:
            raise DatabaseURLError(
                f"the driver for {self.url.drivername} is not installed ({exc.name}); "
                "for PostgreSQL run: pip install '.[postgres]'"
            ) from exc
        if self.dialect == "sqlite":
            self._setup_sqlite()
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        """The dialect name: "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def _make_parent_dir(self) -> None:
        """Create the folder of a file database (e.g. var/) so a fresh checkout just works."""
        database = self.url.database or ""
        if database.startswith("file:"):
            return
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def _setup_sqlite(self) -> None:
        """Store datetimes as UTC, set the pragmas on every new connection, wait out other writers."""
        dialect = self.engine.sync_engine.dialect
        dialect.colspecs = {**dialect.colspecs, sqltypes.DateTime: _UTCDateTime}
        _retry_when_locked(dialect)
        _skip_idle_rollback(dialect)
        memory = is_memory_sqlite(self.url)
        timeout = int(self.busy_timeout_ms)

        @event.listens_for(self.engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                if not memory:
                    cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={timeout}")
            finally:
                cursor.close()

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision` on this engine (works for in-memory SQLite too)."""
        await _run_alembic(self.engine, "upgrade", revision)

    async def downgrade(self, revision: str = "base") -> None:
        """Revert Alembic migrations down to `revision`."""
        await _run_alembic(self.engine, "downgrade", revision)

    async def current_revision(self) -> str | None:
        """The Alembic revision the database is at, or None when it was never migrated."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(_current_revision)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"


def _is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY after the busy timeout), from any DBAPI wrapper."""
    return type(exc).__name__ == "OperationalError" and "database is locked" in str(exc)


def _retry_when_locked(dialect: Any) -> None:
    """Retry a statement SQLite refused with "database is locked" until LOCK_WAIT_S have passed.

    Why: another process (`main.py seed-demo`, a migration, a second bot) may hold the file's write
    lock longer than the busy timeout; a student's step must wait for it, not fail. Retrying the
    statement is safe: the driver opens a transaction (BEGIN) right before the first write, so a
    statement refused for the lock is a transaction's first write and nothing of it was done; later
    statements of that transaction hold the lock already. Pauses are awaited (the event loop keeps
    serving) through SQLAlchemy's greenlet bridge; a synchronous engine's connections fall back to
    time.sleep.
    """
    methods = ("do_execute", "do_execute_no_params", "do_executemany")
    for name in methods:
        original = getattr(dialect, name)

        def retrying(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            deadline = time.monotonic() + LOCK_WAIT_S
            attempt = 0
            while True:
                try:
                    return _original(*args, **kwargs)
                except Exception as exc:
                    if not _is_locked(exc) or time.monotonic() >= deadline:
                        raise
                    attempt += 1
                    logger.info("database is locked by another writer; retry %d", attempt)
                    _pause(LOCK_RETRY_PAUSE_S)

        setattr(dialect, name, retrying)


def _in_transaction(dbapi_connection: Any) -> bool | None:
    """Whether an aiosqlite connection is inside a transaction (None: cannot tell, e.g. another driver).

    sqlite3 tracks it itself (`in_transaction`, SQLite's autocommit flag): a transaction starts with the
    BEGIN the driver issues before the first write, so after reads only it is False.
    """
    inner = getattr(dbapi_connection, "_connection", None)  # SQLAlchemy's adapter -> aiosqlite.Connection
    state = getattr(inner, "in_transaction", None)
    return state if isinstance(state, bool) else None


def _skip_idle_rollback(dialect: Any) -> None:
    """Skip the ROLLBACK SQLAlchemy issues when a read-only session or connection ends (issue 14).

    Why: on aiosqlite every rollback() is a round trip to the connection's thread, and after reads only
    there is nothing to roll back: sqlite3's own rollback() does nothing outside a transaction. So when
    the connection says it is in no transaction the call is skipped; otherwise (a write, or a connection
    that cannot tell) it rolls back as before. tests/storage/test_idle_rollback.py checks both.
    """
    original = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        if _in_transaction(dbapi_connection) is False:
            return
        original(dbapi_connection)

    dialect.do_rollback = do_rollback


def _pause(seconds: float) -> None:
    """Sleep without blocking the event loop when called from inside an async engine's greenlet."""
    from sqlalchemy.util import await_
    from sqlalchemy.util.concurrency import in_greenlet

    if in_greenlet():
        await_(asyncio.sleep(seconds))
    else:  # a synchronous connection (Alembic offline tools, scripts)
        time.sleep(seconds)


def alembic_config(url: URL | None = None) -> Any:
    """An Alembic Config pointing at the packaged migrations, independent of the current directory."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = url
    return config


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _alembic_command(conn: Connection, name: str, revision: str) -> None:
    from alembic import command

    config = alembic_config(conn.engine.url)
    config.attributes["connection"] = conn
    getattr(command, name)(config, revision)


async def _run_alembic(engine: AsyncEngine, name: str, revision: str) -> None:
    """Run an Alembic command on one connection of `engine`, inside the running event loop."""
    async with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables; with foreign keys on, dropping the old copy would cascade.
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            await conn.run_sync(_alembic_command, name, revision)
            if sqlite:
                problems = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if problems:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {problems[:5]}")
            await conn.commit()
        finally:
            if sqlite:
                await conn.rollback()
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()
    logger.info("database %s: %s to %s", engine.url.render_as_string(hide_password=True), name, revision)


async def migrate(url: str | URL, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (head by default); safe to call on every start."""
    db = Database(url)
    try:
        await db.upgrade(revision)
    finally:
        await db.dispose()


async def downgrade(url: str | URL, revision: str = "base") -> None:
    """Downgrade the database at `url` to `revision` (base drops every table)."""
    db = Database(url)
    try:
        await db.downgrade(revision)
    finally:
        await db.dispose()


async def open_database(url: str | URL, *, migrate: bool = True, **pool: Any) -> Database:
    """Open a Database and, unless told otherwise, bring its schema up to date first.

    `pool` passes pool_size, max_overflow and pool_timeout_s to Database (PostgreSQL only).
    """
    db = Database(url, **pool)
    if migrate:
        try:
            await db.upgrade()
        except BaseException:
            await db.dispose()
            raise
    return db


async def table_names(db: Database) -> list[str]:
    """Names of the tables that exist in the database (for checks and tests)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda sync: inspect(sync).get_table_names())
