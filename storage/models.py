"""The council's tables.

Every table carries ``council_id`` so that one deployment can host several
councils, each bound to its own channel. Instants are stored as UTC.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime
from storage.statuses import (
    AgendaItemStatus,
    AgendaState,
    IssueStatus,
    MeetingStatus,
    OutboxStatus,
    ProposalKind,
    ProposalStatus,
    RequestStatus,
)


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: default.copy(), sa_column=Column(JSON, nullable=False))


def _text(nullable: bool = False, default: str | None = "") -> Any:
    return Field(default=default, sa_column=Column(Text, nullable=nullable))


def new_stamp() -> str:
    """A roster stamp: random, so that no two rosters ever share one (``storage.roster``)."""
    return secrets.token_hex(16)


class Council(SQLModel, table=True):
    """A council: its charter's identity and the channel it is bound to."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    short_name: str = Field(max_length=32)
    chair_title: str = Field(max_length=100)
    timezone: str = Field(max_length=64)
    #: The workspace (and its Enterprise Grid organisation) the council's channel is in:
    #: with the app installed by OAuth, whose token sends its messages.
    team_id: str | None = Field(default=None, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    #: Since when its messages wait, kept, because the app was uninstalled from its
    #: workspace (``storage.installations``); None while the app is installed.
    held_since: datetime | None = _when()
    channel_id: str | None = Field(default=None, max_length=32, unique=True)
    chair_user_id: str | None = Field(default=None, max_length=32)
    ics_token: str = Field(max_length=64)
    created_at: datetime = _when()
    #: Changes with every change of the council's members or delegates (``storage.roster``).
    roster_stamp: str = Field(default_factory=new_stamp, max_length=32)
    #: Random, chosen once and carried by exports: makes the council's iCalendar UIDs
    #: unique across deployments and councils (``bot.meetings.render_ics.meeting_uid``).
    calendar_uid: str = Field(default_factory=new_stamp, max_length=32)
    names: dict[str, str] = _json({})  # the name in other languages, from the charter


class Member(SQLModel, table=True):
    """A member of the council: one member, one voice."""

    __table_args__ = (UniqueConstraint("council_id", "alpha2"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    ordinal: int
    name: str = Field(max_length=100)
    alpha2: str = Field(max_length=2)
    alpha3: str = Field(max_length=3)
    aliases: list[str] = _json([])
    active: bool = True
    names: dict[str, str] = _json({})  # the name in other languages, from the charter


class Notify(StrEnum):
    """How a delegate hears about what their member owes (``notify``): a direct message,
    a mention in the channel's reminder, or neither."""

    DM = "dm"
    CHANNEL = "channel"
    OFF = "off"


class Delegate(SQLModel, table=True):
    """A Slack user acting for a member. A user sits in at most one delegation."""

    __table_args__ = (UniqueConstraint("council_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    added_at: datetime = _when()
    added_by: str = Field(max_length=32)
    notify: str = Field(default=Notify.CHANNEL.value, max_length=16,
                        sa_column_kwargs={"server_default": Notify.CHANNEL.value})


class Body(SQLModel, table=True):
    """A body of the council with its mandated cadence."""

    __table_args__ = (UniqueConstraint("council_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    ordinal: int
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    level: str = Field(max_length=32)
    mandate: str = _text()
    cadence_count: int | None = None
    cadence_per: str | None = Field(default=None, max_length=16)
    reminders: list[int] = _json([])  # seconds before the start, descending
    at_risk_days: int | None = None
    area: str | None = Field(default=None, max_length=64)
    extraordinary: bool = False
    permanent: bool = True
    active: bool = True
    created_at: datetime = _when()
    names: dict[str, str] = _json({})  # the name in other languages, from the charter


class Meeting(SQLModel, table=True):
    """A meeting of a body. Held is derived: scheduled and its start has passed."""

    __table_args__ = (Index("ix_meeting_council_start", "council_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    starts_at: datetime = _when()
    title: str = _text()
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16)
    cancel_reason: str | None = _text(nullable=True, default=None)
    extraordinary: bool = False
    request_id: int | None = Field(default=None, foreign_key="extraordinaryrequest.id")
    created_by: str = Field(max_length=32)
    created_at: datetime = _when()
    venue: str | None = _text(nullable=True, default=None)
    duration_minutes: int = Field(default=120, sa_column_kwargs={"server_default": "120"})
    #: iCalendar SEQUENCE: raised on each move, so subscribed calendars update the event.
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    agenda_state: str = Field(default=AgendaState.DRAFT, max_length=16,
                              sa_column_kwargs={"server_default": "draft"})
    agenda_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: The start before the latest move, struck through in the announcement.
    previous_starts_at: datetime | None = _when(nullable=True)


class AgendaItem(SQLModel, table=True):
    """An item on a meeting's agenda."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = _text()
    added_by: str = Field(max_length=32)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    issue_id: int | None = Field(default=None, foreign_key="implementationissue.id")
    created_at: datetime = _when()
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    status: str = Field(default=AgendaItemStatus.OPEN, max_length=16,
                        sa_column_kwargs={"server_default": "open"})
    edited_at: datetime | None = _when(nullable=True)


class ExtraordinaryRequest(SQLModel, table=True):
    """A request for an extraordinary Council meeting: "will take place"."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    requested_by: str = Field(max_length=32)
    reason: str = _text()
    status: str = Field(default=RequestStatus.OPEN, max_length=16)
    created_at: datetime = _when()
    fulfilled_at: datetime | None = _when(nullable=True)


class Proposal(SQLModel, table=True):
    """A consensus poll. The electorate is fixed when the poll opens."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    text: str = _text()
    area: str | None = Field(default=None, max_length=64)
    mode: str = Field(default="silence", max_length=16)
    proposer_user_id: str = Field(max_length=32)
    proposer_member_id: int | None = Field(default=None, foreign_key="member.id")
    electorate: list[int] = _json([])
    version: int = 1
    opened_at: datetime = _when()
    version_opened_at: datetime = _when()
    deadline: datetime = _when(index=True)
    status: str = Field(default=ProposalStatus.OPEN, max_length=16, index=True)
    closed_at: datetime | None = _when(nullable=True)
    outcome_note: str | None = _text(nullable=True, default=None)
    #: The joint decision this proposal would supersede when adopted (``propose --supersedes
    #: D3``). No foreign key: the decision table refers to this one.
    supersedes_id: int | None = Field(default=None)
    kind: str = Field(default=ProposalKind.DECISION.value, max_length=16,  # what adoption makes
                      sa_column_kwargs={"server_default": ProposalKind.DECISION.value})


class ProposalVersion(SQLModel, table=True):
    """One version of a proposal's text, kept when a later one replaces it: the history
    ``polls P3`` shows (``amend`` while open, ``revise`` after silence was broken)."""

    __table_args__ = (UniqueConstraint("proposal_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    version: int
    text: str = _text()
    #: How the version came: ``open`` (the first), ``amend`` or ``revise`` (the Chair).
    origin: str = Field(default="open", max_length=16)
    opened_at: datetime = _when()
    opened_by: str = Field(max_length=32)
    deadline: datetime = _when()
    #: How the version ended (a ``ProposalStatus`` value, or ``amended``); None while open.
    outcome: str | None = Field(default=None, max_length=16)
    closed_at: datetime | None = _when(nullable=True)


class Position(SQLModel, table=True):
    """A member's position on one version of a proposal's text."""

    __table_args__ = (UniqueConstraint("proposal_id", "version", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    version: int
    member_id: int = Field(foreign_key="member.id")
    stance: str = Field(max_length=16)
    statement: str | None = _text(nullable=True, default=None)
    #: What kind of statement ``statement`` is (a ``StatementKind``), None without one.
    statement_kind: str | None = Field(default=None, max_length=32)
    #: The reason given with a proposed amendment (``statement`` holds its text).
    reason: str | None = _text(nullable=True, default=None)
    user_id: str = Field(max_length=32)
    at: datetime = _when()
    #: When and by whom the member withdrew its objection (the poll stays as it closed).
    withdrawn_at: datetime | None = _when(nullable=True)
    withdrawn_by: str | None = Field(default=None, max_length=32)


class JointDecision(SQLModel, table=True):
    """A decision adopted by consensus: all members bear equal responsibility."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    text: str = _text()
    area: str | None = Field(default=None, max_length=64)
    mode: str = Field(max_length=16)
    proposer_user_id: str = Field(max_length=32)
    proposer_member_id: int | None = Field(default=None, foreign_key="member.id")
    adopted_at: datetime = _when()
    positions: list[dict[str, Any]] = _json([])
    #: The earlier decision this one supersedes; decisions are never deleted.
    supersedes_id: int | None = Field(default=None, foreign_key="jointdecision.id")


class Statement(SQLModel, table=True):
    """A council statement, ``S#`` in one series: joint (by consensus) or the Chair's."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    kind: str = Field(max_length=16)  # a StatementType: joint or chair
    text: str = _text()
    area: str | None = Field(default=None, max_length=64)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", unique=True)
    mode: str | None = Field(default=None, max_length=16)  # a joint statement's procedure
    issued_by: str = Field(max_length=32)  # who proposed the joint statement, or the Chair
    proposer_member_id: int | None = Field(default=None, foreign_key="member.id")
    issued_at: datetime = _when(index=True)
    positions: list[dict[str, Any]] = _json([])  # as a JointDecision keeps them (joint only)


class ImplementationIssue(SQLModel, table=True):
    """An issue a member raised about the implementation of a joint decision.

    ``dedup`` identifies an open issue by decision, member and text: the same
    member cannot have the same issue open twice (a double submit, a retry).
    It is cleared when the issue closes, so the issue may be raised again.
    """

    __table_args__ = (
        UniqueConstraint("council_id", "dedup"),
        Index("ix_implementationissue_meeting", "meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    decision_id: int = Field(foreign_key="jointdecision.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    raised_by: str = Field(max_length=32)
    text: str = _text()
    source_link: str | None = _text(nullable=True, default=None)
    status: str = Field(default=IssueStatus.OPEN, max_length=16, index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    created_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    closed_by: str | None = Field(default=None, max_length=32)
    note: str | None = _text(nullable=True, default=None)
    dedup: str | None = Field(default=None, max_length=64)


class Outbox(SQLModel, table=True):
    """Everything the bot says, recorded before it is said.

    The unique ``(council_id, key)`` is what makes a reminder or an
    announcement impossible to send twice, whichever process claims it.
    """

    __table_args__ = (
        UniqueConstraint("council_id", "key"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    key: str = Field(max_length=200)
    kind: str = Field(max_length=16)  # an OutboxKind
    channel: str | None = Field(default=None, max_length=32)
    thread_key: str | None = Field(default=None, max_length=200)
    target_key: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = _json({})
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    revision: int = 1
    attempts: int = 0
    next_attempt_at: datetime = _when()
    claimed_until: datetime | None = _when(nullable=True)
    last_error: str | None = _text(nullable=True, default=None)
    ts: str | None = Field(default=None, max_length=32)
    posted_channel: str | None = Field(default=None, max_length=32)
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)


class AuditEntry(SQLModel, table=True):
    """One state change. Each entry hashes its content and the previous hash."""

    __table_args__ = (UniqueConstraint("council_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    seq: int
    at: datetime = _when()
    actor: str = Field(max_length=32)
    member: str | None = Field(default=None, max_length=100)
    action: str = Field(max_length=64)
    details: dict[str, Any] = _json({})
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    #: In which capacity the actor acted: ``secretariat``, ``chair``, ``system``, or
    #: ``delegate:<member>``; hashed when set (None on entries written before it existed).
    capacity: str | None = Field(default=None, max_length=120)


class ProcessedEvent(SQLModel, table=True):
    """Slack events already handled, so that Slack's retries change nothing."""

    __table_args__ = (UniqueConstraint("council_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    event_id: str = Field(max_length=64)
    received_at: datetime = _when()
