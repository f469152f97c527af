"""ocr texts record how they were read (engine, languages, pre-processing, scale)

Revision ID: 0007_ocr_params
Revises: 0006_search_postgres
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ocr_params"
down_revision = "0006_search_postgres"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ocr_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ocr_texts", schema=None) as batch_op:
        batch_op.drop_column("params")
