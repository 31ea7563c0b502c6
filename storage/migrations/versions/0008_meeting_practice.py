"""A meeting's venue, duration, calendar sequence and agenda state; ordered agenda items

A moved meeting keeps its previous start (struck through in its announcement) and raises
its iCalendar SEQUENCE; agenda items get a position (backfilled in id order per meeting),
a status (open or resolved) and the moment of their last edit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.columns import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("duration_minutes", sa.Integer(), nullable=False,
                                      server_default="120"))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("agenda_state", sa.String(length=16), nullable=False,
                                      server_default="draft"))
        batch_op.add_column(sa.Column("agenda_revision", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("previous_starts_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("agendaitem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                      server_default="open"))
        batch_op.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE agendaitem SET position = (SELECT COUNT(*) FROM agendaitem AS earlier "
        "WHERE earlier.meeting_id = agendaitem.meeting_id AND earlier.id <= agendaitem.id)")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of ``meeting`` would trip
    # the foreign keys that point at it once there are agenda items.
    for table, column in (("agendaitem", "edited_at"), ("agendaitem", "status"),
                          ("agendaitem", "position"), ("meeting", "previous_starts_at"),
                          ("meeting", "agenda_revision"), ("meeting", "agenda_state"),
                          ("meeting", "sequence"), ("meeting", "duration_minutes"),
                          ("meeting", "venue")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
