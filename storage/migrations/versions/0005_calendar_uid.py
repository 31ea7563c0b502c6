"""A random identity per council in its calendar UIDs, so that deployments never collide

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_uid", sa.String(length=32), nullable=False,
                                      server_default=""))
    # Each existing council draws its own; subscribed calendars see its meetings anew once.
    random = ("md5(random()::text || clock_timestamp()::text || id::text)"
              if op.get_bind().dialect.name == "postgresql" else "lower(hex(randomblob(16)))")
    op.execute(f"UPDATE council SET calendar_uid = {random}")


def downgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("calendar_uid")
