"""What an adopted poll became, in the words of the replies: "joint decision D4" or
"joint statement S4".

"When the poll is adopted ... a joint statement S# is created instead of a joint
decision D#." (issue 14)
"""

from __future__ import annotations

from bot.i18n import _
from storage.models import JointDecision, Statement

#: What a poll's adoption produces: a joint decision, or a joint statement.
Adopted = JointDecision | Statement


def adopted_as(record: Adopted, *, bold: bool = False) -> str:
    """``joint decision D4`` or ``joint statement S4`` (the number in bold if asked)."""
    number = f"S{record.id}" if isinstance(record, Statement) else f"D{record.id}"
    shown = f"*{number}*" if bold else number
    if isinstance(record, Statement):
        return _("joint statement {number}", number=shown)
    return _("joint decision {number}", number=shown)
