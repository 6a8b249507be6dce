"""Colleges (issue #15): one deployment serves several colleges; every existing row joins the default one.

Upgrade creates `colleges` (code unique, name, e-mail domains, roll-number pattern and example, branches,
share_across, is_default), `college_moderators` (platform accounts moderating a college),
`college_communities` (a Discord guild linked to a college), `college_members` (a user's college and how
they joined: verified_email, invite, picked or community) and `college_invites` (hashed invite tokens).
It inserts ONE default college (code `default`; bootstrap renames it from config.yaml `college:`), then
adds `college_id` to experiences, threads, resources, faqs, subscriptions and digest_runs: nullable
first, every existing row set to the default college, then NOT NULL with its foreign key and index.
The digest run is unique per (college, period) instead of per period.

Downgrade drops the columns and the tables (a multi-college deployment loses which college a row
belonged to; the rows themselves stay). SQLite alters the tables in batch mode; PostgreSQL in place.

Revision ID: 0013_colleges
Revises: 0012_resubmission
Create Date: 2026-12-01 04:30:00+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0013_colleges"
down_revision: str | Sequence[str] | None = "0012_resubmission"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPED = ("experiences", "threads", "resources", "faqs", "subscriptions", "digest_runs")


def _stamp() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    colleges = op.create_table(
        "colleges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email_domains", sa.JSON(), nullable=False),
        sa.Column("roll_number_pattern", sa.String(200), nullable=False),
        sa.Column("roll_number_example", sa.String(40), nullable=False),
        sa.Column("branches", sa.JSON(), nullable=False),
        sa.Column("share_across", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        _stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_colleges")),
        sa.UniqueConstraint("code", name=op.f("uq_colleges_code")),
    )
    op.create_table(
        "college_moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_user_id", sa.String(64), nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["college_id"], ["colleges.id"], name=op.f("fk_college_moderators_college_id_colleges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_college_moderators")),
        sa.UniqueConstraint(
            "college_id", "platform", "platform_user_id", name=op.f("uq_college_moderators_college_id")
        ),
    )  # fmt: skip
    op.create_table(
        "college_communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("community_id", sa.String(64), nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["college_id"], ["colleges.id"], name=op.f("fk_college_communities_college_id_colleges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_college_communities")),
        sa.UniqueConstraint("platform", "community_id", name=op.f("uq_college_communities_platform")),
    )  # fmt: skip
    op.create_index(op.f("ix_college_communities_college_id"), "college_communities", ["college_id"])
    op.create_table(
        "college_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["college_id"], ["colleges.id"], name=op.f("fk_college_members_college_id_colleges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_college_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_college_members")),
        sa.UniqueConstraint("user_id", name=op.f("uq_college_members_user_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_college_members_college_id"), "college_members", ["college_id"])
    op.create_table(
        "college_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("college_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["college_id"], ["colleges.id"], name=op.f("fk_college_invites_college_id_colleges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_college_invites_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_college_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_college_invites_token_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_college_invites_college_id"), "college_invites", ["college_id"])

    op.execute(
        colleges.insert().values(
            code="default", name="Default college", email_domains=[], roll_number_pattern="",
            roll_number_example="", branches=[], share_across=False, is_default=True,
            created_at=datetime.now(UTC),
        )
    )  # fmt: skip
    default_id = op.get_bind().scalar(sa.text("SELECT id FROM colleges WHERE code = 'default'"))
    for table in SCOPED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("college_id", sa.Integer(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET college_id = :college").bindparams(college=default_id))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("college_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                op.f(f"fk_{table}_college_id_colleges"), "colleges", ["college_id"], ["id"], ondelete="CASCADE"
            )
            batch.create_index(op.f(f"ix_{table}_college_id"), ["college_id"])
    with op.batch_alter_table("digest_runs") as batch:
        batch.drop_constraint("uq_digest_runs_period_start", type_="unique")
        batch.create_unique_constraint(op.f("uq_digest_runs_college_id"), ["college_id", "period_start"])


def downgrade() -> None:
    with op.batch_alter_table("digest_runs") as batch:
        batch.drop_constraint("uq_digest_runs_college_id", type_="unique")
        batch.create_unique_constraint("uq_digest_runs_period_start", ["period_start"])
    for table in reversed(SCOPED):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_college_id")
            batch.drop_constraint(f"fk_{table}_college_id_colleges", type_="foreignkey")
            batch.drop_column("college_id")
    for table in ("college_invites", "college_members", "college_communities", "college_moderators"):
        op.drop_table(table)
    op.drop_table("colleges")
