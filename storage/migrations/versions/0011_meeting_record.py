"""The record of a meeting: attendance, the outcome of each agenda item, finalised revisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.columns import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _base() -> list[sa.Column[object]]:
    return [sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("council_id", sa.Integer(), sa.ForeignKey("council.id"), nullable=False),
            sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "attendance", *_base(),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delegates", sa.JSON(), nullable=False),
        sa.Column("by_member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "member_id"),
    )
    op.create_table(
        "itemoutcome", *_base(),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=32), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("meeting_id", "ref"),
    )
    op.create_table(
        "recordrevision", *_base(),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("finalised_by", sa.String(length=32), nullable=False),
        sa.Column("finalised_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("meeting_id", "revision"),
    )
    for table in ("attendance", "itemoutcome", "recordrevision"):
        op.create_index(f"ix_{table}_council_id", table, ["council_id"])
        op.create_index(f"ix_{table}_meeting_id", table, ["meeting_id"])


def downgrade() -> None:
    for table in ("recordrevision", "itemoutcome", "attendance"):
        op.drop_index(f"ix_{table}_meeting_id", table_name=table)
        op.drop_index(f"ix_{table}_council_id", table_name=table)
        op.drop_table(table)
