"""One general-digest subscription per chat: a partial unique index (NULL company ids are distinct in SQL).

Revision ID: 0004_general_sub
Revises: 0003_card_idx
Create Date: 2026-11-25 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_general_sub"
down_revision: str | Sequence[str] | None = "0003_card_idx"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERAL = sa.text("company_id IS NULL")


def upgrade() -> None:
    """Drop duplicate general subscriptions (keeping the oldest), then forbid new ones."""
    op.execute(
        "DELETE FROM subscriptions WHERE company_id IS NULL AND id NOT IN ("
        "SELECT MIN(id) FROM subscriptions WHERE company_id IS NULL GROUP BY platform, chat_id)"
    )
    op.create_index(
        "uq_subscriptions_general",
        "subscriptions",
        ["platform", "chat_id"],
        unique=True,
        sqlite_where=GENERAL,
        postgresql_where=GENERAL,
    )


def downgrade() -> None:
    """Allow duplicate general subscriptions again."""
    op.drop_index("uq_subscriptions_general", table_name="subscriptions")
