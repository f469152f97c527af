"""curation: transcript revisions (segment versions), review state, audit records

Segments become versions: ``revision`` (the transcript revision that introduced the row)
and ``superseded_in`` (the one that replaced it; null while current). Every existing
transcript reads as revision 1, made by its model, in review state ``machine``.

Revision ID: 0011_curation
Revises: 0010_sources
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_curation"
down_revision = "0010_sources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("review", sa.String(20), nullable=False, server_default="machine")
        )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("superseded_in", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_segments_transcript_superseded", ["transcript_id", "superseded_in"]
        )
    op.create_table(
        "transcript_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "transcript_id",
            sa.Integer(),
            sa.ForeignKey("transcripts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("transcript_id", "number"),
    )
    # Revision 1 of every transcript already made: its model made it, when it was made.
    op.execute(
        """
        INSERT INTO transcript_revisions
            (transcript_id, number, parent, author, action, note, created_at)
        SELECT id, 1, NULL, model,
               CASE WHEN model LIKE 'import:%' THEN 'import' ELSE 'asr' END,
               NULL, created_at
        FROM transcripts
        """
    )
    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "asset_id", sa.Integer(), sa.ForeignKey("assets.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("asset_sha256", sa.String(64), nullable=True),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("event_name", sa.String(500), nullable=True),
        sa.Column("transcript_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_audit_asset", "audit_records", ["asset_id"])
    op.create_index("ix_audit_event", "audit_records", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event", "audit_records")
    op.drop_index("ix_audit_asset", "audit_records")
    op.drop_table("audit_records")
    op.drop_table("transcript_revisions")
    # Older versions of segments would read as current again: drop them first.
    op.execute("DELETE FROM segments WHERE superseded_in IS NOT NULL")
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_transcript_superseded")
        batch_op.drop_column("superseded_in")
        batch_op.drop_column("revision")
    with op.batch_alter_table("transcripts", schema=None) as batch_op:
        batch_op.drop_column("review")
        batch_op.drop_column("revision")
