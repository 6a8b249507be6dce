"""Covering indexes for the company insight card (one index-only pass per aggregate at 1M experiences).

ix_experiences_card holds every column the card counts, in GROUP BY order after (company_id, status),
so the card's aggregate reads this index only and needs no sort; ix_rounds_experience_position_kind
lets the typical-rounds query read rounds without touching the table. Same on SQLite and PostgreSQL.

Revision ID: 0003_card_idx
Revises: 0002_fts
Create Date: 2026-11-25 18:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_card_idx"
down_revision: str | Sequence[str] | None = "0002_fts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARD_COLUMNS = [
    "company_id",
    "status",
    "outcome",
    "difficulty",
    "rating",
    "source",
    "interview_year",
    "passout_year",
    "created_at",
]


def upgrade() -> None:
    """Add the card's covering indexes."""
    op.create_index("ix_experiences_card", "experiences", CARD_COLUMNS, unique=False)
    op.create_index(
        "ix_rounds_experience_position_kind", "rounds", ["experience_id", "position", "kind"], unique=False
    )


def downgrade() -> None:
    """Drop the card's covering indexes."""
    op.drop_index("ix_rounds_experience_position_kind", table_name="rounds")
    op.drop_index("ix_experiences_card", table_name="experiences")
