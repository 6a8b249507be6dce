"""Imported posts may leave passout year, difficulty and rating unknown.

Real archives (a placement office's blog, an earlier platform's export) rarely say the author's passout
year, how hard the process was or how they rate it; the importer stores NULL there instead of inventing
a value. Upgrade makes `experiences.passout_year`, `experiences.difficulty`, `experiences.rating` and
`rounds.difficulty` nullable. Downgrade fills NULLs (interview year for passout year, 3 for difficulty
and rating: the scale's middle) and makes them NOT NULL again. SQLite rebuilds the tables in batch mode;
PostgreSQL alters the columns in place.

Revision ID: 0007_import_fields
Revises: 0006_masked_personal_data
Create Date: 2026-12-01 02:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_import_fields"
down_revision: str | Sequence[str] | None = "0006_masked_personal_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXPERIENCE_COLUMNS = ("passout_year", "difficulty", "rating")


def upgrade() -> None:
    with op.batch_alter_table("experiences") as batch:
        for column in EXPERIENCE_COLUMNS:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("rounds") as batch:
        batch.alter_column("difficulty", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE experiences SET passout_year = interview_year WHERE passout_year IS NULL")
    op.execute("UPDATE experiences SET difficulty = 3 WHERE difficulty IS NULL")
    op.execute("UPDATE experiences SET rating = 3 WHERE rating IS NULL")
    op.execute("UPDATE rounds SET difficulty = 3 WHERE difficulty IS NULL")
    with op.batch_alter_table("experiences") as batch:
        for column in EXPERIENCE_COLUMNS:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("rounds") as batch:
        batch.alter_column("difficulty", existing_type=sa.Integer(), nullable=False)
