"""Decisions and meetings made directly in the database, for tests of what builds on them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot import outbox
from bot.messages import Message
from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import Body, Council, JointDecision, Meeting, Member, Proposal
from tests.council import ADMIN, delegate


def council_id(session: Session) -> int:
    council = session.exec(select(Council).order_by(col(Council.id))).first()
    assert council is not None and council.id is not None
    return council.id


def make_decision(runtime: Runtime, text: str = "Joint search and rescue exercise at sea.",
                  proposer: str = "RU", *, announced: bool = True) -> int:
    """An adopted poll and its joint decision; its announcement recorded as ``decision:{id}``."""
    now = runtime.clock()
    with transaction(runtime.engine) as s:
        cid = council_id(s)
        members = list(s.exec(select(Member).where(Member.council_id == cid)))
        by_code = {m.alpha2: m for m in members}
        poll = Proposal(council_id=cid, text=text, proposer_user_id=delegate(proposer),
                        proposer_member_id=by_code[proposer].id,
                        electorate=[m.id for m in members], opened_at=now - timedelta(days=2),
                        version_opened_at=now - timedelta(days=2), deadline=now,
                        status="adopted", closed_at=now)
        s.add(poll)
        s.flush()
        decision = JointDecision(council_id=cid, proposal_id=poll.id or 0, text=text,
                                 mode="silence", proposer_user_id=delegate(proposer),
                                 proposer_member_id=by_code[proposer].id, adopted_at=now,
                                 positions=[])
        s.add(decision)
        s.flush()
        assert decision.id is not None
        if announced:
            outbox.post(s, cid, f"decision:{decision.id}",
                        Message(text=f"Joint decision D{decision.id}: {text}"), now)
        return decision.id


def make_meeting(runtime: Runtime, body_key: str, starts_at: datetime, *,
                 extraordinary: bool = False, status: str = "scheduled") -> int:
    """A meeting of a body, with its announcement recorded as ``meeting:{id}``."""
    now = runtime.clock()
    with transaction(runtime.engine) as s:
        cid = council_id(s)
        body = s.exec(select(Body).where(Body.council_id == cid, Body.key == body_key)).one()
        meeting = Meeting(council_id=cid, body_id=body.id or 0, starts_at=starts_at,
                          title=f"{body.name} meeting", status=status,
                          extraordinary=extraordinary, created_by=ADMIN, created_at=now)
        s.add(meeting)
        s.flush()
        assert meeting.id is not None
        outbox.post(s, cid, f"meeting:{meeting.id}", Message(text=f"M{meeting.id} announced"), now)
        return meeting.id
