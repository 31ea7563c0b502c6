"""The council's roster stamp, which tells processes when their copy of the roster is stale

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roster_stamp", sa.String(length=32), nullable=False,
                                      server_default=""))
    # Existing councils get a stamp of their own; an empty one is never trusted to a copy.
    random = ("md5(random()::text || id::text)" if op.get_bind().dialect.name == "postgresql"
              else "lower(hex(randomblob(16)))")
    op.execute(f"UPDATE council SET roster_stamp = {random}")


def downgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("roster_stamp")
