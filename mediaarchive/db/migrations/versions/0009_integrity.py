"""assets and renditions carry a damaged mark (bytes missing or not hashing to their sha256)

Revision ID: 0009_integrity
Revises: 0007_ocr_params
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_integrity"
down_revision = "0007_ocr_params"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("assets", "renditions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("damaged", sa.String(20), nullable=True))


def downgrade() -> None:
    for table in ("assets", "renditions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("damaged")
