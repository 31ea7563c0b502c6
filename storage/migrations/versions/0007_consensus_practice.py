"""The practice of consensus: statement kinds, amendments, versions, superseded decisions

Also withdrawn objections, and the history of a proposal's versions. Existing statements become interpretative statements (what the help called them); each
existing proposal gets its current version in the history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.columns import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statement_kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=32), nullable=True))
    op.execute("UPDATE position SET statement_kind = 'interpretative' "
               "WHERE statement IS NOT NULL AND stance = 'concur'")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("jointdecision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_jointdecision_supersedes", "jointdecision",
                                    ["supersedes_id"], ["id"])
    op.create_table(
        "proposalversion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("council.id"), nullable=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=32), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("proposal_id", "version"),
    )
    op.create_index("ix_proposalversion_council_id", "proposalversion", ["council_id"])
    op.create_index("ix_proposalversion_proposal_id", "proposalversion", ["proposal_id"])
    op.execute(
        "INSERT INTO proposalversion (council_id, proposal_id, version, text, origin, "
        "opened_at, opened_by, deadline, outcome, closed_at) "
        "SELECT council_id, id, version, text, "
        "CASE WHEN version = 1 THEN 'open' ELSE 'amend' END, version_opened_at, "
        "proposer_user_id, deadline, CASE WHEN status = 'open' THEN NULL ELSE status END, "
        "closed_at FROM proposal")


def downgrade() -> None:
    op.drop_index("ix_proposalversion_proposal_id", table_name="proposalversion")
    op.drop_index("ix_proposalversion_council_id", table_name="proposalversion")
    op.drop_table("proposalversion")
    with op.batch_alter_table("jointdecision", schema=None) as batch_op:
        batch_op.drop_constraint("fk_jointdecision_supersedes", type_="foreignkey")
        batch_op.drop_column("supersedes_id")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("supersedes_id")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("reason")
        batch_op.drop_column("statement_kind")
