"""The outbox: pushes and digest messages still owed to a chat, retried once by a periodic job.

Upgrade creates `outbox` (one row per message: the chat, the encoded reply, its due time, the digest
delivery and part it belongs to, if any); downgrade drops it, losing only messages not yet retried.
Same statements on SQLite and PostgreSQL.

Revision ID: 0011_outbox
Revises: 0007_import_fields
Create Date: 2026-12-01 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_outbox"
down_revision: str | Sequence[str] | None = "0007_import_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("is_private", sa.Boolean(), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["digest_deliveries.id"],
            name=op.f("fk_outbox_delivery_id_digest_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_status_due", "outbox", ["status", "due_at"])
    op.create_index("ix_outbox_chat", "outbox", ["platform", "chat_id"])
    op.create_index(op.f("ix_outbox_delivery_id"), "outbox", ["delivery_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_delivery_id"), table_name="outbox")
    op.drop_index("ix_outbox_chat", table_name="outbox")
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_table("outbox")
