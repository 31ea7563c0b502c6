"""The council's statements: joint statements (by consensus) and the Chair's statements

A proposal gets a kind (``decision``, what every existing one is, or ``joint_statement``);
the statement table numbers both types of statement in one ``S#`` series.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.columns import UTCDateTime

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False,
                                      server_default="decision"))
    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("council.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=True,
                  unique=True),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("issued_by", sa.String(length=32), nullable=False),
        sa.Column("proposer_member_id", sa.Integer(), sa.ForeignKey("member.id"),
                  nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
    )
    op.create_index("ix_statement_council_id", "statement", ["council_id"])
    op.create_index("ix_statement_issued_at", "statement", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_statement_issued_at", table_name="statement")
    op.drop_index("ix_statement_council_id", table_name="statement")
    op.drop_table("statement")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of ``proposal`` would trip
    # the foreign keys that point at it.
    op.execute("ALTER TABLE proposal DROP COLUMN kind")
