"""Alembic migrations: empty -> head builds exactly storage/models.py on both databases, and back to empty."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
    text,
    update,
)

from storage.community import CommunityRepo
from storage.db import (
    Database,
    alembic_config,
    is_migration_only_table,
    migrate,
    open_database,
    table_names,
)
from storage.models import Base, Company, Post, Thread, ThreadMirror, User


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and is_migration_only_table(name))


def _schema_diff(sync_conn) -> list:
    opts = {"compare_type": True, "compare_server_default": True, "include_name": _include_name}
    return compare_metadata(MigrationContext.configure(sync_conn, opts=opts), Base.metadata)


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_upgrade_from_empty_matches_models_then_downgrade_to_empty(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        assert await table_names(db) == []
        assert await db.current_revision() is None

        await db.upgrade()
        assert await db.current_revision() == _head()
        tables = set(await table_names(db))
        assert {t for t in tables if not is_migration_only_table(t)} == set(Base.metadata.tables) | {
            "alembic_version"
        }
        assert "search_docs" in tables, "the full-text search migration ran"
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []

        await db.downgrade("base")
        assert await table_names(db) == ["alembic_version"]
        assert await db.current_revision() is None
    finally:
        await db.dispose()


async def test_migrate_is_safe_to_run_on_every_start_and_keeps_data(empty_url: str) -> None:
    await migrate(empty_url)
    db = await open_database(empty_url)  # migrates again: must be a no-op
    try:
        async with db.sessions.begin() as session:
            session.add(Company(name="Zeta Labs", slug="zeta-labs"))
        await migrate(empty_url)
        async with db.sessions() as session:
            assert (await session.scalars(select(Company.name))).all() == ["Zeta Labs"]
        assert await db.current_revision() == _head()
    finally:
        await db.dispose()


async def test_open_database_without_migrate_creates_nothing(empty_url: str) -> None:
    db = await open_database(empty_url, migrate=False)
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        assert await table_names(db) == []
    finally:
        await db.dispose()


def test_migrations_form_a_single_line_of_history() -> None:
    """One head and every revision reachable from it, so `upgrade head` is unambiguous."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(rev.module.__doc__ for rev in revisions), (
        "every revision needs a docstring saying what it changes"
    )


def test_alembic_config_does_not_depend_on_the_current_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == _head()


# --- 0005: thread mirrors move from two columns of `threads` into `thread_mirrors` ---------------------

BEFORE_MIRRORS = "0004_general_sub"
MIRRORS = "0005_thread_mirrors"
_old = MetaData()
OLD_THREADS = Table(  # `threads` as revision 0004 left it (the models no longer have the two columns)
    "threads",
    _old,
    Column("id", Integer, primary_key=True),
    Column("title", String(200)),
    Column("anonymous", Boolean),
    Column("status", String(16)),
    Column("discord_thread_id", String(32)),
    Column("telegram_topic_id", String(32)),
    Column("report_count", Integer),
    Column("created_at", DateTime(timezone=True)),
    Column("last_post_at", DateTime(timezone=True)),
)
OLD_POSTS = Table(
    "posts",
    _old,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer),
    Column("anonymous", Boolean),
    Column("body", Text),
    Column("status", String(16)),
    Column("platform", String(16)),
    Column("helpful_count", Integer),
    Column("report_count", Integer),
    Column("created_at", DateTime(timezone=True)),
)
# (thread id, Discord forum thread id, Telegram "<chat>:<topic>") as the old columns held them.
OLD_MIRRORS = [
    (1, "1300000000000000001", "-1001234567890:11"),  # mirrored on both platforms
    (2, "1300000000000000002", "-1001234567890:12"),
    (3, "1300000000000000003", None),  # Discord only
    (4, None, "-1001234567890:14"),  # Telegram only
    (5, None, None),  # pending, never mirrored
]


async def _seed_0004(db: Database) -> None:
    when = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    async with db.engine.begin() as conn:
        await conn.execute(
            OLD_THREADS.insert(),
            [
                {
                    "id": thread_id,
                    "title": f"Thread {thread_id}",
                    "anonymous": False,
                    "status": "pending" if thread_id == 5 else "open",
                    "discord_thread_id": discord,
                    "telegram_topic_id": telegram,
                    "report_count": 0,
                    "created_at": when,
                    "last_post_at": when,
                }
                for thread_id, discord, telegram in OLD_MIRRORS
            ],
        )
        await conn.execute(
            OLD_POSTS.insert(),
            [
                {
                    "id": thread_id,
                    "thread_id": thread_id,
                    "anonymous": False,
                    "body": f"First post of {thread_id}",
                    "status": "visible",
                    "platform": "console",
                    "helpful_count": 0,
                    "report_count": 0,
                    "created_at": when,
                }
                for thread_id, _, _ in OLD_MIRRORS
            ],
        )


