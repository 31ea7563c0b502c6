"""What the bot knows of each person's language (``storage/models.py`` holds the rest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import _when


class UserLanguage(SQLModel, table=True):
    """A Slack user's language: what they chose (``/nrc language fr``), and the locale
    Slack gave for them (``users.info``), with when it was asked, so that it is asked
    again after a while."""

    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(default="", max_length=32)
    user_id: str = Field(max_length=32)
    chosen: str | None = Field(default=None, max_length=8)
    locale: str | None = Field(default=None, max_length=16)
    checked_at: datetime | None = _when(nullable=True)
