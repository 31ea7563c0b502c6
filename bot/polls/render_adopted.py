"""What an adopted poll became, in the words of the replies: "joint decision D4" or
"joint statement S4".

"When the poll is adopted ... a joint statement S# is created instead of a joint
decision D#." (issue 14)
"""

from __future__ import annotations

from storage.models import JointDecision, Statement

#: What a poll's adoption produces: a joint decision, or a joint statement.
Adopted = JointDecision | Statement


def adopted_as(record: Adopted, *, bold: bool = False) -> str:
    """``joint decision D4`` or ``joint statement S4`` (the number in bold if asked)."""
    number = f"S{record.id}" if isinstance(record, Statement) else f"D{record.id}"
    noun = "joint statement" if isinstance(record, Statement) else "joint decision"
    return f"{noun} *{number}*" if bold else f"{noun} {number}"
