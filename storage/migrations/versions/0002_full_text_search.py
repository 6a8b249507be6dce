"""Full-text search: search_docs (one pre-stemmed document per approved experience) indexed by FTS5 / GIN.

The application stems words itself (core.analytics.text) and stores plain `[a-z0-9]+` tokens, so
SQLite's FTS5 (unicode61 tokenizer) and PostgreSQL's tsvector ('simple' configuration) see the very
same terms and return the same matches. SQLite keeps an external-content FTS5 table in step with
search_docs through triggers; PostgreSQL stores a generated tsvector column with a GIN index.

Revision ID: 0002_fts
Revises: 0001
Create Date: 2026-11-26 10:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_fts"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    """
    CREATE TABLE search_docs (
        experience_id INTEGER PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
        company_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL
    )
    """,
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_docs', content_rowid='experience_id',
        tokenize='unicode61', detail='none'
    )
    """,
    """
    CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
        INSERT INTO search_fts (rowid, title, body) VALUES (new.experience_id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, body)
        VALUES ('delete', old.experience_id, old.title, old.body);
    END
    """,
    """
    CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, body)
        VALUES ('delete', old.experience_id, old.title, old.body);
        INSERT INTO search_fts (rowid, title, body) VALUES (new.experience_id, new.title, new.body);
    END
    """,
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS search_docs_au",
    "DROP TRIGGER IF EXISTS search_docs_ad",
    "DROP TRIGGER IF EXISTS search_docs_ai",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_docs",
)
POSTGRES_UP = (
    """
    CREATE TABLE search_docs (
        experience_id INTEGER PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
        company_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED
    )
    """,
    "CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)",
)
POSTGRES_DOWN = ("DROP TABLE IF EXISTS search_docs",)


def upgrade() -> None:
    """Create search_docs and its full-text index for the current dialect."""
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Drop the full-text index and search_docs."""
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
