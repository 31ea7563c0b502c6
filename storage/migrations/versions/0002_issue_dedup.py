"""An open implementation issue is unique per member, decision and text

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("implementationissue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_implementationissue_council_id_dedup", ["council_id", "dedup"])
        batch_op.create_index("ix_implementationissue_meeting", ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("implementationissue", schema=None) as batch_op:
        batch_op.drop_index("ix_implementationissue_meeting")
        batch_op.drop_constraint("uq_implementationissue_council_id_dedup", type_="unique")
        batch_op.drop_column("dedup")
