"""Search documents and topic tags follow the degree-word and project-subject rules (INDEX_VERSION 4).

Two rules of issue #11 change what is derived from a post's text: degree words ("mainly on DP", "a little
SQL", core.analytics.degree) move words between the asked and aside parts of its search document, and the
subject of a student's own project ("ML projects") is no longer tagged as an asked topic
(core.analytics.text.topic_scores). Upgrade empties `search_docs`, so `python main.py migrate`
(storage.analysis.analyse_all: approved experiences without a document) analyses every approved
experience again, topics included; a bot start rebuilds only the documents (storage.search.index_missing
in core.app.bootstrap), so run `migrate` to refresh the tags. Downgrade empties it too, so an older
version rebuilds its own documents the same way. No experience data is touched.

Revision ID: 0015_search_rules_v4
Revises: 0014_search_rules_v3
Create Date: 2026-12-02 14:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_search_rules_v4"
down_revision: str | Sequence[str] | None = "0014_search_rules_v3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM search_docs")


def downgrade() -> None:
    op.execute("DELETE FROM search_docs")
