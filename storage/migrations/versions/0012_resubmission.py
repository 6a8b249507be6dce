"""Resubmitted experiences remember what the author changed, for the moderator's review card.

Upgrade adds the nullable JSON column `experiences.resubmit_changes` (the names of the fields the author
changed when resubmitting from /fix; NULL for an experience never resubmitted). Downgrade drops it,
losing only that list. SQLite adds the column in place and drops it in batch mode; PostgreSQL alters
the table in place.

Revision ID: 0012_resubmission
Revises: 0011_outbox
Create Date: 2026-12-01 03:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_resubmission"
down_revision: str | Sequence[str] | None = "0011_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("experiences") as batch:
        batch.add_column(sa.Column("resubmit_changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("experiences") as batch:
        batch.drop_column("resubmit_changes")
