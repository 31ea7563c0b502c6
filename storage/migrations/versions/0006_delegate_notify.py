"""How each delegate hears about what their member owes: dm, channel or off

Existing delegates keep what they had: a mention in the channel.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notify", sa.String(length=16), nullable=False,
                                      server_default="channel"))


def downgrade() -> None:
    with op.batch_alter_table("delegate", schema=None) as batch_op:
        batch_op.drop_column("notify")
