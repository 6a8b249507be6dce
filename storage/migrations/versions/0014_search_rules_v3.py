"""Search documents are rebuilt under the ranking rules of issue #11 (storage/search.py INDEX_VERSION 3).

The new rules store where each word sits (the process vs. preparation and advice, after a `zzaside`
marker) and a tag per topic a post is asked about, so documents written by an older version would rank
by the old rules. Upgrade empties `search_docs`; the documents are rebuilt from the stored experiences by
`python main.py migrate` (storage.analysis.analyse_all: approved experiences without a document) and, at
the latest, when the bot starts (storage.search.index_missing in core.app.bootstrap). Downgrade empties
it too, so an older version rebuilds its own documents the same way. No experience data is touched.

Revision ID: 0014_search_rules_v3
Revises: 0013_colleges
Create Date: 2026-12-01 05:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_search_rules_v3"
down_revision: str | Sequence[str] | None = "0013_colleges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM search_docs")


def downgrade() -> None:
    op.execute("DELETE FROM search_docs")
