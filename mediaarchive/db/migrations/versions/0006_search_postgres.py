"""search index on PostgreSQL: documents with a GIN-indexed tsvector

SQLite archives keep their FTS5 tables (0005_search); this adds the PostgreSQL backend's
tables (``mediaarchive.search.postgres``) and does nothing on SQLite.

Revision ID: 0006_search_postgres
Revises: 0005_search
"""

from alembic import op

revision = "0006_search_postgres"
down_revision = "0005_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE TABLE search_docs (
            key BIGINT PRIMARY KEY,
            asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
            source VARCHAR(20) NOT NULL,
            start DOUBLE PRECISION,
            "end" DOUBLE PRECISION,
            head TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            kind VARCHAR(20) NOT NULL,
            language VARCHAR(40) NOT NULL DEFAULT '',
            event_ids INTEGER[] NOT NULL DEFAULT '{}',
            terms TSVECTOR NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_search_docs_asset ON search_docs (asset_id)")
    op.execute("CREATE INDEX ix_search_docs_terms ON search_docs USING GIN (terms)")
    op.execute("CREATE INDEX ix_search_docs_events ON search_docs USING GIN (event_ids)")
    op.execute("CREATE TABLE search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_meta")
    op.execute("DROP TABLE search_docs")
