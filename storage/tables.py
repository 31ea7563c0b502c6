"""Every table, in dependency order: the order of export and import, and of emptying."""

from __future__ import annotations

from sqlmodel import SQLModel

from storage.models import (
    AgendaItem,
    AuditEntry,
    Body,
    Council,
    Delegate,
    ExtraordinaryRequest,
    ImplementationIssue,
    JointDecision,
    Meeting,
    Member,
    Outbox,
    Position,
    ProcessedEvent,
    Proposal,
    ProposalVersion,
    Statement,
)
from storage.models_language import UserLanguage
from storage.models_record import Attendance, ItemOutcome, RecordRevision

#: Tables in dependency order: the order of export and import.
TABLES: tuple[type[SQLModel], ...] = (
    Council,
    Member,
    Delegate,
    Body,
    ExtraordinaryRequest,
    Meeting,
    Proposal,
    ProposalVersion,
    Position,
    JointDecision,
    Statement,
    ImplementationIssue,
    AgendaItem,
    Outbox,
    AuditEntry,
    ProcessedEvent,
    Attendance,
    ItemOutcome,
    RecordRevision,
    UserLanguage,
)
