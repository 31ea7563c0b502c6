"""The tables of a meeting's record: attendance, the outcome of each agenda item, and the
finalised revisions of the record (``storage/models.py`` holds the rest).

A finalised revision is immutable: a correction is a new revision, never an edit of an
old one (an ORM update of a :class:`RecordRevision` raises).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.models import _json, _text, _when
from storage.statuses import AttendanceStatus


class Attendance(SQLModel, table=True):
    """How one member was represented at one meeting: by whom, or absent."""

    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    status: str = Field(default=AttendanceStatus.PRESENT, max_length=16)
    delegates: list[str] = _json([])  # the Slack users who represented it
    by_member_id: int | None = Field(default=None, foreign_key="member.id")
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = _when()


class ItemOutcome(SQLModel, table=True):
    """The secretariat's short outcome of one agenda line (``ref``: ``item:<id>`` for an
    item added to the agenda, ``issue:<id>`` for an implementation issue put on it)."""

    __table_args__ = (UniqueConstraint("meeting_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    ref: str = Field(max_length=32)
    text: str = _text()
    written_by: str = Field(max_length=32)
    written_at: datetime = _when()


class RecordRevision(SQLModel, table=True):
    """One finalised revision of a meeting's record, as posted: the whole document kept
    as it was (``content``), so that what the council read is what the record says."""

    __table_args__ = (UniqueConstraint("meeting_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    revision: int
    content: dict[str, Any] = _json({})
    finalised_by: str = Field(max_length=32)
    finalised_at: datetime = _when()
    note: str | None = _text(nullable=True, default=None)  # what a correction changed


class ImmutableRecord(Exception):
    """An attempt to change a finalised revision of a record."""


@event.listens_for(RecordRevision, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: RecordRevision) -> None:
    raise ImmutableRecord(f"revision {target.revision} of the record of M{target.meeting_id} "
                          "is final; a correction is a new revision")
