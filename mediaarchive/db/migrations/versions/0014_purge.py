"""purge and backup: tombstones of purged assets, a record of every export (which bags held
what), and the archive's identity (a random id that tells its backups from another's)

Revision ID: 0014_purge
Revises: 0013_accounts
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0014_purge"
down_revision = "0013_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tombstones",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("event", sa.String(500), nullable=False),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    info = op.create_table(
        "archive_info",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.bulk_insert(info, [{"key": "id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("archive_info")
    op.drop_table("exports")
    op.drop_table("tombstones")
