"""Block Kit, built in one place from the core's neutral messages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.i18n import _
from bot.messages import Message, clip, split_mrkdwn

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MAX_BLOCKS = 50
MAX_BUTTONS = 25
BUTTON_LIMIT = 75
FIELD_LIMIT = 2000
CONFIRM_TITLE = 100  # a confirm dialog's title, text and buttons (Block Kit's limits)
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
TEXT_LIMIT = 3000  # chat.postMessage's ``text`` as this bot sends it (notifications)


def section(text: str) -> list[dict[str, Any]]:
    """Sections of at most 3,000 characters, cut at a line break or space, never in an escape."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece or " "}}
            for piece in split_mrkdwn(text, SECTION_LIMIT)]


def _action_blocks(message: Message) -> list[dict[str, Any]]:
    """Buttons in actions blocks; a repeated action_id starts a new block.

    Slack refuses (``invalid_blocks``) two elements with one action_id in one
    block, so a row of the same buttons for several items (the App Home's
    Concur/Object per poll) becomes one block per item.
    """
    rows: list[list[dict[str, Any]]] = [[]]
    for b in message.buttons[:MAX_BUTTONS]:
        element: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": clip(b.label, BUTTON_LIMIT), "emoji": True},
            "action_id": b.action_id,
            "value": b.value[:2000],
        }
        if b.style:
            element["style"] = b.style
        if b.confirm:
            element["confirm"] = {
                "title": {"type": "plain_text", "text": clip(b.confirm.title, CONFIRM_TITLE)},
                "text": {"type": "plain_text", "text": clip(b.confirm.text, CONFIRM_TEXT)},
                "confirm": {"type": "plain_text", "text": clip(b.confirm.confirm, CONFIRM_BUTTON)},
                "deny": {"type": "plain_text", "text": clip(b.confirm.deny, CONFIRM_BUTTON)},
            }
            if b.style:
                element["confirm"]["style"] = b.style
        row = rows[-1]
        if len(row) >= 25 or any(e["action_id"] == b.action_id for e in row):
            rows.append(row := [])
        row.append(element)
    return [{"type": "actions", "elements": row} for row in rows]


def _in_every_language(message: Message) -> Message:
    """The buttons of a message in several languages: one row, each label in every
    language ("Concur · Approuver"), the confirm dialog's words likewise."""
    buttons = []
    for i, button in enumerate(message.buttons):
        same = [button, *(m.buttons[i] for m in message.also if len(m.buttons) > i)]
        label = " · ".join(dict.fromkeys(b.label for b in same))
        confirm = button.confirm
        if confirm is not None:
            confirms = [b.confirm for b in same if b.confirm is not None]
            confirm = replace(confirm, title=" · ".join(dict.fromkeys(c.title for c in confirms)),
                              text="\n\n".join(dict.fromkeys(c.text for c in confirms)))
        buttons.append(replace(button, label=label, confirm=confirm))
    return replace(message, buttons=buttons, also=[])


def fits(message: Message, limit: int = MAX_BLOCKS) -> bool:
    """Whether every official language of ``message`` fits in one Slack message."""
    return not message.also or len(_languages(message)) <= limit


def _languages(message: Message) -> list[dict[str, Any]]:
    blocks = _one(replace(message, buttons=[], also=[]), limit=10_000)
    for other in message.also:
        blocks.append({"type": "divider"})
        blocks.extend(_one(replace(other, buttons=[], also=[]), limit=10_000))
    if message.buttons:
        blocks.extend(_action_blocks(_in_every_language(message)))
    return blocks


def to_blocks(message: Message, *, limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """A message as Block Kit. In several languages: the first in full, each other below
    a divider in the same structure, the buttons once with every language's label; if
    that would pass Slack's limit, the first language alone (``SlackPort`` posts the
    others in its thread)."""
    if message.also:
        blocks = _languages(message)
        if len(blocks) <= limit:
            return blocks
        return _one(message.alone(), limit=limit)
    return _one(message, limit=limit)


def _one(message: Message, *, limit: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if message.header:
        blocks.append({"type": "header",
                       "text": {"type": "plain_text", "text": clip(message.header, HEADER_LIMIT),
                                "emoji": True}})
    blocks.extend(section(message.text))
    for start in range(0, len(message.fields), 10):
        blocks.append({
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": clip(f"*{label}*\n{value}", FIELD_LIMIT)}
                       for label, value in message.fields[start:start + 10]],
        })
    for extra in message.sections:
        blocks.extend(section(extra))
    if message.buttons:
        blocks.extend(_action_blocks(message))
    if message.context:
        blocks.append({"type": "context",
                       "elements": [{"type": "mrkdwn", "text": clip(c, SECTION_LIMIT)}
                                    for c in message.context[:10]]})
    if len(blocks) > limit:
        blocks = [*blocks[: limit - 1], *section(_("_(shortened: too long for one message)_"))]
    return blocks


def notification_text(message: Message) -> str:
    """The ``text`` Slack shows in notifications and to screen readers."""
    text = message.text if not message.header else f"{message.header}: {message.text}"
    return clip(text, TEXT_LIMIT)


def home_view(message: Message) -> dict[str, Any]:
    return {"type": "home", "blocks": to_blocks(message, limit=100)}


# -- the Open consensus poll modal --------------------------------------------------------

POLL_MODAL = "open_poll_modal"
#: The modal's block_ids, each the action_id of its one element too.
POLL_FIELDS = ("text", "deadline", "procedure", "area", "urgent")


def _plain(text: str, limit: int = 2000) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit)}


def _input(block: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "input", "block_id": block, "label": _plain(label),
                             "optional": optional, "element": {**element, "action_id": block}}
    if hint:
        field["hint"] = _plain(hint)
    return field


def poll_modal(areas: list[tuple[str, str]], deadline: int, chair: bool, max_text: int,
               max_reason: int) -> dict[str, Any]:
    """The form of ``propose``: the text, the deadline (a date and time picker, from
    ``deadline`` in Unix seconds), the procedure, the area and, for the Chair, urgency."""
    procedures = [{"text": _plain(_("Silence: adopted at the deadline unless a member objects")),
                   "value": "silence"},
                  {"text": _plain(_("Explicit: adopted only when every member concurs")),
                   "value": "explicit"}]
    blocks = [
        _input("text", _("Text of the proposal"),
               {"type": "plain_text_input", "multiline": True, "max_length": max_text}),
        _input("deadline", _("Deadline"),
               {"type": "datetimepicker", "initial_date_time": deadline},
               hint=_("At most 90 days away.")),
        _input("procedure", _("Procedure"), {"type": "radio_buttons", "options": procedures,
                                             "initial_option": procedures[0]}),
    ]
    if areas:
        blocks.append(_input("area", _("Area of cooperation"), {
            "type": "static_select", "placeholder": _plain(_("None"), 150),
            "options": [{"text": _plain(name, 75), "value": key} for key, name in areas[:100]]},
            optional=True))
    if chair:
        blocks.append(_input(
            "urgent", _("Urgency (the Chair)"),
            {"type": "plain_text_input", "max_length": max_reason}, optional=True,
            hint=_("Below the charter's minimum silence, the reason for urgency; the poll "
                   "shows it.")))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _(
        "Any objection blocks. The electorate is the members at the moment the poll opens.")}]})
    return {"type": "modal", "callback_id": POLL_MODAL,
            "title": _plain(_("Consensus poll"), 24), "submit": _plain(_("Open poll"), 24),
            "close": _plain(_("Cancel"), 24), "blocks": blocks}
