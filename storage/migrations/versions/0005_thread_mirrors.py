"""Thread mirrors in their own table: one row per (thread, platform) instead of a column per platform.

Upgrade creates `thread_mirrors`, copies every non-empty `threads.discord_thread_id` and
`threads.telegram_topic_id` into it (platform "discord" / "telegram"), then drops both columns, so a
new mirroring platform needs no schema change. Where two threads held the same external id on one
platform (the old columns were not unique) only the lowest thread id keeps it: that is the thread the
old inbound lookup (`ORDER BY id LIMIT 1`) already resolved replies to.

Downgrade recreates the two columns and copies the Discord and Telegram mirrors back (cut to the old
32 characters); mirrors on any other platform have no column to go to and are dropped with the table.
Same statements on SQLite (batch mode rebuilds `threads`) and PostgreSQL.

Revision ID: 0005_thread_mirrors
Revises: 0004_general_sub
Create Date: 2026-12-01 01:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_thread_mirrors"
down_revision: str | Sequence[str] | None = "0004_general_sub"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The platforms that had a column of their own before this revision, and that column.
OLD_COLUMNS = {"discord": "discord_thread_id", "telegram": "telegram_topic_id"}
OLD_LENGTH = 32


def upgrade() -> None:
    """Create thread_mirrors, copy both columns into it, drop the columns."""
    op.create_table(
        "thread_mirrors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_thread_mirrors_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_mirrors")),
        sa.UniqueConstraint("thread_id", "platform", name=op.f("uq_thread_mirrors_thread_id")),
    )
    op.create_index(
        "ix_thread_mirrors_platform_external_id", "thread_mirrors", ["platform", "external_id"], unique=True
    )
    for platform, column in OLD_COLUMNS.items():
        op.execute(
            sa.text(
                f"INSERT INTO thread_mirrors (thread_id, platform, external_id) "
                f"SELECT id, :platform, {column} FROM threads WHERE id IN ("
                f"SELECT MIN(id) FROM threads WHERE {column} IS NOT NULL AND {column} <> '' "
                f"GROUP BY {column}) ORDER BY id"
            ).bindparams(platform=platform)
        )
    with op.batch_alter_table("threads") as batch_op:
        for column in OLD_COLUMNS.values():
            batch_op.drop_column(column)


def downgrade() -> None:
    """Recreate the two columns, copy the Discord and Telegram mirrors back, drop thread_mirrors."""
    with op.batch_alter_table("threads") as batch_op:
        for column in OLD_COLUMNS.values():
            batch_op.add_column(sa.Column(column, sa.String(length=OLD_LENGTH), nullable=True))
    for platform, column in OLD_COLUMNS.items():
        op.execute(
            sa.text(
                f"UPDATE threads SET {column} = (SELECT SUBSTR(m.external_id, 1, {OLD_LENGTH}) "
                f"FROM thread_mirrors m WHERE m.thread_id = threads.id AND m.platform = :platform)"
            ).bindparams(platform=platform)
        )
    op.drop_index("ix_thread_mirrors_platform_external_id", table_name="thread_mirrors")
    op.drop_table("thread_mirrors")