async def _thread_columns(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("threads")})


async def test_thread_mirrors_migration_keeps_every_mirror_and_downgrade_restores_the_columns(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    try:
        await db.upgrade(BEFORE_MIRRORS)
        await _seed_0004(db)

        await db.upgrade(MIRRORS)
        assert {"discord_thread_id", "telegram_topic_id"}.isdisjoint(await _thread_columns(db))
        async with db.sessions() as session:
            stored = (
                await session.execute(
                    select(ThreadMirror.thread_id, ThreadMirror.platform, ThreadMirror.external_id).order_by(
                        ThreadMirror.thread_id, ThreadMirror.platform
                    )
                )
            ).all()
            assert [tuple(row) for row in stored] == [
                (thread_id, platform, external)
                for thread_id, discord, telegram in OLD_MIRRORS
                for platform, external in (("discord", discord), ("telegram", telegram))
                if external is not None
            ]
            # Rebuilding `threads` (SQLite batch mode) kept the rows that point at it.
            assert (await session.scalars(select(Post.thread_id).order_by(Post.id))).all() == [1, 2, 3, 4, 5]
        await db.upgrade("head")  # the ORM reads later columns too (0013 threads.college_id)
        repo = CommunityRepo(db.sessions)
        assert await repo.thread_by_external_id("telegram", "-1001234567890:14") == 4
        assert await repo.thread_by_external_id("discord", "1300000000000000002") == 2
        one = await repo.thread(1)
        assert one is not None
        assert (one.external_id("discord"), one.external_id("telegram")) == (
            "1300000000000000001",
            "-1001234567890:11",
        )

        await db.downgrade(BEFORE_MIRRORS)
        assert "thread_mirrors" not in await table_names(db)
        async with db.engine.connect() as conn:
            restored = (
                await conn.execute(
                    select(
                        OLD_THREADS.c.id, OLD_THREADS.c.discord_thread_id, OLD_THREADS.c.telegram_topic_id
                    ).order_by(OLD_THREADS.c.id)
                )
            ).all()
            assert [tuple(row) for row in restored] == OLD_MIRRORS
            assert (await conn.execute(select(func.count()).select_from(OLD_POSTS))).scalar() == 5
    finally:
        await db.dispose()


async def test_thread_mirrors_upgrade_keeps_the_thread_old_replies_reached_when_an_id_was_shared(
    empty_url: str,
) -> None:
    """The old columns were not unique; the lowest thread id answered inbound replies, so it keeps the id."""
    db = Database(empty_url)
    try:
        await db.upgrade(BEFORE_MIRRORS)
        await _seed_0004(db)
        async with db.engine.begin() as conn:
            await conn.execute(
                update(OLD_THREADS)
                .where(OLD_THREADS.c.id == 3)
                .values(discord_thread_id="1300000000000000002")
            )
            await conn.execute(update(OLD_THREADS).where(OLD_THREADS.c.id == 5).values(telegram_topic_id=""))
        await db.upgrade(MIRRORS)
        async with db.sessions() as session:
            discord = (
                await session.execute(
                    select(ThreadMirror.thread_id, ThreadMirror.external_id)
                    .where(ThreadMirror.platform == "discord")
                    .order_by(ThreadMirror.thread_id)
                )
            ).all()
            assert [tuple(row) for row in discord] == [(1, "1300000000000000001"), (2, "1300000000000000002")]
            assert await session.scalar(select(ThreadMirror.id).where(ThreadMirror.thread_id == 5)) is None
    finally:
        await db.dispose()


async def test_deleting_a_thread_deletes_its_mirrors(empty_url: str) -> None:
    db = await open_database(empty_url)
    try:
        repo = CommunityRepo(db.sessions)
        now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
        async with db.sessions.begin() as session:
            author = User(display_name="Asha")
            session.add(author)
            await session.flush()
            author_id = author.id
        thread_id, _ = await repo.create_thread(
            user_id=author_id,
            company_id=None,
            topic="dsa",
            title="Graphs or DP first?",
            body="Which should I revise first?",
            anonymous=False,
            platform="console",
            status="open",
            now=now,
        )
        await repo.set_external_id(thread_id, "discord", "1300000000000000009")
        await repo.set_external_id(thread_id, "discord", "1300000000000000010")  # re-opened: replaces
        await repo.set_external_id(thread_id, "matrix", "!room:example.org")  # any registered platform
        thread = await repo.thread(thread_id)
        assert thread is not None
        assert thread.mirrors == (("discord", "1300000000000000010"), ("matrix", "!room:example.org"))
        assert await repo.thread_by_external_id("discord", "1300000000000000009") is None
        async with db.sessions.begin() as session:
            await session.execute(delete(Thread).where(Thread.id == thread_id))
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ThreadMirror)) == 0
    finally:
        await db.dispose()
