"""The council's languages: names in other languages, and each person's language

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.columns import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_NAMED = ("council", "member", "body")


def upgrade() -> None:
    for table in _NAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("names", sa.JSON(), nullable=False,
                                          server_default="{}"))
    op.create_table(
        "userlanguage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("chosen", sa.String(length=8), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("team_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("userlanguage")
    for table in _NAMED:
        # Plain DROP COLUMN: a batch copy would trip the foreign keys that point here.
        op.execute(f"ALTER TABLE {table} DROP COLUMN names")
