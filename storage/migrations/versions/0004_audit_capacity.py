"""The capacity an audit entry's actor acted in: the secretariat, the Chair, a delegate of X

Existing entries keep no capacity: their hash was made without one, and an
entry's hash includes the capacity only when it has one, so the chain still
verifies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_column("capacity")
