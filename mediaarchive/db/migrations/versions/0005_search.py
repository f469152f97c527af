"""search index: FTS5 over speech, OCR text and metadata (SQLite)

The index is contentless: ``search_fts`` holds only the analysed tokens, and
``search_docs`` keeps what a hit shows (asset, source, times, original text). PostgreSQL
archives get their search tables from the PostgreSQL search backend's own migration.

Revision ID: 0005_search
Revises: 0001
"""

from alembic import op

revision = "0005_search"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        """
        CREATE TABLE search_docs (
            rowid INTEGER PRIMARY KEY,
            asset_id INTEGER NOT NULL,
            source TEXT NOT NULL,
            start REAL,
            "end" REAL,
            head TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            facets TEXT NOT NULL DEFAULT ''
        )
        """
    )
    op.execute("CREATE INDEX ix_search_docs_asset ON search_docs (asset_id)")
    op.execute(
        """
        CREATE VIRTUAL TABLE search_fts USING fts5(
            t_exact, t_stem, t_part, b_exact, b_stem, b_part, facets,
            content='', tokenize='ascii'
        )
        """
    )
    op.execute("CREATE TABLE search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_meta")
    op.execute("DROP TABLE search_fts")
    op.execute("DROP TABLE search_docs")
