"""withdrawal and visibility: assets can be withdrawn (hidden, kept, reversible) and are
public or internal; events are public or internal. Existing assets and events are internal.

Revision ID: 0012_withdrawal
Revises: 0011_curation
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_withdrawal"
down_revision = "0011_curation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visibility", sa.String(20), nullable=False, server_default="internal")
        )
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visibility", sa.String(20), nullable=False, server_default="internal")
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("visibility")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("visibility")
