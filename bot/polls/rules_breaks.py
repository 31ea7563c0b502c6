"""The rules of what follows broken silence: pure functions on plain values."""

from __future__ import annotations

from bot.polls.rules import Stance
from storage.statuses import ProposalStatus


def revisable(status: str) -> bool:
    """Whether the Chair may put a revised text under silence.

    "After a poll is blocked or silence is broken, the **Chair may put a revised text
    under silence**: ``revise P3 <deadline> <text>`` opens version n+1 of the same
    proposal"
    """
    return status in (ProposalStatus.BLOCKED, ProposalStatus.SILENCE_BROKEN)


def objection_withdrawable(status: str, stance: str, position_version: int,
                           version: int, withdrawn: bool) -> bool:
    """Whether a member may withdraw its objection now.

    "The objecting member may **withdraw its objection** while the Chair has not revised
    or closed the matter; that alone does not reopen the poll (the Chair decides)."
    """
    return (status == ProposalStatus.BLOCKED and stance == Stance.OBJECT
            and position_version == version and not withdrawn)
