"""sources: each link to fetch, recorded as pending before its download starts

Revision ID: 0010_sources
Revises: 0009_integrity
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_sources"
down_revision = "0009_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event", sa.String(500), nullable=False, server_default=""),
        sa.Column("state", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "asset_id",
            sa.Integer(),
            sa.ForeignKey("assets.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("pipeline", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("url", "event"),
    )
    op.create_index("ix_sources_state", "sources", ["state"])


def downgrade() -> None:
    op.drop_index("ix_sources_state", table_name="sources")
    op.drop_table("sources")
