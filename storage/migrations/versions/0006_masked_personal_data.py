"""What personal data was masked in an experience's public text: `experiences.masked_personal_data`.

A nullable JSON list of kinds ("name", "roll_number", "email", "phone", "linkedin"; [] when nothing was
found), written by storage/analysis.py when the experience is published. NULL means the text was never
masked (pending, or published before this revision): `analyse_all` picks those up and masks them, so
existing public posts are masked by the next catch-up run. The originals of masked spans are not kept
(see core/domain/privacy.py); downgrade drops only the record of what was masked, never restores text.

Revision ID: 0006_masked_personal_data
Revises: 0005_thread_mirrors
Create Date: 2026-12-01 02:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_masked_personal_data"
down_revision: str | Sequence[str] | None = "0005_thread_mirrors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable JSON column (batch mode so SQLite and PostgreSQL run the same statements)."""
    with op.batch_alter_table("experiences") as batch:
        batch.add_column(sa.Column("masked_personal_data", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the column; the masked text stays masked."""
    with op.batch_alter_table("experiences") as batch:
        batch.drop_column("masked_personal_data")
